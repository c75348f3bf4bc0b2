"""What several verbs share: recipe arguments (files, then key.path=value overrides), run
directories given on the command line, --trust, and the usage errors they raise."""

from pathlib import Path

RECIPE_ARGS = "RECIPE files, then key.path=value overrides (values typed by the schema)"
TRUST = (
    "load checkpoints this run did not record in checkpoints/hashes.json (copied in, or "
    "changed since), and older runners' pickled Paddle checkpoints (.pdparams, .pdopt), "
    "whose loading runs any code they hold: only for files you trust"
)


class UsageError(Exception):
    """A command used the wrong way: a missing name, an existing destination."""


def add_recipe_args(parser) -> None:
    parser.add_argument("args", nargs="+", metavar="RECIPE|key=value", help=RECIPE_ARGS)


def split_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Recipe paths and key=value overrides, in the order given."""
    return [a for a in args if "=" not in a], [a for a in args if "=" in a]


def recipes_and_overrides(args) -> tuple[list[str], list[str]]:
    paths, overrides = split_args(args.args)
    if not paths:
        raise UsageError("name a recipe file, e.g. runner validate recipes/quickstart.yaml")
    return paths, overrides


def one_recipe(args, verb: str) -> tuple[str, list[str]]:
    paths, overrides = recipes_and_overrides(args)
    if len(paths) > 1:
        raise UsageError(f"{verb} takes one recipe (got {len(paths)}: {', '.join(paths)})")
    return paths[0], overrides


def run_dir(path: Path) -> Path:
    """`path` if it is a run directory (it holds resolved.yaml), else a usage error."""
    if not (path / "resolved.yaml").is_file():
        raise UsageError(
            f"{path} is not a run directory (it has no resolved.yaml); `runner run` prints the run directory it creates"
        )
    return path
