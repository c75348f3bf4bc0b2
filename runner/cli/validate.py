"""`runner validate RECIPE... [key=value...]`: every mistake in every recipe, or OK."""

from runner.cli.arguments import add_recipe_args, recipes_and_overrides
from runner.recipe.errors import RecipeInvalid
from runner.recipe.stages import load_recipe

HELP = "Check recipes against the schema and rules; print OK or every mistake."
EXAMPLE = "runner validate recipes/quickstart.yaml my.yaml train.epochs=5"
add_arguments = add_recipe_args


def handle(args) -> int:
    paths, overrides = recipes_and_overrides(args)
    errors = []
    for path in paths:
        try:
            load_recipe(path, overrides)
            print(f"OK {path}")
        except RecipeInvalid as invalid:
            errors += invalid.errors
    if errors:
        raise RecipeInvalid(errors)
    return 0
