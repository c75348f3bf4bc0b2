"""Pixel-value steps on one uint8 (C, H, W) numpy image, for the DataLoader workers of file-backed
datasets: color_jitter, grayscale and random_erasing, with the formulas of the backends' batched
steps (maths.py holds what they share). Values are computed in float [0, 1] and rounded back to
uint8 once per step; draws come from Python's `random` (see geometry.py).
"""

import random

import numpy as np

from runner.data.steps.geometry import draw_box
from runner.data.steps.maths import ERASING_RATIO, LUMA, jitter_ranges


def to_uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 255), 0, 255).astype(np.uint8)


def grey(x: np.ndarray) -> np.ndarray:
    """(1, H, W) luma of a float RGB image (its first three channels); 1 channel is its own."""
    if x.shape[0] < 3:
        return x.mean(0, keepdims=True)
    return (LUMA[0] * x[0] + LUMA[1] * x[1] + LUMA[2] * x[2])[None]


def adjust_hue(x: np.ndarray, shift: float) -> np.ndarray:
    """Turn a float RGB image's hue by `shift` of the colour wheel (augment_colour.adjust_hue)."""
    r, g, b = x[:3]
    v, chroma = x[:3].max(0), x[:3].max(0) - x[:3].min(0)
    safe = np.where(chroma > 0, chroma, 1)
    h = np.where(v == r, (g - b) / safe, np.where(v == g, (b - r) / safe + 2, (r - g) / safe + 4))
    h = (np.remainder(h / 6, 1.0) * (chroma > 0) + shift) % 1.0
    s = chroma / np.where(v > 0, v, 1)
    k = np.remainder(np.array([5.0, 3.0, 1.0], np.float32)[:, None, None] + 6 * h, 6)
    rgb = v - v * s * np.clip(np.minimum(k, 4 - k), 0, 1)
    return np.concatenate([rgb.astype(x.dtype), x[3:]])


def adjust(x: np.ndarray, kind: int, f: float) -> np.ndarray:
    """Brightness (kind 0), contrast (1), saturation (2) times f, or hue (3) turned by f."""
    colour = x.shape[0] >= 3
    if kind == 3:
        return adjust_hue(x, f) if colour else x
    if kind == 2 and not colour:
        return x
    base = 0.0 if kind == 0 else grey(x).mean() if kind == 1 else grey(x)
    return np.clip(f * x + (1 - f) * base, 0, 1).astype(x.dtype)


class ColorJitter:
    def __init__(self, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0):
        self.active = jitter_ranges(brightness, contrast, saturation, hue)  # kind 3 is hue

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if not self.active:
            return x
        f = x.astype(np.float32) / 255
        for kind, (lo, hi) in random.sample(self.active, len(self.active)):  # a random order
            f = adjust(f, kind, random.uniform(lo, hi))
        return to_uint8(f)


class Grayscale:
    def __init__(self, p: float = 1.0):
        self.p = p

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0] == 1 or random.random() >= self.p:
            return x
        luma = to_uint8(grey(x.astype(np.float32) / 255))
        return np.repeat(luma, x.shape[0], 0)


class RandomErasing:
    def __init__(self, p: float = 0.5, scale=(0.02, 0.33)):
        self.p, self.scale = p, tuple(scale)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if random.random() >= self.p:
            return x
        box = draw_box(*x.shape[1:], self.scale, ERASING_RATIO, inside=True)
        if box is None:
            return x
        top, left, bh, bw = box
        x = x.copy()
        x[:, top : top + bh, left : left + bw] = 0
        return x
