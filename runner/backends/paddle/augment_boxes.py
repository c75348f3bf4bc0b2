"""Random boxes drawn per image on the device: the sampler shared by random_resized_crop,
random_erasing and cutmix, and random_erasing itself (the Paddle twin of
runner/backends/lightning/augment_boxes.py).

Draws follow torchvision.transforms.v2 (RandomResizedCrop, RandomErasing): up to ten tries of an
area fraction and a log-uniform aspect ratio, the first that fits is kept; here all ten tries of
every image are drawn at once and the first fitting one is picked with argmax. Every draw comes
from paddle's global generator, so paddle.seed makes a run repeatable.
"""

import math

import paddle

from runner.data.steps.maths import ERASING_RATIO


def randint_below(high: paddle.Tensor) -> paddle.Tensor:
    """One int64 in [0, high) per element of `high` (a tensor of exclusive upper bounds)."""
    high = high.astype("int64")
    drawn = (paddle.rand(high.shape) * high.astype("float32")).astype("int64")
    return paddle.minimum(drawn, high - 1)


def sample_boxes(n: int, h: int, w: int, scale, ratio, inside: bool = False, tries: int = 10):
    """Per image (top, left, height, width, found), int64 except found (bool), of a box whose area
    is a uniform fraction in `scale` of h * w and whose aspect ratio (width / height) is
    log-uniform in `ratio`: the first of `tries` draws that fits, as torchvision draws one.
    `inside`: the box must be strictly smaller than the image (RandomErasing's rule).
    Rows with found == False hold a fitting but meaningless box; callers replace them."""
    area = paddle.uniform([n, tries], min=scale[0], max=scale[1]) * (h * w)
    aspect = paddle.exp(paddle.uniform([n, tries], min=math.log(ratio[0]), max=math.log(ratio[1])))
    bw, bh = paddle.round(paddle.sqrt(area * aspect)), paddle.round(paddle.sqrt(area / aspect))
    if inside:
        fits = (bh < h) & (bw < w)
    else:
        fits = (bw > 0) & (bw <= w) & (bh > 0) & (bh <= h)
    first = paddle.argmax(fits.astype("float32"), axis=1, keepdim=True)  # first fitting draw (0 if none)
    bh = paddle.clip(paddle.take_along_axis(bh, first, axis=1)[:, 0], 0, h).astype("int64")
    bw = paddle.clip(paddle.take_along_axis(bw, first, axis=1)[:, 0], 0, w).astype("int64")
    return randint_below(h - bh + 1), randint_below(w - bw + 1), bh, bw, fits.any(axis=1)


def box_mask(top, left, bh, bw, h: int, w: int) -> paddle.Tensor:
    """(N, 1, h, w) bool mask, True inside each image's box."""
    rows = paddle.arange(h, dtype="int64")
    cols = paddle.arange(w, dtype="int64")
    in_rows = (rows >= top[:, None]) & (rows < (top + bh)[:, None])
    in_cols = (cols >= left[:, None]) & (cols < (left + bw)[:, None])
    return (in_rows[:, :, None] & in_cols[:, None, :])[:, None]


class RandomErasing:
    """With probability p, zero a box of each image (0 is the mean once normalised), its area a
    fraction in `scale` and its aspect ratio in torchvision's default (0.3, 3.3); an image where
    no draw fits stays as it is, as in v2.RandomErasing."""

    RATIO = ERASING_RATIO

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33)):
        self.p, self.scale = p, tuple(scale)

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        n, _, h, w = x.shape
        top, left, bh, bw, found = sample_boxes(n, h, w, self.scale, self.RATIO, inside=True)
        erase = found & (paddle.rand([n]) < self.p)
        mask = box_mask(top, left, bh, bw, h, w) & erase[:, None, None, None]
        return paddle.where(mask, paddle.zeros([], x.dtype), x)
