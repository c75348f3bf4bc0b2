"""Batched geometric steps on float (N, C, H, W) batches: resize, crops, flips and rotation.

Every image draws its own crop box, flip or angle on the batch's device; no step loops over the
batch. Meanings and random draws follow torchvision.transforms.v2, which the file-backed path
runs image by image (runner/backends/lightning/sample_transforms.py).
"""

import torch
import torch.nn.functional as F
from torchvision.ops import roi_align

from runner.backends.lightning.augment_boxes import sample_boxes
from runner.data.steps.maths import centre_offsets, fallback_box, resized_shape


class Resize:
    """Shorter side to `size`, keeping the aspect ratio (v2.Resize(size), antialiased bilinear)."""

    def __init__(self, size: int):
        self.size = size

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        out = resized_shape(h, w, self.size)
        if out == (h, w):
            return x
        return F.interpolate(x, size=out, mode="bilinear", antialias=True, align_corners=False)


class CenterCrop:
    """The central size x size square; zero-padded first where the image is smaller (as v2)."""

    def __init__(self, size: int):
        self.size = size

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        s = self.size
        pad, top, left = centre_offsets(*x.shape[-2:], s)
        if any(pad):
            x = F.pad(x, pad)  # [left, right, top, bottom]
        return x[..., top : top + s, left : left + s]


class RandomCrop:
    """A random size x size window per image, after zero-padding each side by `padding`."""

    def __init__(self, size: int, padding: int = 0):
        self.size, self.padding = size, padding

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.padding:
            x = F.pad(x, [self.padding] * 4)
        n, c, h, w = x.shape
        if self.size > h or self.size > w:
            raise ValueError(f"random_crop: size {self.size} is larger than the {h}x{w} padded images")
        top = torch.randint(0, h - self.size + 1, (n,), device=x.device)
        left = torch.randint(0, w - self.size + 1, (n,), device=x.device)
        return crop_windows(x, top, left, self.size)


def crop_windows(x: torch.Tensor, top: torch.Tensor, left: torch.Tensor, size: int) -> torch.Tensor:
    """Image i's size x size window at (top[i], left[i]), as one gather over flattened pixels
    (several times faster than 4-D advanced indexing on CPU)."""
    n, c, h, w = x.shape
    span = torch.arange(size, device=x.device)
    offsets = (span[:, None] * w + span[None, :]).flatten()
    index = ((top * w + left)[:, None] + offsets).view(n, 1, size * size).expand(n, c, size * size)
    return x.reshape(n, c, h * w).gather(2, index).view(n, c, size, size)


class RandomResizedCrop:
    """A random area and aspect ratio per image, resized to size x size with roi_align (bilinear,
    averaging ceil(box / size) samples per output pixel, which antialiases downscaling)."""

    def __init__(self, size: int, scale=(0.08, 1.0), ratio=(0.75, 4 / 3)):
        self.size, self.scale, self.ratio = size, tuple(scale), tuple(ratio)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        top, left, bh, bw, found = sample_boxes(n, h, w, self.scale, self.ratio, x.device)
        fh, fw = fallback_box(h, w, self.ratio)
        top = torch.where(found, top, (h - fh) // 2)
        left = torch.where(found, left, (w - fw) // 2)
        bh, bw = torch.where(found, bh, fh), torch.where(found, bw, fw)
        return resized_crop(x, top, left, bh, bw, self.size)


def resized_crop(x, top, left, bh, bw, size: int) -> torch.Tensor:
    """Image i's box (top[i], left[i], bh[i], bw[i]) resized to size x size."""
    index = torch.arange(x.shape[0], device=x.device)
    boxes = torch.stack([index, left, top, left + bw, top + bh], 1).to(x.dtype)
    # aligned=True: box edges are pixel edges, so pixel j's centre sits at j + 0.5
    return roi_align(x, boxes, (size, size), spatial_scale=1.0, sampling_ratio=-1, aligned=True)


class Flip:
    """Reverse dimension `dim` (3: left-right, 2: top-bottom) of each image with probability p."""

    def __init__(self, dim: int, p: float = 0.5):
        self.dim, self.p = dim, p

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        flip = torch.rand(x.shape[0], device=x.device) < self.p
        return torch.where(flip[:, None, None, None], x.flip(self.dim), x)


class Rotation:
    """A uniform angle in [-degrees, degrees] per image, about the centre, bilinear, zero fill."""

    def __init__(self, degrees: float):
        self.degrees = degrees

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        angles = torch.empty(x.shape[0], device=x.device).uniform_(-self.degrees, self.degrees)
        return rotate(x, angles)


def rotate(x: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate image i counter-clockwise by degrees[i], like torchvision's rotate."""
    h, w = x.shape[-2:]
    a = torch.deg2rad(degrees.to(x.dtype))
    cos, sin = a.cos(), a.sin()
    zero = torch.zeros_like(a)
    # Output -> input map in grid units ([-1, 1] across each side), so non-square images rotate
    # rigidly: pixel offsets are (x * w / 2, y * h / 2), rotated, then scaled back.
    theta = torch.stack([torch.stack([cos, -sin * h / w, zero], 1), torch.stack([sin * w / h, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
