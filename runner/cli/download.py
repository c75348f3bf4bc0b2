"""`runner download NAME... [--root DIR] [--mirror URL]`, `runner download folder --url URL
--sha256 HEX` and `runner download --list`: fetch datasets ahead of a run (on a machine with
network, or from a mirror inside a firewall) and see which are present and verified, with the
same verified acquisition as `runner run`. RUNNER_OFFLINE=1 forbids any download."""

import sys
from pathlib import Path

from runner.catalog import datasets
from runner.cli.arguments import UsageError
from runner.recipe.environment import data_home, mirror
from runner.recipe.errors import RunFailed, suggest
from runner.recipe.urls import ARCHIVE_URL, MIRROR_URL, SHA256

HELP = (
    "Fetch datasets ahead of a run, verified by size and SHA-256; --list shows what is present. "
    "RUNNER_OFFLINE=1 forbids any download."
)
EXAMPLE = (
    "runner download cifar10 mnist\n  runner download --list\n"
    "  runner download folder --url https://example.org/photos.tar.gz --sha256 HEX --root data"
)


def add_arguments(parser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="datasets, as `runner ls datasets` names them")
    parser.add_argument(
        "--root", help="the folder recipes call data.root (default: $RUNNER_DATA, else ~/.cache/runner/datasets)"
    )
    parser.add_argument(
        "--mirror", help="base URL to fetch from instead of the official host (default: $RUNNER_DATASET_MIRROR if set)"
    )
    parser.add_argument("--url", help="with `folder`: a tar or zip archive of image folders to fetch and extract")
    parser.add_argument("--sha256", help="with --url: the archive's SHA-256; it is kept only if it matches")
    parser.add_argument(
        "--list", action="store_true", help="show each dataset, its size and whether it is present and verified"
    )


def handle(args) -> int:
    """Fetch datasets into --root ($RUNNER_DATA or the cache folder), or list what is there."""
    from runner.data.inventory import listing  # numpy and the dataset readers: only for this verb

    root = Path(args.root).expanduser() if args.root else data_home()
    if args.list:
        print(listing(root))
        return 0
    if not args.names:
        raise UsageError("name datasets to fetch (runner download cifar10 mnist), or --list")
    unknown = [n for n in args.names if n not in datasets.names()]
    if unknown:
        raise UsageError(f"no dataset {unknown[0]!r}; {suggest(unknown[0], datasets.names(), 'datasets')}")
    if args.mirror and not MIRROR_URL.fullmatch(args.mirror):
        raise UsageError(f"--mirror: {args.mirror!r} is not an http:// or https:// base URL")
    if args.url or args.sha256:
        if args.names != ["folder"] or not (args.url and args.sha256):
            raise UsageError(
                "--url and --sha256 go together, with the dataset `folder`: "
                "runner download folder --url URL --sha256 HEX --root DIR"
            )
        if not ARCHIVE_URL.fullmatch(args.url):
            raise UsageError(f"--url: {args.url!r} is not an http:// or https:// URL")
        if not SHA256.fullmatch(args.sha256):
            raise UsageError(f"--sha256: {args.sha256!r} is not a SHA-256 (64 hex digits); `sha256sum FILE` prints it")
        return _archive(args.url, args.sha256, root)
    return _datasets(args.names, root, args.mirror)


def _datasets(names: list[str], root: Path, given_mirror: str | None) -> int:
    """Fetch and verify each named dataset; returns 1 if any could not be had."""
    from runner.data.files.sources import SOURCES
    from runner.data.files.store import prepare
    from runner.data.inventory import NOT_FETCHED

    failed = 0
    for name in names:
        if name in NOT_FETCHED:
            print(f"{name}: {NOT_FETCHED[name].format(root=root)}")
            failed += name == "imagenet"
            continue
        try:
            folder = prepare(SOURCES[name], root, True, mirror(given_mirror))
            print(f"{name}: present and verified in {folder}")
        except RunFailed as e:
            print(f"runner download: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def _archive(url: str, sha256: str, root: Path) -> int:
    """Fetch and extract a user's archive of image folders; say what a recipe should name."""
    from runner.data.files.user_archive import describe, fetch_folder

    folder = fetch_folder(url, sha256, root)
    print(f"folder: {url} verified and extracted into {folder}/")
    print(f"in a recipe: {describe(folder)}")
    return 0
