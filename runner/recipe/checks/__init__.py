"""Stage 3: rules that span several keys, one small named function each, grouped by the part of
the recipe they look at (tasks, hardware, components, data, augment, loop, optim, sweep). Every rule runs, and the
recipe's mistakes are reported together, in file order."""

from runner.recipe.checks import augment, components, data, hardware, loop, optim, sweep, tasks  # noqa: F401  (each registers its rules)
from runner.recipe.checks.rule import CHECKS
from runner.recipe.errors import RecipeError, RecipeInvalid, dotted, in_file_order


def run_checks(recipe: dict, lines) -> None:
    """Raise RecipeInvalid listing every rule the recipe breaks."""
    errors = [
        RecipeError(lines.where(path), dotted(path), problem, fix)
        for rule in CHECKS
        for path, problem, fix in rule(recipe)
    ]
    if errors:
        raise RecipeInvalid(in_file_order(errors))
