"""Batched pixel-value steps on float (N, C, H, W) batches in [0, 1]: color_jitter, grayscale and
normalize. Each image draws its own factors; formulas follow torchvision.transforms.v2.functional
(adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue, rgb_to_grayscale)."""

import torch

from runner.data.steps.maths import LUMA, jitter_ranges


def grey(x: torch.Tensor) -> torch.Tensor:
    """(N, 1, H, W) luma of RGB images (the first three channels); a 1-channel image is its own."""
    if x.shape[1] < 3:
        return x.mean(1, keepdim=True)
    r, g, b = x[:, :3].unbind(1)
    return (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b)[:, None]


def rgb_to_hsv(x: torch.Tensor) -> torch.Tensor:
    r, g, b = x.unbind(1)
    v, _ = x.max(1)
    chroma = v - x.min(1)[0]
    safe = torch.where(chroma > 0, chroma, torch.ones_like(chroma))
    h = torch.where(v == r, (g - b) / safe, torch.where(v == g, (b - r) / safe + 2, (r - g) / safe + 4))
    h = (h / 6).remainder(1.0) * (chroma > 0)
    s = chroma / torch.where(v > 0, v, torch.ones_like(v))
    return torch.stack([h, s, v], 1)


def hsv_to_rgb(hsv: torch.Tensor) -> torch.Tensor:
    h, s, v = hsv[:, 0:1], hsv[:, 1:2], hsv[:, 2:3]
    # channel c = v - v s clamp(min(k, 4 - k), 0, 1), k = (n + 6 h) mod 6 with n = 5, 3, 1 for R, G, B
    n = torch.tensor([5.0, 3.0, 1.0], device=hsv.device, dtype=hsv.dtype).view(1, 3, 1, 1)
    k = (n + 6 * h).remainder(6)
    return v - v * s * torch.minimum(k, 4 - k).clamp(0, 1)


def adjust_hue(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Turn each RGB image's hue by shift[i] of the colour wheel (v2's adjust_hue, batched)."""
    hsv = rgb_to_hsv(x[:, :3])
    h = (hsv[:, 0] + shift[:, None, None]).remainder(1.0)
    rgb = hsv_to_rgb(torch.stack([h, hsv[:, 1], hsv[:, 2]], 1))
    return torch.cat([rgb, x[:, 3:]], 1)


class ColorJitter:
    """Brightness, contrast and saturation factors uniform in [max(0, 1 - f), 1 + f] and a hue
    shift uniform in [-hue, hue], per image, applied in a random order per image (as v2.ColorJitter).

    Brightness, contrast and saturation are each a blend clamp(f x + (1 - f) base) with base 0, the
    image's mean luma, or the pixel's luma, so one pass per position in the order applies each
    image's own operation at once; hue needs an HSV round trip and is selected where drawn."""

    def __init__(self, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0):
        self.active = jitter_ranges(brightness, contrast, saturation, hue)  # kind 3 is hue

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if not self.active:
            return x
        n, c = x.shape[:2]
        dev = x.device
        kinds = torch.tensor([kind for kind, _ in self.active], device=dev)
        factors = torch.stack([torch.empty(n, device=dev).uniform_(*r) for _, r in self.active], 1)
        order = torch.rand(n, len(self.active), device=dev).argsort(1)
        with_hue = c >= 3 and self.active[-1][0] == 3  # v2 leaves 1-channel images' hue alone
        for position in order.unbind(1):
            kind, f = kinds[position], factors.gather(1, position[:, None])[:, 0]
            x = blend(x, kind, f)
            if with_hue:
                hue = kind == 3
                x = torch.where(hue[:, None, None, None], adjust_hue(x, torch.where(hue, f, 0.0)), x)
        return x


def blend(x: torch.Tensor, kind: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """Image i's brightness (kind 0), contrast (1) or saturation (2) times f[i]; kind 3 (hue)
    passes through."""
    luma = grey(x)
    base = torch.where((kind == 1)[:, None, None, None], luma.mean((2, 3), keepdim=True), luma)
    base = base * (kind != 0)[:, None, None, None]
    keep = (kind == 3) | ((kind == 2) & (x.shape[1] < 3))  # no saturation without colour
    f = torch.where(keep, 1.0, f)[:, None, None, None]
    return (f * x + (1 - f) * base).clamp_(0, 1)


class Grayscale:
    """With probability p, each channel becomes the image's luma (channel count kept)."""

    def __init__(self, p: float = 1.0):
        self.p = p

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] == 1:
            return x
        pick = torch.rand(x.shape[0], device=x.device) < self.p
        return torch.where(pick[:, None, None, None], grey(x).expand_as(x), x)


class Normalize:
    """(x - mean) / std per channel, x already in [0, 1]."""

    def __init__(self, mean, std):
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.mean.device != x.device:
            self.mean, self.std = self.mean.to(x.device), self.std.to(x.device)
        return (x - self.mean) / self.std
