"""The run directory: a new, never reused directory holding everything to reproduce a run.

recipe.yaml (as given), resolved.yaml (every default filled; `runner run` on it reproduces the
run), overrides.txt and provenance.json are written here; runner.run.layout names the rest.
"""

import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.recipe.yaml_writer import dump
from runner.run import atomic, launch, layout

PACKAGES = (
    "runner",
    "torch",
    "torchvision",
    "lightning",
    "timm",
    "torchmetrics",
    "paddlepaddle",
    "numpy",
    "scikit-learn",
    "strictyaml",
    "cerberus",
)


# Set by the first process for the worker processes Lightning starts from it (DDP on one machine),
# as `<its pid>:<path>`: a value inherited from further up (a test's process, a user's shell) is
# not the run's.
SHARED = "RUNNER_RUN_DIR"


def shared() -> Path | None:
    """The run directory this process's parent made for it, if it did."""
    pid, _, path = os.environ.get(SHARED, "").partition(":")
    return Path(path) if path and pid == str(os.getppid()) else None


# Given by a backend whose processes an outside launcher started (torchrun, srun, paddle's launch):
# called on every rank at once, it returns what rank 0 passed it (a broadcast over the run's
# process group), so the ranks agree on one directory without a name known in advance.
Share = Callable[[object], object]


def open_for_rank(recipe, dataset: dict, folder: str | None = None, share: Share | None = None) -> Path:
    """Rank 0 creates the run directory (named `folder` when given, as a sweep names its trials,
    or `<name>-job<id>` when the launcher gave a job id); every other process joins the one rank
    0 made, told by `share` or by the environment its parent process left."""
    rank = launch.rank()
    if rank and share is None and shared():
        return shared()
    if rank == 0:
        job = launch.job_id() if launch.world() > 1 else None
        try:
            path = create(recipe, dataset, f"{recipe.data['name']}-job{job}" if job else folder)
        except RunFailed as e:
            if share:
                share(("failed", str(e)))
            raise
        if share:
            share(("made", str(path)))
        os.environ[SHARED] = f"{os.getpid()}:{path}"
        return path
    if share is None:
        raise RunFailed(f"rank {rank} of {launch.world()} was started without the other processes of its run")
    told, what = share(None)
    if told == "failed":
        raise RunFailed(f"rank {rank}: rank 0 could not make the run directory: {what}")
    return Path(what)


def create(recipe, dataset: dict, exact: str | None = None) -> Path:
    """Make a fresh directory `<log.dir>/<name>-<UTC time>[-n]` (or `exact`, which must not exist
    yet) and write the recipe files; `dataset` identifies the data for provenance.json."""
    root = Path(recipe.data["log"]["dir"])
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunFailed(f"log.dir: cannot create {root} ({e.strerror}); choose a writable directory") from None
    if exact:
        try:
            (root / exact).mkdir()
        except FileExistsError:
            raise RunFailed(f"{root / exact} already exists; continue it with `runner resume {root / exact}`") from None
        return _fill(root / exact, recipe, dataset)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    base = f"{recipe.data['name']}-{stamp}"
    for n in range(1000):
        path = root / (base if n == 0 else f"{base}-{n}")
        try:
            path.mkdir()  # fails if it exists, so two runs never share a directory
            break
        except FileExistsError:
            continue
        except OSError as e:
            raise RunFailed(f"log.dir: cannot write in {root} ({e.strerror}); choose a writable directory") from None
    else:
        raise FileExistsError(f"{root / base} and 999 numbered variants already exist")
    return _fill(path, recipe, dataset)


def _fill(path: Path, recipe, dataset: dict) -> Path:
    (path / layout.RECIPE).write_text(recipe.text)
    (path / layout.RESOLVED).write_text(
        f"# Resolved from {recipe.path}"
        + (f" with {' '.join(recipe.overrides)}" if recipe.overrides else "")
        + f"; reproduce with: runner run {path / layout.RESOLVED}\n"
        + dump(recipe.data)
    )
    (path / layout.OVERRIDES).write_text("".join(f"{o}\n" for o in recipe.overrides))
    (path / layout.PROVENANCE).write_text(json.dumps(provenance(recipe, dataset), indent=2) + "\n")
    return path


def note_skipped(path: Path, skipped: tuple[str, ...]) -> None:
    """Add to provenance.json the bad images and annotations the run left out (data.skip_bad)."""
    record = reading.read_json(path / layout.PROVENANCE)
    record["skipped"] = list(skipped)
    atomic.write_text(path / layout.PROVENANCE, json.dumps(record, indent=2) + "\n")


def provenance(recipe, dataset: dict) -> dict:
    return {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "recipe": str(recipe.path),
        "overrides": recipe.overrides,
        "resolved": recipe.data,  # what the checkpoints are trained with; resume compares resolved.yaml to it
        "seed": recipe.data["seed"],
        "dataset": dataset,
        "git": _git(),
        "packages": {p: _version(p) for p in PACKAGES},
        "python": sys.version.split()[0],
        "hardware": {
            "machine": platform.machine(),
            "system": platform.system(),
            "cpus": os.cpu_count(),
            "node": platform.node(),
            "gpus": _gpus(),
        },
        "command": sys.argv,
        **getattr(recipe, "context", {}),
    }


def _gpus() -> list[str]:
    """Names of the visible CUDA devices, when the backend has already loaded torch."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return []
    return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git() -> dict | None:
    """Commit and dirty flag of the working directory's repository, if it is one."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if commit.returncode:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, timeout=5)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.TimeoutExpired):
        return None
