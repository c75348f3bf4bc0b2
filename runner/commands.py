"""The commands behind `runner validate|show|run|ls|cp|schema`, each a composition of the stages."""
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from runner import backends, checkpoint_hashes, listing, plan, shipped
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
    if program.numbers is None:  # image folders: count them if they are here
        from runner import imagefiles
        from runner.errors import RunFailed

        try:
            program = imagefiles.split(program, fetch=False)[1]
        except RunFailed as e:
            print(f"# not counted yet: {e}")
    print(plan.describe(program))
    return 0


def run(args) -> int:
    recipe, program = _one(args, "run")
    return backends.execute(recipe, program, dry_run=args.dry_run)


def resume(args) -> int:
    """Continue an interrupted run in its own directory from its last checkpoint."""
    path = _run_dir(Path(args.run_dir))
    if args.trust:
        checkpoint_hashes.trust_unrecorded()
    recipe, program = compile_file(str(path / "resolved.yaml"))
    return backends.execute(recipe, program, resume=path)


def evaluate(args) -> int:
    """Score a run's best (or a named) checkpoint; write eval/<checkpoint>-<split>.json."""
    target = Path(args.target)
    path = _run_dir(target if target.is_dir() else target.parent.parent)
    if args.trust:
        checkpoint_hashes.trust_unrecorded()
    if target.is_dir():
        checkpoint = _best_checkpoint(path)
    elif target.parent != path / "checkpoints" or target.suffix not in (".ckpt", ".pdparams"):
        raise UsageError(f"{target} is not a checkpoint inside a run directory; runner eval loads "
                         "only RUN_DIR/checkpoints/*.ckpt (or *.pdparams) written by runner run")
    else:
        checkpoint = target
    recipe, program = compile_file(str(path / "resolved.yaml"), ["data.val_fraction=0"] if args.split == "test" else [])
    if args.split == "test" and not program.dataset.has_test_split:
        raise UsageError(f"{recipe.data['data']['dataset']} has no test split; use --split val")
    out = path / "eval" / f"{checkpoint.stem}-{args.split}.json"
    print(backends.evaluate(recipe, program, checkpoint, args.split, out))
    print(f"wrote {out}")
    return 0


def _run_dir(path: Path) -> Path:
    if not (path / "resolved.yaml").is_file():
        raise UsageError(f"{path} is not a run directory (it has no resolved.yaml); "
                         "`runner run` prints the run directory it creates")
    return path


def _best_checkpoint(path: Path) -> Path:
    summary = path / "summary.json"
    best = json.loads(summary.read_text()).get("best_checkpoint") if summary.is_file() else None
    for candidate in (best, path / "checkpoints" / "last.ckpt", path / "checkpoints" / "last.pdparams"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise UsageError(f"{path} has no checkpoint yet (checkpoints/ is empty)")


def download(args) -> int:
    """Fetch datasets into --root ($RUNNER_DATA or the cache folder), or list what is there."""
    from runner import datasets_command
    from runner.catalog import datasets
    from runner.data_settings import ARCHIVE_URL, MIRROR_URL, SHA256, data_home

    root = Path(args.root).expanduser() if args.root else data_home()
    if args.list:
        print(datasets_command.listing(root))
        return 0
    if not args.names:
        raise UsageError("name datasets to fetch (runner download cifar10 mnist), or --list")
    unknown = [n for n in args.names if n not in datasets.names()]
    if unknown:
        from runner.errors import suggest

        raise UsageError(f"no dataset {unknown[0]!r}; {suggest(unknown[0], datasets.names(), 'datasets')}")
    if args.mirror and not MIRROR_URL.fullmatch(args.mirror):
        raise UsageError(f"--mirror: {args.mirror!r} is not an http:// or https:// base URL")
    if args.url or args.sha256:
        if args.names != ["folder"] or not (args.url and args.sha256):
            raise UsageError("--url and --sha256 go together, with the dataset `folder`: "
                             "runner download folder --url URL --sha256 HEX --root DIR")
        if not ARCHIVE_URL.fullmatch(args.url):
            raise UsageError(f"--url: {args.url!r} is not an http:// or https:// URL")
        if not SHA256.fullmatch(args.sha256):
            raise UsageError(f"--sha256: {args.sha256!r} is not a SHA-256 (64 hex digits); "
                             "`sha256sum FILE` prints it")
        return datasets_command.download_archive(args.url, args.sha256, root)
    return datasets_command.download(args.names, root, args.mirror)


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


COMMANDS = {"validate": validate, "show": show, "run": run, "resume": resume, "eval": evaluate,
            "download": download, "ls": ls, "cp": cp, "schema": schema}
