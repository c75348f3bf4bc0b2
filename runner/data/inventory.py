"""Which datasets are present under a data root, and whether their files are verified: the table
`runner download --list` prints, and the datasets there is nothing to fetch for."""

from pathlib import Path

from runner.data.files.checksum import check_file
from runner.data.files.sources import SOURCES
from runner.data.files.store import extracted
from runner.data.imagefiles import IMAGENET_HELP

# Datasets with nothing to fetch, and why.
NOT_FETCHED = {
    "digits": "ships with scikit-learn; nothing to fetch",
    "synthetic": "generated at run time; nothing to fetch",
    "folder": "your own images, named by data.train_dir and data.val_dir; an archive of them is "
    "fetched with --url URL --sha256 HEX",
    "imagenet": IMAGENET_HELP,
    "shapes": "generated at run time; nothing to fetch",
    "coco_format": "your own images and COCO annotation files, named by data.train_images and data.train_annotations",
    "mask_folder": "your own images and masks, named by data.train_dir and data.val_dir",
}


def state(name: str, root: Path) -> str:
    """missing, partly present, present and verified, or present but failing a check."""
    folder = root / name
    done = [r for r in SOURCES[name].files if extracted(folder, r)]
    rest = [r for r in SOURCES[name].files if r not in done]
    if not rest:
        return "present (extracted)"
    have = [r for r in rest if (folder / r.name).is_file()]
    if not have and not done:
        return "missing"
    if len(have) < len(rest):
        return "partly present"
    bad = [f"{r.name} {m}" for r in have if (m := check_file(folder / r.name, r))]
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
