"""Random boxes drawn per image on the device: the sampler shared by random_resized_crop,
random_erasing and cutmix, and random_erasing itself.

Draws follow torchvision.transforms.v2 (RandomResizedCrop, RandomErasing): up to ten tries of an
area fraction and a log-uniform aspect ratio, the first that fits is kept; here all ten tries of
every image are drawn at once and the first fitting one is picked with argmax.
"""

import math

import torch

from runner.data.steps.maths import ERASING_RATIO


def randint_below(high: torch.Tensor) -> torch.Tensor:
    """One integer in [0, high) per element of `high` (a tensor of exclusive upper bounds)."""
    return (torch.rand(high.shape, device=high.device) * high).long().clamp_(max=high - 1)


def sample_boxes(n: int, h: int, w: int, scale, ratio, device, inside: bool = False, tries: int = 10):
    """Per image (top, left, height, width, found) of a box whose area is a uniform fraction in
    `scale` of h * w and whose aspect ratio (width / height) is log-uniform in `ratio`: the first of
    `tries` draws that fits, as torchvision's RandomResizedCrop and RandomErasing draw one.
    `inside`: the box must be strictly smaller than the image (RandomErasing's rule).
    Rows with found == False hold a fitting but meaningless box; callers replace them."""
    area = torch.empty(n, tries, device=device).uniform_(*scale) * (h * w)
    aspect = torch.empty(n, tries, device=device).uniform_(math.log(ratio[0]), math.log(ratio[1])).exp_()
    bw, bh = (area * aspect).sqrt_().round_(), (area / aspect).sqrt_().round_()
    if inside:
        fits = (bh < h) & (bw < w)
    else:
        fits = (bw > 0) & (bw <= w) & (bh > 0) & (bh <= h)
    first = fits.float().argmax(1, keepdim=True)  # index of the first fitting draw (0 if none)
    bh = bh.gather(1, first)[:, 0].long().clamp_(0, h)
    bw = bw.gather(1, first)[:, 0].long().clamp_(0, w)
    return randint_below(h - bh + 1), randint_below(w - bw + 1), bh, bw, fits.any(1)


def box_mask(top, left, bh, bw, h: int, w: int) -> torch.Tensor:
    """(N, 1, h, w) bool mask, True inside each image's box."""
    rows = torch.arange(h, device=top.device)
    cols = torch.arange(w, device=top.device)
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

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        top, left, bh, bw, found = sample_boxes(n, h, w, self.scale, self.RATIO, x.device, inside=True)
        erase = found & (torch.rand(n, device=x.device) < self.p)
        return x.masked_fill(box_mask(top, left, bh, bw, h, w) & erase[:, None, None, None], 0.0)
