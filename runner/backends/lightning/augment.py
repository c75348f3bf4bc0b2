"""Augmentation pipelines for the Lightning backend: recipe steps -> callables.

In-memory datasets reach the device as uint8 (N, C, H, W) batches and every step runs on the
whole batch there (`build_pipeline`). File-backed datasets run the steps before `normalize` on
each image in the DataLoader workers and the rest on the device (`split_pipeline`). Either way
the device part is `pipeline(x_uint8, y) -> (x_float, target)`; target is y, or float
(N, num_classes) soft labels once mixup or cutmix has run.

The steps live in augment_geometry.py, augment_boxes.py, augment_colour.py, mixing.py and
sample_transforms.py; BUILDERS maps each registered step name to its batched builder.
"""

import torch

from runner.backends.lightning.augment_boxes import RandomErasing
from runner.backends.lightning.augment_colour import ColorJitter, Grayscale, Normalize
from runner.backends.lightning.augment_geometry import CenterCrop, Flip, RandomCrop, RandomResizedCrop, Resize, Rotation
from runner.backends.lightning.mixing import CutMix, Mixup
from runner.backends.lightning.sample_transforms import PerImage, policy, sample_transform
from runner.catalog.augmentations import device_start
from runner.recipe.compile import Program


def _normalize(program: Program, mean, std):
    return Normalize(mean or program.dataset.mean, std or program.dataset.std)


def _policy(name: str):
    return lambda program, **params: PerImage(policy(name, **params))


# Step name -> builder(program, **the step's parameters) -> batched step. Each step maps a float
# batch to a float batch, or (steps with `mixes_labels`) (x, target) to (x, target).
BUILDERS = {
    "resize": lambda program, size: Resize(size),
    "center_crop": lambda program, size: CenterCrop(size),
    "random_crop": lambda program, size, padding: RandomCrop(size, padding),
    "random_resized_crop": lambda program, size, scale, ratio: RandomResizedCrop(size, scale, ratio),
    "hflip": lambda program, p: Flip(3, p),
    "vflip": lambda program, p: Flip(2, p),
    "rotation": lambda program, degrees: Rotation(degrees),
    "color_jitter": lambda program, **params: ColorJitter(**params),
    "grayscale": lambda program, p: Grayscale(p),
    "auto_augment": _policy("auto_augment"),
    "rand_augment": _policy("rand_augment"),
    "trivial_augment": _policy("trivial_augment"),
    "random_erasing": lambda program, p, scale: RandomErasing(p, scale),
    "normalize": _normalize,
    "mixup": lambda program, alpha: Mixup(program.num_classes, alpha),
    "cutmix": lambda program, alpha: CutMix(program.num_classes, alpha),
}


class Pipeline:
    """uint8 batch -> float batch in [0, 1] -> each step in order; returns (x, target)."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, x: torch.Tensor, y: torch.Tensor):
        if not x.is_floating_point():
            x = x.float().div_(255)
        target = y
        for step in self.steps:
            if getattr(step, "mixes_labels", False):
                x, target = step(x, target)
            else:
                x = step(x)
        return x, target


def build_step(program: Program, step: dict):
    if step["name"] not in BUILDERS:
        raise NotImplementedError(f"augmentation {step['name']!r} is not built by this backend")
    return BUILDERS[step["name"]](program, **{k: v for k, v in step.items() if k != "name"})


def build_pipeline(program: Program, stage: str) -> Pipeline:
    """Every step of augment.<stage> ("train" or "eval"), batched on the device."""
    return Pipeline([build_step(program, step) for step in program.recipe["augment"][stage]])


def split_pipeline(program: Program, stage: str):
    """(sample_transform, device_pipeline) for file-backed data: uint8 (C, H, W) -> uint8 per
    image in the workers through every step before the device part, then device_pipeline(x, y)
    on the batch as build_pipeline's (only float conversion when there are no device steps)."""
    steps = program.recipe["augment"][stage]
    cut = device_start(steps)
    return sample_transform(steps[:cut]), Pipeline([build_step(program, step) for step in steps[cut:]])
