"""Which datasets are present under a data root, and whether their files are verified: the table
`runner download --list` prints, and the datasets there is nothing to fetch for."""

from pathlib import Path

from runner.data.files.checksum import check_file
from runner.data.files.sources import SOURCES
from runner.data.imagefiles import IMAGENET_HELP

# Datasets with nothing to fetch, and why.
NOT_FETCHED = {
    "digits": "ships with scikit-learn; nothing to fetch",
    "synthetic": "generated at run time; nothing to fetch",
    "folder": "your own images, named by data.train_dir and data.val_dir; an archive of them is "
    "fetched with --url URL --sha256 HEX",
    "imagenet": IMAGENET_HELP,
}


def state(name: str, root: Path) -> str:
    """missing, partly present, present and verified, or present but failing a check."""
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
    """One row per dataset: its size, its folder under `root` and its state."""
    rows = [
        (name, f"{sum(r.size for r in source.files) / 1e6:,.0f} MB", str(root / name), state(name, root))
        for name, source in SOURCES.items()
    ]
    rows += [(name, "-", "-", why.split(":")[0] if name == "imagenet" else why) for name, why in NOT_FETCHED.items()]
    widths = [max(len(r[i]) for r in rows + [("dataset", "size", "folder", "state")]) for i in range(3)]
    head = ("dataset", "size", "folder", "state")
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3] for r in [head, *rows])
