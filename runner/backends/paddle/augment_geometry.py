"""Batched geometric steps on float (N, C, H, W) paddle batches: resize, crops, flips and rotation
(the Paddle twin of runner/backends/lightning/augment_geometry.py).

Every image draws its own crop box, flip or angle from paddle's global generator; no step loops
over the batch. Meanings follow torchvision.transforms.v2 as the Lightning steps do; the
file-backed path runs the same steps image by image (runner/data/steps/per_image.py).
"""

import math

import paddle
import paddle.nn.functional as F
from paddle.vision.ops import roi_align

from runner.backends.paddle.augment_boxes import sample_boxes
from runner.data.steps.maths import centre_offsets, fallback_box, resized_shape


class Resize:
    """Shorter side to `size`, keeping the aspect ratio (v2.Resize(size), antialiased bilinear)."""

    def __init__(self, size: int):
        self.size = size

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        h, w = x.shape[-2:]
        out = resized_shape(h, w, self.size)
        if out == (h, w):
            return x
        return F.interpolate(x, size=list(out), mode="bilinear", antialias=True, align_corners=False)


class CenterCrop:
    """The central size x size square; zero-padded first where the image is smaller (as v2)."""

    def __init__(self, size: int):
        self.size = size

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        s = self.size
        pad, top, left = centre_offsets(*x.shape[-2:], s)
        if any(pad):
            x = F.pad(x, pad)  # NCHW: [left, right, top, bottom]
        return x[:, :, top : top + s, left : left + s]


class RandomCrop:
    """A random size x size window per image, after zero-padding each side by `padding`."""

    def __init__(self, size: int, padding: int = 0):
        self.size, self.padding = size, padding

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        if self.padding:
            x = F.pad(x, [self.padding] * 4)
        n, c, h, w = x.shape
        if self.size > h or self.size > w:
            raise ValueError(f"random_crop: size {self.size} is larger than the {h}x{w} padded images")
        top = paddle.randint(0, h - self.size + 1, [n], dtype="int64")
        left = paddle.randint(0, w - self.size + 1, [n], dtype="int64")
        return crop_windows(x, top, left, self.size)


def crop_windows(x: paddle.Tensor, top: paddle.Tensor, left: paddle.Tensor, size: int) -> paddle.Tensor:
    """Image i's size x size window at (top[i], left[i]), as one gather over the flattened batch."""
    n, c, h, w = x.shape
    span = paddle.arange(size, dtype="int64")
    offsets = (span[:, None] * w + span[None, :]).flatten()  # (size * size,)
    image = paddle.arange(n * c, dtype="int64").reshape([n, c, 1]) * (h * w)
    index = image + (top * w + left).reshape([n, 1, 1]) + offsets
    return paddle.gather(x.flatten(), index.flatten()).reshape([n, c, size, size])


class RandomResizedCrop:
    """A random area and aspect ratio per image, resized to size x size with roi_align (bilinear,
    averaging ceil(box / size) samples per output pixel, which antialiases downscaling)."""

    def __init__(self, size: int, scale=(0.08, 1.0), ratio=(0.75, 4 / 3)):
        self.size, self.scale, self.ratio = size, tuple(scale), tuple(ratio)

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        n, _, h, w = x.shape
        top, left, bh, bw, found = sample_boxes(n, h, w, self.scale, self.ratio)
        fh, fw = fallback_box(h, w, self.ratio)
        top = paddle.where(found, top, paddle.full_like(top, (h - fh) // 2))
        left = paddle.where(found, left, paddle.full_like(left, (w - fw) // 2))
        bh = paddle.where(found, bh, paddle.full_like(bh, fh))
        bw = paddle.where(found, bw, paddle.full_like(bw, fw))
        return resized_crop(x, top, left, bh, bw, self.size)


def resized_crop(x, top, left, bh, bw, size: int) -> paddle.Tensor:
    """Image i's box (top[i], left[i], bh[i], bw[i]) resized to size x size."""
    boxes = paddle.stack([left, top, left + bw, top + bh], 1).astype(x.dtype)
    per_image = paddle.ones([x.shape[0]], dtype="int32")  # one box per image, in order
    # aligned=True: box edges are pixel edges, so pixel j's centre sits at j + 0.5
    return roi_align(x, boxes, per_image, size, spatial_scale=1.0, sampling_ratio=-1, aligned=True)


class Flip:
    """Reverse axis `axis` (3: left-right, 2: top-bottom) of each image with probability p."""

    def __init__(self, axis: int, p: float = 0.5):
        if axis not in (2, 3):
            raise ValueError(f"flip: axis {axis} is neither 2 (top-bottom) nor 3 (left-right)")
        self.axis, self.p = axis, p

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        flip = paddle.rand([x.shape[0]]) < self.p
        # a reversed slice: about 2.5x faster than paddle.flip on CPU, the same values
        flipped = x[:, :, :, ::-1] if self.axis == 3 else x[:, :, ::-1]
        return paddle.where(flip[:, None, None, None], flipped, x)


class Rotation:
    """A uniform angle in [-degrees, degrees] per image, about the centre, bilinear, zero fill."""

    def __init__(self, degrees: float):
        self.degrees = degrees

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        angles = paddle.uniform([x.shape[0]], min=-self.degrees, max=self.degrees)
        return rotate(x, angles)


def rotate(x: paddle.Tensor, degrees: paddle.Tensor) -> paddle.Tensor:
    """Rotate image i counter-clockwise by degrees[i], like torchvision's rotate."""
    h, w = x.shape[-2:]
    a = degrees.astype(x.dtype) * (math.pi / 180)
    cos, sin = paddle.cos(a), paddle.sin(a)
    zero = paddle.zeros_like(a)
    # Output -> input map in grid units ([-1, 1] across each side), so non-square images rotate
    # rigidly: pixel offsets are (x * w / 2, y * h / 2), rotated, then scaled back.
    theta = paddle.stack([paddle.stack([cos, -sin * h / w, zero], 1), paddle.stack([sin * w / h, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
