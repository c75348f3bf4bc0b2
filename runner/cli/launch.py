"""`runner launch slurm RECIPE --nodes N --gpus-per-node G [key=value...]`: validate the recipe as
the job will run it, then write an sbatch script that trains it on N nodes (never over a file)."""

import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from runner.cli.arguments import UsageError, add_one_recipe_args, one_recipe
from runner.recipe.errors import RecipeError, RecipeInvalid
from runner.recipe.stages import compile_file
from runner.run import slurm

HELP = "Write an sbatch script that trains a recipe on several nodes under SLURM; submit it with sbatch."
EXAMPLE = "runner launch slurm recipes/resnet50_imagenet.yaml --nodes 2 --gpus-per-node 8 --time 24:00:00"
# The recipe keys the job's shape sets, and the flag that sets each.
FLAGS = {
    "hardware.num_nodes": "--nodes",
    "hardware.devices": "--gpus-per-node",
    "hardware.accelerator": "--gpus-per-node",
}


def add_arguments(parser) -> None:
    parser.add_argument("scheduler", choices=["slurm"], help="the cluster's scheduler")
    add_one_recipe_args(parser)
    parser.add_argument("--nodes", type=int, required=True, metavar="N", help="machines (sets hardware.num_nodes)")
    parser.add_argument(
        "--gpus-per-node",
        type=int,
        required=True,
        metavar="G",
        help="GPUs on each (sets hardware.devices and accelerator; 0: one CPU process per node)",
    )
    parser.add_argument("--partition", default="", help="the SLURM partition to run in")
    parser.add_argument("--time", default="", help="the job's time limit, as sbatch takes it (24:00:00, 2-00:00:00)")
    parser.add_argument(
        "--script",
        metavar="PATH",
        help="where to write the script (default: <log.dir>/slurm/<name>-<UTC time>.sbatch); never overwritten",
    )


def handle(args) -> int:
    if args.nodes < 1:
        raise UsageError(f"--nodes {args.nodes}: a job runs on 1 node or more")
    if args.gpus_per_node < 0:
        raise UsageError(f"--gpus-per-node {args.gpus_per_node}: give 1 or more, or 0 for one CPU process per node")
    path, overrides = one_recipe(args, "launch slurm")
    owned = slurm.hardware_overrides(args.nodes, args.gpus_per_node)
    kept, clashes = _beside_the_flags(overrides, owned)
    job_overrides = [f"{key}={value}" for key, value in owned.items()] + kept
    try:
        _, program = compile_file(path, job_overrides)
    except RecipeInvalid as invalid:
        raise RecipeInvalid(invalid.errors + clashes) from None
    if clashes:
        raise RecipeInvalid(clashes)
    folder = Path(program.log.dir) / slurm.FOLDER
    job = slurm.Job(
        recipe=path,
        overrides=tuple(job_overrides),
        name=program.name,
        backend=program.backend,
        nodes=args.nodes,
        gpus=args.gpus_per_node,
        num_workers=program.data.num_workers,
        folder=os.path.abspath(folder),
        workdir=os.getcwd(),
        python=os.path.abspath(sys.executable),
        partition=args.partition,
        time=args.time,
    )
    if job.backend == "paddle" and not Path(slurm.runner_script(job.python)).is_file():
        raise UsageError(
            f"{slurm.runner_script(job.python)} is missing: paddle.distributed.launch runs the `runner` "
            "script beside this Python; install runner there (pip install -e .)"
        )
    given = Path(args.script) if args.script else None
    if given and not given.parent.is_dir():
        raise UsageError(f"--script {given}: directory {given.parent} does not exist")
    try:
        text = slurm.script(job)
        folder.mkdir(parents=True, exist_ok=True)  # the job's output goes there, wherever the script does
    except ValueError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"log.dir: cannot create {folder} ({e.strerror}); choose a writable log.dir") from None
    written = _write_new(text, given, folder, program.name)
    print(f"wrote {written}")
    print(f"submit it with: sbatch {shlex.quote(str(written))}")
    print(f"its output goes to {job.folder}/{job.name}-<job id>.out")
    return 0


def _beside_the_flags(overrides: list[str], owned: dict[str, str]) -> tuple[list[str], list[RecipeError]]:
    """The user's overrides the job keeps (one that repeats a flag's value adds nothing), and an
    error for each that contradicts a flag."""
    kept, clashes = [], []
    for override in overrides:
        key, _, value = (part.strip() for part in override.partition("="))
        if key not in owned:
            kept.append(override)
        elif value.strip("'\"") != owned[key]:
            problem = f"{FLAGS[key]} sets {key} ({owned[key]} for this job)"
            clashes.append(RecipeError(f"override {override}", key, problem, f"leave it out, or change {FLAGS[key]}"))
    return kept, clashes


def _write_new(text: str, given: Path | None, folder: Path, name: str) -> Path:
    """Write `text` to `given`, or to a fresh `<folder>/<name>-<UTC time>[-n].sbatch`; never over a file."""
    if given is None:
        base = f"{name}-{datetime.now(timezone.utc).strftime('%Y%m%d-%H%M%S')}"
        candidates = [folder / f"{base}{f'-{n}' if n else ''}.sbatch" for n in range(1000)]
    else:
        candidates = [given]
    for path in candidates:
        try:
            file = open(path, "x")
        except FileExistsError:
            continue
        except OSError as e:
            raise UsageError(f"cannot write {path} ({e.strerror})") from None
        try:
            with file:
                file.write(text)
        except OSError as e:
            path.unlink()  # never half a script
            raise UsageError(f"cannot write {path} ({e.strerror})") from None
        return path
    if given is not None:
        raise UsageError(f"{given} already exists; choose another --script, or remove it")
    raise UsageError(f"{candidates[0]} and 999 numbered variants already exist")
