"""`runner resume RUN_DIR [--trust]`: continue an interrupted run in its own directory, from its
newest checkpoint that passes verification (runner.run.checkpoint_choice)."""

from pathlib import Path

from runner.cli.arguments import TRUST, run_dir
from runner.recipe.stages import compile_file

HELP = (
    "Continue an interrupted run in its directory from its newest verified checkpoint (its SHA-256 "
    "matches the run's record), passing over newer ones that are damaged or changed."
)
EXAMPLE = "runner resume runs/quickstart-20260101-120000"


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the directory `runner run` printed")
    parser.add_argument("--trust", action="store_true", help=TRUST)


def handle(args) -> int:
    from runner import backends  # the data layer and, later, a framework: only when resuming

    path = run_dir(Path(args.run_dir))
    recipe, program = compile_file(str(path / "resolved.yaml"))
    return backends.train(recipe, program, resume=path, trust=args.trust).exit_code
