"""Whether each value a sweep's distribution can give makes a valid recipe: the recipe is
validated again with each choice, or with each range's low and high, in place of the value the
file gives, and whatever that breaks is reported at the param's line in `sweep.params`. So
`optim.lr: {float: {low: 0, high: 1}}` is refused by `runner validate`, not by a failed trial."""

import copy

from runner.recipe import validation
from runner.recipe.checks import run_checks
from runner.recipe.errors import RecipeError, RecipeInvalid, dotted
from runner.recipe.search_space import key_path, parse


def without_sweep(recipe: dict) -> dict:
    """The recipe a trial trains: everything but the sweep section."""
    return {k: v for k, v in recipe.items() if k != "sweep"}


def misfits(recipe: dict, lines) -> list[RecipeError]:
    """Errors for each distribution that can give a value the recipe refuses."""
    if "sweep" not in recipe:
        return []
    base = without_sweep(recipe)
    errors = []
    for key, spec in recipe["sweep"]["params"].items():
        dist, _ = parse(spec)
        for value in dist.extremes() if dist else ():
            problem = _first_problem(base, key_path(str(key)), value, lines)
            if problem:
                at = ("sweep", "params", key)
                errors.append(RecipeError(lines.where(at), dotted(at), f"{key} = {value}: {problem}", _fix(dist)))
                break
    return errors


def _first_problem(base: dict, path: tuple, value, lines) -> str:
    trial = copy.deepcopy(base)
    node = trial
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value if isinstance(value, (list, dict)) else str(value)
    try:
        run_checks(validation.normalize(trial, lines), lines)
    except RecipeInvalid as invalid:
        first = invalid.errors[0]
        return f"{first.problem}" + (f" ({first.path})" if first.path and first.path != dotted(path) else "")
    return ""


def _fix(dist) -> str:
    return "narrow the choices" if dist.kind == "choice" else "narrow low and high to values the key accepts"
