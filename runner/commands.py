"""The commands behind `runner validate|show|run|ls|cp|schema`, each a composition of the stages."""
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from runner import backends, listing, plan, shipped
from runner.errors import RecipeInvalid
from runner.recipe import compile_file, load_recipe
from runner.yaml_writer import dump


class UsageError(Exception):
    """A command used the wrong way: a missing name, an existing destination."""


def split_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Recipe paths and key=value overrides, in the order given."""
    return [a for a in args if "=" not in a], [a for a in args if "=" in a]


def _split(args):
    paths, overrides = split_args(args.args)
    if not paths:
        raise UsageError("name a recipe file, e.g. runner validate recipes/quickstart.yaml")
    return paths, overrides


def validate(args) -> int:
    paths, overrides = _split(args)
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


def _one(args, verb: str):
    paths, overrides = _split(args)
    if len(paths) > 1:
        raise UsageError(f"{verb} takes one recipe (got {len(paths)}: {', '.join(paths)})")
    return compile_file(paths[0], overrides)


def show(args) -> int:
    recipe, program = _one(args, "show")
    print(f"# {recipe.path}, resolved" + (f" with {' '.join(recipe.overrides)}" if recipe.overrides else ""))
    print(dump(recipe.data))
    print(plan.describe(program))
    return 0


def run(args) -> int:
    recipe, program = _one(args, "run")
    return backends.execute(recipe, program, dry_run=args.dry_run)


def ls(args) -> int:
    if args.what == "recipes":
        print(listing.recipes_table())
    else:
        print(listing.registry_table(args.what, timm=args.timm))
    return 0


def cp(args) -> int:
    found = shipped.recipes()
    name = args.name.removesuffix(".yaml")
    if name not in found:
        from runner.errors import suggest

        raise UsageError(f"no shipped recipe {args.name!r}; {suggest(name, found) or 'see `runner ls`'}")
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / found[name].name
    if dest.exists() and not args.force:
        raise UsageError(f"{dest} already exists; pass --force to overwrite it")
    if not dest.parent.is_dir():
        raise UsageError(f"directory {dest.parent} does not exist")
    # Copy to a temporary name first, so an interrupted copy never leaves half a recipe.
    try:
        handle, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    except OSError as e:
        raise UsageError(f"cannot write in {dest.parent}: {e.strerror}") from None
    os.close(handle)
    try:
        shutil.copyfile(found[name], tmp)
        os.replace(tmp, dest)
    except OSError as e:
        raise UsageError(f"cannot write {dest}: {e.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"copied {name} to {dest}; edit it, then: runner validate {dest}")
    return 0


def schema(args) -> int:
    from runner.json_schema import recipe_json_schema

    json.dump(recipe_json_schema(), sys.stdout, indent=2)
    print()
    return 0


COMMANDS = {"validate": validate, "show": show, "run": run, "ls": ls, "cp": cp, "schema": schema}
