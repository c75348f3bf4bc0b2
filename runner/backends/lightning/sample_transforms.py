"""Steps applied one image at a time with torchvision.transforms.v2.

Two users: the DataLoader workers of file-backed datasets, which run every training step before
`normalize` on each decoded uint8 (C, H, W) image (`sample_step`), and the batched device
pipeline for the augmentation policies, which have no batched form because each image draws
its own operations (`PerImage`). The eval steps before `normalize` run in the numpy and PIL forms
both backends and `runner predict` share (`SharedSteps`): a run then scores the same images on
either backend, and its exported model predicts exactly what `runner eval` scored (torchvision's
uint8 resize differs from PIL's by a pixel level here and there).
"""

from functools import partial

import torch
from torchvision.transforms import v2

from runner.data.steps.per_image import sample_transform as shared_transform
from runner.recipe.specs import Step

# The augmentation policies, each image drawing its own operations: step name -> v2 transform.
POLICIES = {
    "auto_augment": lambda policy: v2.AutoAugment(v2.AutoAugmentPolicy(policy)),
    "rand_augment": lambda num_ops, magnitude: v2.RandAugment(num_ops=num_ops, magnitude=magnitude),
    "trivial_augment": lambda: v2.TrivialAugmentWide(),
}


def policy(name: str, **params) -> v2.Transform:
    """The v2 transform of an auto_augment, rand_augment or trivial_augment step."""
    return POLICIES[name](**params)


# Step name -> v2 transform of one image, with the meanings of the batched steps: rotation is
# bilinear with zero fill, random_erasing fills zeros (it reaches the worker only when a recipe
# places it before normalize).
SAMPLE_BUILDERS = {
    "resize": lambda size: v2.Resize(size),
    "center_crop": lambda size: v2.CenterCrop(size),
    "random_crop": lambda size, padding: v2.RandomCrop(size, padding=padding or None),
    "random_resized_crop": lambda size, scale, ratio: v2.RandomResizedCrop(size, tuple(scale), tuple(ratio)),
    "hflip": lambda p: v2.RandomHorizontalFlip(p),
    "vflip": lambda p: v2.RandomVerticalFlip(p),
    "rotation": lambda degrees: v2.RandomRotation(degrees, interpolation=v2.InterpolationMode.BILINEAR),
    "color_jitter": lambda brightness, contrast, saturation, hue: v2.ColorJitter(brightness, contrast, saturation, hue),
    "grayscale": lambda p: v2.RandomGrayscale(p),
    "random_erasing": lambda p, scale: v2.RandomErasing(p, tuple(scale), value=0),
    **{name: partial(policy, name) for name in POLICIES},
}


def sample_step(step: Step) -> v2.Transform:
    """The v2 transform of one recipe step."""
    if step.name not in SAMPLE_BUILDERS:
        raise ValueError(f"augmentation {step.name!r} cannot run on single images in a worker")
    return SAMPLE_BUILDERS[step.name](**step.params)


def sample_transform(steps) -> v2.Transform:
    """uint8 (C, H, W) -> uint8 (C, H, W) through `steps` in order; picklable for workers."""
    transforms = [sample_step(step) for step in steps]
    return v2.Compose(transforms) if transforms else v2.Identity()


class SharedSteps:
    """runner.data.steps' per-image transform of `steps`, on uint8 (C, H, W) tensors; picklable."""

    def __init__(self, steps):
        self.transform = shared_transform(steps)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.transform(image.numpy()))


class PerImage:
    """A v2 policy on each image of a float batch in [0, 1], by way of uint8: the policies'
    operations (posterize, solarize, equalize...) are defined on 8-bit pixel levels."""

    def __init__(self, transform: v2.Transform):
        self.transform = transform

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        levels = x.mul(255).round_().clamp_(0, 255).to(torch.uint8)
        return torch.stack([self.transform(image) for image in levels]).to(x.dtype).div_(255)
