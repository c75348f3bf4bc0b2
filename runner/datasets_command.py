"""`runner download NAME... [--root DIR] [--mirror URL]`, `runner download folder --url URL
--sha256 HEX` and `runner download --list`: fetch datasets ahead of a run (on a machine with
network, or from a mirror inside a firewall) and see which are present and verified. Uses the
same verified acquisition as `runner run`."""
import sys
from pathlib import Path

from runner.datafiles.checksum import check_file
from runner.datafiles.sources import SOURCES
from runner.datafiles.store import prepare
from runner.data_settings import mirror
from runner.errors import RunFailed
from runner.imagefiles import IMAGENET_HELP

# Datasets with nothing to fetch, and why.
NOT_FETCHED = {
    "digits": "ships with scikit-learn; nothing to fetch",
    "synthetic": "generated at run time; nothing to fetch",
    "folder": "your own images, named by data.train_dir and data.val_dir; an archive of them is "
              "fetched with --url URL --sha256 HEX",
    "imagenet": IMAGENET_HELP,
}


def state(name: str, root: Path) -> str:
    source = SOURCES[name]
    folder = root / name
    if source.unpacked and all((folder / source.unpacked / f).is_file() for f in source.train + source.test):
        return "present (extracted)"
    files = [folder / r.name for r in source.files]
    if not any(f.is_file() for f in files):
        return "missing"
    if not all(f.is_file() for f in files):
        return "partly present"
    bad = [f"{f.name} {m}" for f, r in zip(files, source.files) if (m := check_file(f, r))]
    return f"present, NOT verified: {bad[0]}" if bad else "present and verified"


def listing(root: Path) -> str:
    rows = [(name, f"{sum(r.size for r in source.files) / 1e6:,.0f} MB", str(root / name), state(name, root))
            for name, source in SOURCES.items()]
    rows += [(name, "-", "-", why.split(":")[0] if name == "imagenet" else why) for name, why in NOT_FETCHED.items()]
    widths = [max(len(r[i]) for r in rows + [("dataset", "size", "folder", "state")]) for i in range(3)]
    head = ("dataset", "size", "folder", "state")
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3] for r in [head, *rows])


def download(names: list[str], root: Path, given_mirror: str | None) -> int:
    """Fetch and verify each named dataset; returns 1 if any could not be had."""
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


def download_archive(url: str, sha256: str, root: Path) -> int:
    """Fetch and extract a user's archive of image folders (URL and hash checked by the caller);
    say what a recipe should name."""
    from runner.datafiles.user_archive import describe, fetch_folder

    folder = fetch_folder(url, sha256, root)
    print(f"folder: {url} verified and extracted into {folder}/")
    print(f"in a recipe: {describe(folder)}")
    return 0
