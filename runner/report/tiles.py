"""Many small pictures as one: each image (or feature map, or filter) scaled to a tile, heat maps
and single-channel maps coloured with a matplotlib colormap, the tiles laid out in a mosaic with
room above each for a title. One picture draws in a fraction of the time of one axes per tile."""

import matplotlib
import numpy as np
from PIL import Image

TILE = 96  # pixels per tile side
GAP = 6
TITLE = 14  # pixels above each tile for its title, when tiles have titles


def tile(image: np.ndarray, size: int = TILE) -> np.ndarray:
    """uint8 (H, W, C) with C 1 or 3 -> float (size, size, 3) in [0, 1]; small images keep their
    pixels sharp (nearest), large ones are smoothed."""
    image = np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image
    smooth = Image.BILINEAR if min(image.shape[:2]) >= size else Image.NEAREST
    return np.asarray(Image.fromarray(image).resize((size, size), smooth), dtype=np.float32) / 255


def coloured(values: np.ndarray, cmap: str, size: int = TILE, smooth: bool = False) -> np.ndarray:
    """A 2-D map -> float (size, size, 3): scaled to its own range, then coloured."""
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    resample = Image.BILINEAR if smooth else Image.NEAREST
    scaled = np.asarray(Image.fromarray(scaled.astype(np.float32), mode="F").resize((size, size), resample))
    return matplotlib.colormaps[cmap](np.clip(scaled, 0, 1))[..., :3].astype(np.float32)


def overlaid(image: np.ndarray, heat: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """An image's tile with a heat map in [0, 1] laid over it in the jet colormap."""
    return (1 - alpha) * tile(image) + alpha * coloured(heat, "jet", smooth=True)


def mosaic(tiles: list[np.ndarray], columns: int, titled: bool) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The tiles in rows of `columns` on white; the (x, y) pixel of each tile's top-left corner."""
    side = tiles[0].shape[0]
    columns = max(1, min(columns, len(tiles)))
    rows = -(-len(tiles) // columns)
    above = TITLE if titled else 0
    height, width = rows * (side + above + GAP), columns * (side + GAP)
    canvas = np.ones((height, width, 3), dtype=np.float32)
    corners = []
    for i, t in enumerate(tiles):
        x, y = (i % columns) * (side + GAP), (i // columns) * (side + above + GAP) + above
        canvas[y : y + side, x : x + side] = t
        corners.append((x, y))
    return canvas, corners
