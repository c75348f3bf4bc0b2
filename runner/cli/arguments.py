"""What several verbs share: recipe arguments (files, then key.path=value overrides), run
directories given on the command line, --trust, exported models, and the usage errors they raise."""

import contextlib
import sys
from pathlib import Path

from runner.recipe.errors import RecipeError, RecipeInvalid, RunFailed
from runner.recipe.schema import recipe_rules

RECIPE_ARGS = "RECIPE files, then key.path=value overrides (values typed by the schema)"
OVERRIDES = "key.path=value overrides of the recipe (values typed by the schema)"
TRUST = (
    "load checkpoints this run did not record in checkpoints/hashes.json (copied in, or "
    "changed since), and older runners' pickled Paddle checkpoints (.pdparams, .pdopt), "
    "whose loading runs any code they hold: only for files you trust"
)


class UsageError(Exception):
    """A command used the wrong way: a missing name, an existing destination."""


def add_recipe_args(parser) -> None:
    """Several recipes, then overrides (validate)."""
    parser.add_argument("args", nargs="+", metavar="RECIPE|key=value", help=RECIPE_ARGS)


def add_one_recipe_args(parser) -> None:
    """One recipe, then overrides (run, show); main() adds overrides given after an option."""
    parser.add_argument("recipe", metavar="RECIPE", help="the recipe file")
    parser.add_argument("args", nargs="*", metavar="key=value", help=OVERRIDES)


def split_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Recipe paths and key=value overrides, in the order given. A word naming no file whose
    first part is a recipe section (`train.epochs`, `seed`) is an override missing its value."""
    paths, overrides = [a for a in args if "=" not in a], [a for a in args if "=" in a]
    unfinished = [p for p in paths if p.split(".")[0] in recipe_rules() and not exists(Path(p))]
    if unfinished:
        problem = "has no value (an override is key.path=value)"
        raise RecipeInvalid([RecipeError(f"override {w}", "", problem, f"write {w}=VALUE") for w in unfinished])
    return paths, overrides


def recipes_and_overrides(args) -> tuple[list[str], list[str]]:
    paths, overrides = split_args(args.args)
    if not paths:
        raise UsageError("name a recipe file, e.g. runner validate recipes/quickstart.yaml")
    return paths, overrides


def one_recipe(args, verb: str) -> tuple[str, list[str]]:
    paths, overrides = split_args([args.recipe, *args.args])
    if not paths:
        raise UsageError(f"name a recipe file, e.g. runner {verb} recipes/quickstart.yaml")
    if len(paths) > 1:
        raise UsageError(f"{verb} takes one recipe (got {len(paths)}: {', '.join(paths)})")
    return paths[0], overrides


def run_dir(path: Path) -> Path:
    """`path` if it is a run directory (it holds resolved.yaml), else a usage error."""
    if not exists(path):
        raise UsageError(f"{path} does not exist; give the run directory `runner run` printed")
    if not (path / "resolved.yaml").is_file():
        raise UsageError(
            f"{path} is not a run directory (it has no resolved.yaml); `runner run` prints the run directory it creates"
        )
    return path


def exists(path: Path) -> bool:
    """Whether anything is at `path`; a path the system refuses (a name too long) names nothing."""
    try:
        return path.exists()
    except OSError:
        return False


def exported_model(word: str):
    """The runner.deploy.session.Model that `predict` and `serve` run: an .onnx file, or a run
    directory's verified export (made now if the run has none)."""
    from runner.deploy.session import Model, ModelError  # numpy: not for the verbs that need none

    path = Path(word)
    if path.is_dir():
        run = run_dir(path)
        from runner.deploy.exporting import exported  # reaches a framework when it must export

        # An export made now says so on stderr: stdout carries predict's answers, which may be JSON.
        try:
            with contextlib.redirect_stdout(sys.stderr):
                path = exported(run)
        except RunFailed as e:  # its advice (--trust, another checkpoint) is runner export's to take
            raise RunFailed(
                f"{e}\n(predict and serve export a run directory first: `runner export {run}` with "
                "the options it names, then give them the .onnx file it writes)"
            ) from None
    try:
        return Model(path)
    except ModelError as e:
        raise UsageError(str(e)) from None
