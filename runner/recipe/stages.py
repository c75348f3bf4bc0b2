"""A recipe from file to Program: load -> overrides -> schema -> checks -> compile.

`runner validate`, `show` and `run` are compositions of these stages. Nothing here imports a
deep-learning framework.
"""

from dataclasses import dataclass, field

from runner.catalog.tasks import TASKS
from runner.recipe import load, overrides, sweep_fit, validation
from runner.recipe.checks import run_checks
from runner.recipe.checks.sweep import DIRECTIONS
from runner.recipe.compile import Program, compile_recipe
from runner.recipe.errors import RecipeInvalid


@dataclass
class Recipe:
    path: str
    text: str  # the file as given
    overrides: list[str]
    data: dict  # the normalized recipe: typed, every default filled
    lines: load.Lines
    context: dict = field(default_factory=dict)  # more for provenance.json: a sweep trial's study and params


def load_recipe(path: str, override_list: list[str] = (), text: str | None = None, fit: bool = True) -> Recipe:
    """Read, override, validate and check a recipe; raise RecipeInvalid listing every mistake.
    `text`: the file's text when already read (a sweep's trials all train the text it began
    with). `fit`: whether each sweep param's range must fit the recipe as written; a trial, whose
    values replace several at once, is judged by the rules alone."""
    text = load.read(path) if text is None else text
    data, lines = load.parse(text, path)
    bad_overrides = []
    if override_list and isinstance(data, dict):
        bad_overrides = overrides.apply(data, list(override_list), lines)
    try:
        recipe = validation.normalize(data, lines)
    except RecipeInvalid as invalid:
        raise RecipeInvalid(invalid.errors + bad_overrides) from None
    if bad_overrides:
        raise RecipeInvalid(bad_overrides)
    run_checks(recipe, lines)
    _rank_by_the_task(recipe)
    misfits = sweep_fit.misfits(recipe, lines) if fit else []  # once the recipe itself is valid
    if misfits:
        raise RecipeInvalid(misfits)
    if "sweep" in recipe:
        _judge_the_sweep(recipe)
    return Recipe(path, text, list(override_list), recipe, lines)


def _rank_by_the_task(recipe: dict) -> None:
    """train.checkpoint's auto monitor and mode as the task's metric and its direction, so the
    resolved recipe a run keeps says which metric ranked its checkpoints."""
    checkpoint = recipe["train"]["checkpoint"]
    checkpoint["monitor"], checkpoint["mode"] = TASKS[recipe["task"]].ranking(checkpoint["monitor"], checkpoint["mode"])


def _judge_the_sweep(recipe: dict) -> None:
    """sweep's auto metric and direction as the checkpoint's monitor and the way it improves."""
    sweep, task = recipe["sweep"], TASKS[recipe["task"]]
    if sweep["metric"] == "auto":
        sweep["metric"] = recipe["train"]["checkpoint"]["monitor"]
    if sweep["direction"] == "auto":
        sweep["direction"] = DIRECTIONS[task.metric(sweep["metric"]).better]


def compile_file(path: str, override_list: list[str] = ()) -> tuple[Recipe, Program]:
    recipe = load_recipe(path, override_list)
    return recipe, compile_recipe(recipe.data, recipe.lines)
