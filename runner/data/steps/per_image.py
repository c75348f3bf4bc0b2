"""Steps applied one image at a time in the DataLoader workers of file-backed datasets: every step
before `normalize`, on each decoded image, as uint8 (C, H, W) numpy arrays.

The steps live in geometry.py and pixels.py (numpy and PIL, drawing
from Python's `random`); SAMPLE_BUILDERS maps each step name to its per-image builder.
"""

from functools import partial

import numpy as np
from PIL import Image

from runner.catalog import augmentations
from runner.data.steps import geometry, pixels
from runner.recipe.specs import Step


def _flip(axis: int, p: float):
    return geometry.Flip(axis, p)


# Step name -> builder(**the step's parameters) -> uint8 (C, H, W) -> uint8 (C, H, W). Builders
# return small classes, never lambdas, so that a composed transform pickles into the workers.
SAMPLE_BUILDERS = {
    "resize": geometry.Resize,
    "center_crop": geometry.CenterCrop,
    "random_crop": geometry.RandomCrop,
    "random_resized_crop": geometry.RandomResizedCrop,
    "hflip": partial(_flip, 2),
    "vflip": partial(_flip, 1),
    "rotation": geometry.Rotation,
    "color_jitter": pixels.ColorJitter,
    "grayscale": pixels.Grayscale,
    "random_erasing": pixels.RandomErasing,  # reaches a worker only when placed before normalize
}


def sample_step(step: Step):
    """The per-image form of one recipe step."""
    if step.name not in SAMPLE_BUILDERS:
        entry = augmentations.get(step.name)
        if entry and "paddle" not in entry.backends:  # the augmentation policies: torchvision's
            raise NotImplementedError(f"augmentation {step.name!r} is declared for the lightning backend only")
        raise ValueError(f"augmentation {step.name!r} cannot run on single images in a worker")
    return SAMPLE_BUILDERS[step.name](**step.params)


def as_chw(image) -> np.ndarray:
    """A PIL image (or a uint8 (C, H, W) array, passed through) as uint8 (C, H, W)."""
    if isinstance(image, np.ndarray):
        return image
    x = np.asarray(image if image.mode in ("L", "RGB") else image.convert("RGB"))
    return x[None] if x.ndim == 2 else x.transpose(2, 0, 1)


class SampleTransform:
    """PIL image -> uint8 (C, H, W) numpy array through `steps` in order; picklable."""

    def __init__(self, steps: list):
        self.steps = steps

    def __call__(self, image: Image.Image) -> np.ndarray:
        x = as_chw(image)
        for step in self.steps:
            x = step(x)
        return np.ascontiguousarray(x)


def sample_transform(steps) -> SampleTransform:
    return SampleTransform([sample_step(step) for step in steps])
