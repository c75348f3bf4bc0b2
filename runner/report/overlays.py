"""Boxes and class masks drawn onto an image's tile, in plain NumPy, for the report's detection and
segmentation samples: one fixed colour per class (the same in the pictures, the bars and the
legend), box outlines a few pixels wide, masks blended over the pixels they cover."""

import matplotlib
import numpy as np
from PIL import Image

from runner.catalog.tasks import IGNORE_INDEX

ALPHA = 0.6  # a mask's colour over the image, the rest the image's: the shapes beneath still show
BACKGROUND = (0.6, 0.6, 0.6)  # segmentation's class 0, in the bars only: it is never painted


def colours(n: int) -> np.ndarray:
    """float (n, 3) in [0, 1]: matplotlib's tab10 for up to 10 classes, tab20 up to 20, then evenly
    spaced hues."""
    if n <= 10:
        return np.asarray(matplotlib.colormaps["tab10"].colors[:n], dtype=np.float32).reshape(-1, 3)
    if n <= 20:
        return np.asarray(matplotlib.colormaps["tab20"].colors[:n], dtype=np.float32)
    return matplotlib.colormaps["hsv"](np.arange(n) / n)[:, :3].astype(np.float32)


def boxes(image: np.ndarray, found: np.ndarray, colour: np.ndarray, width: int = 2) -> np.ndarray:
    """A copy of float (H, W, 3) `image` with each of `found` (K, 4: x0, y0, x1, y1 in the image's
    pixels, x1 and y1 just past the box) outlined in its colour (K, 3): the `width` outermost
    rows and columns of pixels inside each box, clipped to the image."""
    out = image.copy()
    height, width_px = image.shape[:2]
    for (x0, y0, x1, y1), c in zip(np.asarray(found, dtype=np.float64).reshape(-1, 4), colour):
        left, top = max(int(round(x0)), 0), max(int(round(y0)), 0)
        right, bottom = min(int(round(x1)), width_px), min(int(round(y1)), height)
        if right <= left or bottom <= top:
            continue
        w = min(width, right - left, bottom - top)
        out[top : top + w, left:right] = c
        out[bottom - w : bottom, left:right] = c
        out[top:bottom, left : left + w] = c
        out[top:bottom, right - w : right] = c
    return out


def mask(image: np.ndarray, classes: np.ndarray, palette: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """A copy of float (H, W, 3) `image` with every pixel of class 1 or more in `classes` (H, W)
    blended with its class's colour (`palette` (classes, 3)), and in that colour alone where the
    class meets another (its outline reads whatever the image's own colours); the background (0)
    and ignored pixels stay as they were."""
    painted = (classes > 0) & (classes != IGNORE_INDEX) & (classes < len(palette))
    out = image.copy()
    out[painted] = (1 - alpha) * image[painted] + alpha * palette[classes[painted]]
    padded = np.pad(classes, 1, mode="edge")
    centre = padded[1:-1, 1:-1]
    edge = (padded[:-2, 1:-1] != centre) | (padded[2:, 1:-1] != centre)
    edge |= (padded[1:-1, :-2] != centre) | (padded[1:-1, 2:] != centre)
    outline = painted & edge
    out[outline] = palette[classes[outline]]
    return out


def resized(classes: np.ndarray, size: int) -> np.ndarray:
    """A class mask (H, W) at (size, size), by nearest neighbour: no class is invented at the edges."""
    return np.asarray(
        Image.fromarray(
            classes.astype(np.int32),
        ).resize((size, size), Image.NEAREST)
    )


def scaled(found: np.ndarray, shape: tuple[int, ...], size: int) -> np.ndarray:
    """Boxes in the pixels of an image of `shape` (H, W, ...) -> in the pixels of its (size, size) tile."""
    height, width = shape[:2]
    across, down = size / width, size / height
    return np.asarray(found, dtype=np.float64).reshape(-1, 4) * [across, down, across, down]
