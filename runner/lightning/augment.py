"""Augmentation pipelines applied to whole batches on the training device.

In-memory datasets arrive as uint8 (N, C, H, W) batches; each step here works on the batch at
once instead of image by image through PIL. The first step converts to float in [0, 1].
"""
import torch
import torch.nn.functional as F

from runner.program import Program


class RandomCrop:
    def __init__(self, size: int, padding: int = 0):
        self.size, self.padding = size, padding

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.padding:
            x = F.pad(x, [self.padding] * 4)
        n, _, h, w = x.shape
        top = torch.randint(0, h - self.size + 1, (n,), device=x.device)
        left = torch.randint(0, w - self.size + 1, (n,), device=x.device)
        rows = (top[:, None] + torch.arange(self.size, device=x.device))[:, None, :, None]
        cols = (left[:, None] + torch.arange(self.size, device=x.device))[:, None, None, :]
        batch = torch.arange(n, device=x.device)[:, None, None, None]
        channel = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
        return x[batch, channel, rows, cols]


class Flip:
    def __init__(self, dim: int, p: float = 0.5):
        self.dim, self.p = dim, p

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        flip = torch.rand(x.shape[0], device=x.device) < self.p
        return torch.where(flip[:, None, None, None], x.flip(self.dim), x)


class Normalize:
    def __init__(self, mean, std):
        self.mean = torch.tensor(mean).view(1, -1, 1, 1)
        self.std = torch.tensor(std).view(1, -1, 1, 1)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.mean.device != x.device:
            self.mean, self.std = self.mean.to(x.device), self.std.to(x.device)
        return (x - self.mean) / self.std


def _normalize(program: Program, mean, std):
    return Normalize(mean or program.dataset.mean, std or program.dataset.std)


BUILDERS = {
    "random_crop": lambda program, size, padding: RandomCrop(size, padding),
    "hflip": lambda program, p: Flip(3, p),
    "vflip": lambda program, p: Flip(2, p),
    "normalize": _normalize,
}


class Pipeline:
    """uint8 batch -> float batch in [0, 1] -> each step in order."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float().div_(255)
        for step in self.steps:
            x = step(x)
        return x


def build_pipeline(program: Program, stage: str) -> Pipeline:
    steps = []
    for step in program.recipe["augment"][stage]:
        params = {k: v for k, v in step.items() if k != "name"}
        if step["name"] not in BUILDERS:
            raise NotImplementedError(f"augmentation {step['name']!r} is not batched by this version")
        steps.append(BUILDERS[step["name"]](program, **params))
    return Pipeline(steps)
