"""Batched pixel-value steps on float (N, C, H, W) paddle batches in [0, 1]: color_jitter,
grayscale and normalize (the Paddle twin of runner/backends/lightning/augment_colour.py). Each image draws
its own factors; formulas follow torchvision.transforms.v2.functional (adjust_brightness,
adjust_contrast, adjust_saturation, adjust_hue, rgb_to_grayscale)."""

import paddle

from runner.data.steps.maths import LUMA, jitter_ranges


def per_image(v: paddle.Tensor) -> paddle.Tensor:
    """(N,) -> (N, 1, 1, 1), to broadcast one value per image."""
    return v.reshape([-1, 1, 1, 1])


def grey(x: paddle.Tensor) -> paddle.Tensor:
    """(N, 1, H, W) luma of RGB images (the first three channels); a 1-channel image is its own."""
    if x.shape[1] < 3:
        return x.mean(1, keepdim=True)
    return (LUMA[0] * x[:, 0] + LUMA[1] * x[:, 1] + LUMA[2] * x[:, 2])[:, None]


def rgb_to_hsv(x: paddle.Tensor) -> paddle.Tensor:
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    v = x.max(1)
    chroma = v - x.min(1)
    safe = paddle.where(chroma > 0, chroma, paddle.ones_like(chroma))
    h = paddle.where(v == r, (g - b) / safe, paddle.where(v == g, (b - r) / safe + 2, (r - g) / safe + 4))
    h = paddle.remainder(h / 6, paddle.ones_like(h)) * (chroma > 0).astype(x.dtype)
    s = chroma / paddle.where(v > 0, v, paddle.ones_like(v))
    return paddle.stack([h, s, v], 1)


def hsv_to_rgb(hsv: paddle.Tensor) -> paddle.Tensor:
    h, s, v = hsv[:, 0:1], hsv[:, 1:2], hsv[:, 2:3]
    # channel c = v - v s clamp(min(k, 4 - k), 0, 1), k = (n + 6 h) mod 6 with n = 5, 3, 1 for R, G, B
    n = paddle.to_tensor([5.0, 3.0, 1.0], dtype=hsv.dtype, place=hsv.place).reshape([1, 3, 1, 1])
    k = paddle.remainder(n + 6 * h, paddle.full([], 6.0, hsv.dtype))
    return v - v * s * paddle.clip(paddle.minimum(k, 4 - k), 0, 1)


def adjust_hue(x: paddle.Tensor, shift: paddle.Tensor) -> paddle.Tensor:
    """Turn each RGB image's hue by shift[i] of the colour wheel (v2's adjust_hue, batched)."""
    hsv = rgb_to_hsv(x[:, :3])
    h = hsv[:, 0] + shift.reshape([-1, 1, 1])
    h = paddle.remainder(h, paddle.ones_like(h))
    rgb = hsv_to_rgb(paddle.stack([h, hsv[:, 1], hsv[:, 2]], 1))
    return paddle.concat([rgb, x[:, 3:]], 1)


class ColorJitter:
    """Brightness, contrast and saturation factors uniform in [max(0, 1 - f), 1 + f] and a hue
    shift uniform in [-hue, hue], per image, applied in a random order per image (as v2.ColorJitter).

    Brightness, contrast and saturation are each a blend clamp(f x + (1 - f) base) with base 0, the
    image's mean luma, or the pixel's luma, so one pass per position in the order applies each
    image's own operation at once; hue needs an HSV round trip and is selected where drawn."""

    def __init__(self, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0):
        self.active = jitter_ranges(brightness, contrast, saturation, hue)  # kind 3 is hue

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        if not self.active:
            return x
        n, c = x.shape[:2]
        kinds = paddle.to_tensor([kind for kind, _ in self.active], dtype="int64", place=x.place)
        factors = paddle.stack([paddle.uniform([n], min=lo, max=hi) for _, (lo, hi) in self.active], 1)
        order = paddle.argsort(paddle.rand([n, len(self.active)]), axis=1)
        with_hue = c >= 3 and self.active[-1][0] == 3  # v2 leaves 1-channel images' hue alone
        for i in range(len(self.active)):
            position = order[:, i]
            kind = paddle.gather(kinds, position)
            f = paddle.take_along_axis(factors, position[:, None], axis=1)[:, 0]
            x = blend(x, kind, f)
            if with_hue:
                hue = kind == 3
                shifted = adjust_hue(x, paddle.where(hue, f, paddle.zeros_like(f)))
                x = paddle.where(per_image(hue), shifted, x)
        return x


def blend(x: paddle.Tensor, kind: paddle.Tensor, f: paddle.Tensor) -> paddle.Tensor:
    """Image i's brightness (kind 0), contrast (1) or saturation (2) times f[i]; kind 3 (hue)
    passes through."""
    luma = grey(x)
    base = paddle.where(per_image(kind == 1), luma.mean((2, 3), keepdim=True), luma)
    base = base * per_image(kind != 0).astype(x.dtype)
    keep = (kind == 3) | (kind == 2) if x.shape[1] < 3 else kind == 3  # no saturation without colour
    f = per_image(paddle.where(keep, paddle.ones_like(f), f))
    return paddle.clip(f * x + (1 - f) * base, 0, 1)


class Grayscale:
    """With probability p, each channel becomes the image's luma (channel count kept)."""

    def __init__(self, p: float = 1.0):
        self.p = p

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        if x.shape[1] == 1:
            return x
        pick = paddle.rand([x.shape[0]]) < self.p
        return paddle.where(per_image(pick), grey(x).expand(x.shape), x)


class Normalize:
    """(x - mean) / std per channel, x already in [0, 1]."""

    def __init__(self, mean, std):
        self.mean, self.std = [float(m) for m in mean], [float(s) for s in std]
        self._on = {}  # place -> (mean, std) tensors, made on first use there

    def __call__(self, x: paddle.Tensor) -> paddle.Tensor:
        key = str(x.place)
        if key not in self._on:
            self._on[key] = tuple(paddle.to_tensor(v, dtype="float32", place=x.place) for v in (self.mean, self.std))
        mean, std = self._on[key]
        # Channels last for the arithmetic: paddle's CPU kernels broadcast (C,) over the last axis
        # about 1.5x faster than (1, C, 1, 1) over NCHW; the values are the same.
        return ((x.transpose([0, 2, 3, 1]) - mean) / std).transpose([0, 3, 1, 2])
