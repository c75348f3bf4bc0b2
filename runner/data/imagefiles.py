"""Image files in torchvision's ImageFolder layout: one subfolder per class, images inside.

Used by the `folder` dataset (the user's own tree) and `imagenet` (train/ and val/ of WordNet-id
folders under data.root/imagenet). Reading the tree needs no deep-learning framework, so
`runner show` can count it too.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.recipe.compile import Program, with_counts
from runner.recipe.errors import RunFailed
from runner.recipe.numbers import split_sizes
from runner.recipe.specs import DataSpec

# Formats both backends decode (with Pillow) among a folder's files.
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".ppm", ".pgm")
IMAGENET_HELP = (
    "ImageNet cannot be downloaded freely: request ILSVRC2012_img_train.tar and "
    "ILSVRC2012_img_val.tar at https://image-net.org/download-images, then unpack them as "
    "{root}/imagenet/train/<wnid>/*.JPEG and {root}/imagenet/val/<wnid>/*.JPEG "
    "(torchvision's ImageNet layout)"
)


@dataclass(frozen=True)
class ImageFolder:
    root: Path
    classes: tuple[str, ...]  # sorted subfolder names; a label is an index into this
    files: tuple[str, ...]
    labels: np.ndarray  # int64, one per file


@dataclass(frozen=True)
class Split:
    """The files each stage reads, with the class names shared by both."""

    classes: tuple[str, ...]
    train: list[tuple[str, int]]
    val: list[tuple[str, int]]


def scan(root: Path, key: str) -> ImageFolder:
    """Every image under root/<class>/ (nested folders included), in a stable order."""
    must_be_folder(root, key)
    classes = tuple(sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")))
    files, labels, empty = [], [], []
    for label, name in enumerate(classes):
        found = sorted(p for p in (root / name).rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())
        files += map(str, found)
        labels += [label] * len(found)
        if not found:
            empty.append(name)
    if not classes or empty:
        what = f"class folders without images: {', '.join(empty[:5])}" if empty else "no class subfolders"
        raise RunFailed(
            f"{key}: {root} has {what}; each class needs a subfolder holding {', '.join(EXTENSIONS[:4])}... images"
        )
    return ImageFolder(root, classes, tuple(files), np.asarray(labels, dtype=np.int64))


def must_be_folder(root: Path, key: str) -> None:
    if not is_folder(root, key):
        raise RunFailed(f"{key}: {root} is not a folder; it should hold one subfolder of images per class")


def is_folder(path: Path, key: str) -> bool:
    """Whether `path` (from the recipe's `key`) is a folder; a path the system refuses to look up
    (a name too long, a folder it may not enter) is a message naming the key, not an OSError."""
    try:
        return path.is_dir()
    except OSError as e:
        shown = str(path) if len(str(path)) <= 80 else f"{str(path)[:60]}... ({len(str(path)):,} characters)"
        raise RunFailed(f"{key}: {shown} cannot be looked up ({e.strerror}); check the path") from None


def folders(data: DataSpec, fetch: bool = True) -> tuple[tuple[Path, str], tuple[Path, str] | None]:
    """(train folder, its key) and (val folder, its key), or None when there is no val folder."""
    if data.dataset == "imagenet":
        base = Path(data.root) / "imagenet"
        for part in ("train", "val"):
            if not is_folder(base / part, "data.root"):
                raise RunFailed(f"data.root: {base / part} is missing. " + IMAGENET_HELP.format(root=data.root))
        return (base / "train", "data.root"), (base / "val", "data.root")
    params = data.params
    train = Path(params["train_dir"]).expanduser()
    if params["url"] and not is_folder(train, "data.train_dir"):
        _fetch(data, train, fetch)
    val = (Path(params["val_dir"]).expanduser(), "data.val_dir") if params["val_dir"] else None
    return (train, "data.train_dir"), val


def _fetch(data: DataSpec, train: Path, fetch: bool) -> None:
    """Fetch and extract data.url into data.root; train_dir must then exist."""
    url = data.params["url"]
    if not fetch:
        raise RunFailed(f"data.train_dir: {train} is not there yet; `runner run` fetches {url} into {data.root}/ first")
    from runner.data.files.user_archive import describe, fetch_folder

    folder = fetch_folder(url, data.params["sha256"], data.root, data.download)
    if not is_folder(train, "data.train_dir"):
        raise RunFailed(
            f"data.train_dir: {train} is not a folder; {url} was extracted to {folder}/, so set {describe(folder)}"
        )


def split(program: Program, fetch: bool = True, stage: str = "val") -> tuple[Split, Program]:
    """The files of training and of `stage` ("val": the run's validation files, held out of train
    or its val folder; "test": the val folder itself), and the Program completed with the counted
    numbers; `fetch`: whether a missing train_dir may be fetched from data.url first."""
    data = program.data
    (train_root, train_key), val_at = folders(data, fetch)
    train = scan(train_root, train_key)
    pairs = list(zip(train.files, train.labels.tolist()))
    if val_at is None or (stage == "val" and data.val_fraction > 0):
        n_train, n_val = split_sizes(data, len(pairs), 0)
        order = np.random.default_rng(data.seed).permutation(len(pairs))
        files = Split(
            train.classes, [pairs[i] for i in order[:n_train]], [pairs[i] for i in order[n_train : n_train + n_val]]
        )
    else:
        val = scan(*val_at)
        unknown = sorted(set(val.classes) - set(train.classes))
        if unknown:
            raise RunFailed(
                f"{val_at[1]}: {val.root} has classes the training folder lacks: "
                f"{', '.join(unknown[:5])}; give both folders the same class subfolders"
            )
        index = {name: i for i, name in enumerate(train.classes)}
        files = Split(
            train.classes, pairs, [(f, index[val.classes[label]]) for f, label in zip(val.files, val.labels.tolist())]
        )
    model, batch = program.model, data.batch_size
    if not model.num_classes_auto and model.num_classes != len(train.classes):
        raise RunFailed(
            f"model.num_classes: {model.num_classes} disagrees with the {len(train.classes)} class folders "
            f"in {train.root}; set num_classes: auto"
        )
    if len(files.train) < batch:
        raise RunFailed(
            f"data.batch_size: {batch} is larger than the {len(files.train)} training images "
            f"in {train.root}; use at most {len(files.train)}"
        )
    return files, with_counts(program, len(train.classes), len(files.train), len(files.val))
