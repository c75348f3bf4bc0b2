"""Segmentation masks as files: each image's class indices (one per pixel of the network's input,
after the model's resize and crop) as a greyscale PNG, pixel value = class index, under a folder
that mirrors where the images were."""

from pathlib import Path

import numpy as np
from PIL import Image


def mask_path(folder: Path, image: Path) -> Path:
    """Where the mask of `image` goes: its path below the working directory (or from the root)
    under `folder`, its whole name kept and .png added, so a.jpg and a.png never share a mask."""
    resolved = image.resolve()
    try:
        relative = resolved.relative_to(Path.cwd())
    except ValueError:
        relative = resolved.relative_to(resolved.anchor)
    return folder / relative.with_name(relative.name + ".png")


def write_mask(path: Path, labels: np.ndarray) -> None:
    """(H, W) class indices as an 8-bit PNG, or a 16-bit one for more than 256 classes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if labels.max(initial=0) < 256:
        Image.fromarray(labels.astype(np.uint8)).save(path)  # 2-D uint8: mode L
    else:
        Image.fromarray(labels.astype(np.uint16)).save(path)  # PIL stores uint16 as I;16
