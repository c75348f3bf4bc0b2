"""An annotated image, whichever file format described it (a COCO file, a mask folder), and the
decoding of its files: the image's pixels, its size from the header alone, and its per-pixel
class mask. Decoding happens when a sample is loaded, in a data loader's worker.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from runner.data.rle import segment_mask


@dataclass(frozen=True)
class Sample:
    """One image and its K annotations, in the file's order."""

    file: str  # absolute path of the image
    image_id: int
    height: int
    width: int
    boxes: np.ndarray  # (K, 4) float32 x0, y0, x1, y1 in pixels, inside the image
    labels: np.ndarray  # (K,) int64 class index 0..C-1
    crowd: np.ndarray  # (K,) bool: COCO's iscrowd (a region of many objects), VOC's difficult: no target
    segments: tuple = ()  # K raw COCO segmentations (polygon lists or RLE dicts); [] where absent
    mask_file: str | None = None  # a mask folder's PNG of class indices (runner.data.mask_folder)


def image_size(path: str) -> tuple[int, int]:
    """(width, height) from the file's header, without decoding it; FileNotFoundError when it is
    missing, ValueError when it is not an image PIL can read."""
    try:
        with Image.open(path) as image:
            return image.size
    except FileNotFoundError:
        raise
    except Exception as e:  # PIL's many readers raise many kinds
        raise ValueError(f"cannot read image {path}: {e}") from None


def load_image(path: str) -> np.ndarray:
    """uint8 (H, W, 3) RGB; ValueError("cannot decode image PATH: ...") for a corrupt file."""
    try:
        with Image.open(path) as image:
            return np.array(image.convert("RGB"))
    except FileNotFoundError:
        raise
    except Exception as e:  # truncated data surfaces only here, when the pixels are decoded
        raise ValueError(f"cannot decode image {path}: {e}") from None


def load_mask(path: str) -> np.ndarray:
    """uint8 (H, W) class indices of a mask PNG: a palette image's indices (not its colours), a
    greyscale image's values, 0 and 1 for a 1-bit image; ValueError for colours or anything else."""
    try:
        with Image.open(path) as image:
            mode = image.mode
            pixels = np.array(image, np.uint8) if mode in ("P", "L", "1") else None
    except FileNotFoundError:
        raise
    except Exception as e:
        raise ValueError(f"cannot decode mask {path}: {e}") from None
    if mode in ("RGB", "RGBA"):
        raise ValueError(
            f"mask {path} holds colours (mode {mode}); save each pixel's class index instead, "
            "as a palette (P) or greyscale (L) PNG"
        )
    if pixels is None:
        raise ValueError(f"mask {path} has mode {mode}; save class indices as a palette (P) or greyscale (L) PNG")
    return pixels


def semantic_mask(sample: Sample, ignore_index: int) -> np.ndarray:
    """uint8 (H, W): 0 background, 1 + class index where an annotation covers a pixel, ignore_index
    over crowd regions, later annotations painted over earlier ones; an annotation without a
    segmentation marks no pixels. A mask folder's sample: its PNG's class indices, as stored."""
    if sample.mask_file is not None:
        return load_mask(sample.mask_file)
    out = np.zeros((sample.height, sample.width), np.uint8)
    for segment, label, crowd in zip(sample.segments, sample.labels.tolist(), sample.crowd.tolist()):
        if segment:
            out[segment_mask(segment, sample.height, sample.width)] = ignore_index if crowd else label + 1
    return out
