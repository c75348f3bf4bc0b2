"""`runner resume RUN_DIR [train.epochs=N] [--trust]`: continue a stopped run in its own directory,
or train a finished one longer."""

from pathlib import Path

from runner.cli.arguments import TRUST, run_dir
from runner.cli.report import report_ending
from runner.recipe.stages import compile_file, load_recipe
from runner.run import layout, resumption

HELP = (
    "Continue a stopped run in its directory from its newest verified checkpoint, passing over newer "
    "ones that are damaged or changed; train.epochs=N trains a run longer."
)
EXAMPLE = "runner resume runs/quickstart-20260101-120000 train.epochs=20"


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the directory `runner run` printed")
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="train.epochs=N",
        help="train for N epochs in all (more than the recipe said); the only key a resume can change",
    )
    parser.add_argument("--trust", action="store_true", help=TRUST)


def handle(args) -> int:
    path = run_dir(Path(args.run_dir))
    resumption.only_changeable(path, args.overrides)
    resolved = str(path / layout.RESOLVED)
    before = load_recipe(resolved).data
    resumption.check_unedited(path, before)
    recipe, program = compile_file(resolved, args.overrides)
    summary = resumption.finished(path, program.loop.epochs)
    if summary is not None:
        best = f", best {summary['best']:.4f}" if isinstance(summary.get("best"), float) else ""
        print(
            f"{path} is finished ({summary['epochs']} epochs{best}); nothing was changed. "
            f"To train it longer: runner resume {path} {resumption.CHANGEABLE}=N"
        )
        return 0
    if not resumption.longer(recipe, before["train"]["epochs"]):
        recipe, program = compile_file(resolved)  # nothing to record
    from runner import backends  # the data layer and, later, a framework: only when training

    return backends.train(recipe, program, resume=path, trust=args.trust, endings=report_ending(program)).exit_code
