"""Geometric steps on one uint8 (C, H, W) numpy image, for the DataLoader workers of file-backed
datasets: resize, crops, flips and rotation, with the meanings of the batched steps in
the backends' augment_geometry.py.

Workers must not touch the accelerator, so these use numpy and PIL (whose antialiased bilinear
resize is the one torchvision's and paddle's `antialias=True` reproduce) and draw from Python's
`random`, which paddle's DataLoader seeds in each worker, as paddle.vision.transforms do. Every
step is a small class, so a composed transform pickles into the workers.
"""

import math
import random

import numpy as np
from PIL import Image

from runner.data.steps.maths import centre_offsets, fallback_box, resized_shape


def pil_resize(x: np.ndarray, height: int, width: int, box=None) -> np.ndarray:
    """Antialiased bilinear resize of `box` (left, top, right, bottom; default the whole image)."""
    planes = [x.transpose(1, 2, 0)] if x.shape[0] == 3 else list(x)  # RGB at once, else per channel
    out = [
        np.asarray(Image.fromarray(np.ascontiguousarray(p)).resize((width, height), Image.BILINEAR, box=box))
        for p in planes
    ]
    return out[0].transpose(2, 0, 1) if x.shape[0] == 3 else np.stack(out)


class Resize:
    def __init__(self, size: int):
        self.size = size

    def __call__(self, x: np.ndarray) -> np.ndarray:
        h, w = x.shape[1:]
        out = resized_shape(h, w, self.size)
        return x if out == (h, w) else pil_resize(x, *out)


class CenterCrop:
    def __init__(self, size: int):
        self.size = size

    def __call__(self, x: np.ndarray) -> np.ndarray:
        s = self.size
        (left, right, top_pad, bottom), top, start = centre_offsets(*x.shape[1:], s)
        x = np.pad(x, ((0, 0), (top_pad, bottom), (left, right)))
        return x[:, top : top + s, start : start + s]


class RandomCrop:
    def __init__(self, size: int, padding: int = 0):
        self.size, self.padding = size, padding

    def __call__(self, x: np.ndarray) -> np.ndarray:
        pad = self.padding
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad))) if pad else x
        h, w = x.shape[1:]
        if self.size > h or self.size > w:
            raise ValueError(f"random_crop: size {self.size} is larger than the {h}x{w} padded image")
        top, left = random.randint(0, h - self.size), random.randint(0, w - self.size)
        return x[:, top : top + self.size, left : left + self.size]


def draw_box(h: int, w: int, scale, ratio, inside: bool = False, tries: int = 10):
    """(top, left, height, width) of the first of `tries` boxes that fits, or None: the per-image
    form of augment_boxes.sample_boxes (area fraction uniform in `scale`, width / height
    log-uniform in `ratio`; `inside`: strictly smaller than the image)."""
    for _ in range(tries):
        area = random.uniform(*scale) * h * w
        aspect = math.exp(random.uniform(math.log(ratio[0]), math.log(ratio[1])))
        bw, bh = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
        fits = bh < h and bw < w if inside else 0 < bw <= w and 0 < bh <= h
        if fits:
            return random.randint(0, h - bh), random.randint(0, w - bw), bh, bw
    return None


class RandomResizedCrop:
    def __init__(self, size: int, scale=(0.08, 1.0), ratio=(0.75, 4 / 3)):
        self.size, self.scale, self.ratio = size, tuple(scale), tuple(ratio)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        h, w = x.shape[1:]
        box = draw_box(h, w, self.scale, self.ratio)
        if box is None:
            bh, bw = fallback_box(h, w, self.ratio)
            box = ((h - bh) // 2, (w - bw) // 2, bh, bw)
        top, left, bh, bw = box
        return pil_resize(x, self.size, self.size, box=(left, top, left + bw, top + bh))


class Flip:
    """Reverse axis `axis` (2: left-right, 1: top-bottom) of a (C, H, W) image with probability p."""

    def __init__(self, axis: int, p: float = 0.5):
        self.axis, self.p = axis, p

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.flip(x, self.axis) if random.random() < self.p else x


class Rotation:
    def __init__(self, degrees: float):
        self.degrees = degrees

    def __call__(self, x: np.ndarray) -> np.ndarray:
        turned = rotate(x.astype(np.float32), random.uniform(-self.degrees, self.degrees))
        return np.clip(np.rint(turned), 0, 255).astype(np.uint8)


def rotate(x: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate a float32 (C, H, W) image counter-clockwise about its centre, bilinear, zero fill:
    the sampling of augment_geometry.rotate (grid_sample, align_corners=False) in pixel units."""
    c, h, w = x.shape
    a = math.radians(degrees)
    cos, sin = np.float32(math.cos(a)), np.float32(math.sin(a))
    xo = np.arange(w, dtype=np.float32) + np.float32(0.5 - w / 2)  # pixel centres about the centre
    yo = np.arange(h, dtype=np.float32)[:, None] + np.float32(0.5 - h / 2)
    # source coordinates in the image padded by one zero pixel each side (hence + 0.5, not - 0.5),
    # so a neighbour outside the image reads a zero and none needs masking
    sx = cos * xo - sin * yo + np.float32(w / 2 + 0.5)
    sy = sin * xo + cos * yo + np.float32(h / 2 + 0.5)
    x0, y0 = np.floor(sx), np.floor(sy)
    fx, fy = sx - x0, sy - y0
    x0, x1 = (np.clip(v, 0, w + 1).astype(np.intp) for v in (x0, x0 + 1))
    y0, y1 = (np.clip(v, 0, h + 1).astype(np.intp) for v in (y0, y0 + 1))
    planes = np.pad(x, ((0, 0), (1, 1), (1, 1))).reshape(c, -1)

    def at(rows, cols):
        return planes[:, (rows * (w + 2) + cols).ravel()].reshape(c, h, w)

    top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx
    bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx
    return top * (1 - fy) + bottom * fy
