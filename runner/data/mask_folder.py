"""Semantic segmentation data as two folders: root/images/ and root/masks/, each image paired with
the mask PNG of the same name (nested folders too: images/a/x.jpg with masks/a/x.png). A mask
holds each pixel's class index: a palette (P) PNG's index is the class, whatever colour the
palette shows, and a greyscale (L) PNG's value is. Every mask is decoded once here, to check its
size and count the classes, so a bad pair stops the run before training.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.data.annotated import Sample, image_size, load_mask
from runner.data.bad_items import none_left, settle
from runner.data.imagefiles import EXTENSIONS, is_folder
from runner.recipe.errors import RunFailed

WORKERS = 8  # threads decoding masks: PIL's PNG decoder lets go of the GIL
LAYOUT = "it should hold images/ and masks/, one mask PNG of class indices per image, paired by name"


@dataclass(frozen=True)
class MaskSet:
    samples: tuple[Sample, ...]  # mask_file set; no boxes
    num_classes: int  # the largest class index in any kept mask, plus one; ignore_index not counted
    skipped: tuple[str, ...]  # one message per image left out (skip_bad)


def scan_masks(root: Path, ignore_index: int, key: str, skip_bad: bool) -> MaskSet:
    """Every image under root/images/ with its mask, in a stable order; any mask value other than
    ignore_index is a class index."""
    images_dir, masks_dir = root / "images", root / "masks"
    for folder in (root, images_dir, masks_dir):
        if not is_folder(folder, key):
            raise RunFailed(f"{key}: {folder} is not a folder; {root} {LAYOUT}")
    images, masks = _by_name(images_dir, EXTENSIONS), _by_name(masks_dir, (".png",))
    if not images:
        raise RunFailed(f"{key}: {images_dir} holds no images ({', '.join(EXTENSIONS[:4])}...); {root} {LAYOUT}")
    problems, pairs = [], []
    for name, found in images.items():
        if len(found) > 1:
            problems.append(f"{' and '.join(found)} share the name {name!r}, so one mask cannot pair with both")
        elif name not in masks:
            problems.append(f"{found[0]} has no mask {masks_dir / name}.png")
        else:
            pairs.append((found[0], masks[name][0]))
    with ThreadPoolExecutor(WORKERS) as pool:
        checked = list(pool.map(_check, pairs))
    problems += [problem for _, problem, _ in checked if problem]
    skipped = settle(problems, str(root), key, skip_bad)
    kept = [(pair, size, present) for pair, (size, problem, present) in zip(pairs, checked) if not problem]
    none_left(len(kept), skipped, "image and mask pairs", str(root), key)
    seen = np.zeros(256, bool)
    for _, _, present in kept:
        seen |= present
    if 0 <= ignore_index < 256:  # one an 8-bit mask cannot hold marks no pixel
        seen[ignore_index] = False
    num_classes = int(np.flatnonzero(seen)[-1]) + 1 if seen.any() else 0
    if num_classes < 2:
        raise RunFailed(
            f"{key}: the masks in {masks_dir} hold {'only class 0' if num_classes else 'no class index'} "
            f"(ignore_index {ignore_index} aside); a mask marks each pixel with its class, 0 to C-1: "
            "a black-and-white mask saved as 0 and 255 should hold 0 and 1"
        )
    samples = [_sample(n, image, mask, size) for n, ((image, mask), size, _) in enumerate(kept)]
    return MaskSet(tuple(samples), num_classes, skipped)


def _by_name(folder: Path, suffixes: tuple[str, ...]) -> dict[str, list[str]]:
    """Files under `folder` by their path inside it, less the suffix ('a/x'), sorted by that name."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in suffixes and path.is_file():
            found.setdefault(path.relative_to(folder).with_suffix("").as_posix(), []).append(str(path))
    return dict(sorted(found.items()))


def _check(pair: tuple[str, str]) -> tuple[tuple[int, int] | None, str | None, np.ndarray | None]:
    """(the image's width and height, a problem or None, which of the 256 values the mask holds)."""
    image, mask = pair
    try:
        size = image_size(image)
        pixels = load_mask(mask)
    except (OSError, ValueError) as e:
        return None, str(e), None
    if pixels.shape != (size[1], size[0]):
        shown = f"{pixels.shape[1]}x{pixels.shape[0]}"
        return None, f"mask {mask} is {shown} pixels but its image {image} is {size[0]}x{size[1]}", None
    return size, None, np.bincount(pixels.ravel(), minlength=256) > 0


def _sample(index: int, image: str, mask: str, size: tuple[int, int]) -> Sample:
    return Sample(
        os.path.abspath(image),
        index,
        size[1],
        size[0],
        np.zeros((0, 4), np.float32),
        np.zeros(0, np.int64),
        np.zeros(0, bool),
        (),
        os.path.abspath(mask),
    )
