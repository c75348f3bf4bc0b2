"""`runner run RECIPE [key=value...] [--dry-run]`: validate, compile and train into a new run
directory."""

from runner import backends
from runner.cli.arguments import add_recipe_args, one_recipe
from runner.recipe.stages import compile_file

HELP = "Validate, compile and train a recipe, writing a run directory."
EXAMPLE = "runner run recipes/quickstart.yaml train.epochs=5 seed=1"


def add_arguments(parser) -> None:
    add_recipe_args(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build every component and run one training and one validation step on "
        "synthetic data of the recipe's shape, then stop",
    )


def handle(args) -> int:
    recipe, program = compile_file(*one_recipe(args, "run"))
    return backends.execute(recipe, program, dry_run=args.dry_run)
