"""`runner run RECIPE [key=value...] [--dry-run]`: validate, compile and train into a new run
directory."""

from runner.cli.arguments import add_one_recipe_args, one_recipe
from runner.cli.report import report_ending
from runner.recipe.stages import compile_file

HELP = "Validate, compile and train a recipe, writing a run directory."
EXAMPLE = "runner run recipes/quickstart.yaml train.epochs=5 seed=1"


def add_arguments(parser) -> None:
    add_one_recipe_args(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build every component and run one training and one validation step on "
        "synthetic data of the recipe's shape, then stop",
    )


def handle(args) -> int:
    from runner import backends  # the data layer and, later, a framework: only when running

    recipe, program = compile_file(*one_recipe(args, "run"))
    if args.dry_run:
        return backends.dry_run(program).exit_code
    return backends.train(recipe, program, endings=report_ending(program)).exit_code
