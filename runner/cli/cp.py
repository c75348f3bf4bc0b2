"""`runner cp NAME DEST [--force]`: copy a shipped recipe to edit."""

import os
import shutil
import tempfile
from pathlib import Path

from runner.cli.arguments import UsageError
from runner.recipe import shipped
from runner.recipe.errors import suggest

HELP = "Copy a shipped recipe to edit; refuses to overwrite without --force."
EXAMPLE = "runner cp resnet18_cifar10 my.yaml"


def add_arguments(parser) -> None:
    parser.add_argument("name", help="shipped recipe name, as `runner ls` prints it")
    parser.add_argument("dest", help="file or directory to copy to")
    parser.add_argument("--force", action="store_true", help="overwrite DEST if it exists")


def handle(args) -> int:
    found = shipped.recipes()
    name = args.name.removesuffix(".yaml")
    if name not in found:
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
        handle_, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    except OSError as e:
        raise UsageError(f"cannot write in {dest.parent}: {e.strerror}") from None
    os.close(handle_)
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
