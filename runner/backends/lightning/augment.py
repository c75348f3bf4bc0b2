"""Augmentation pipelines for the Lightning backend: recipe steps -> callables.

In-memory datasets reach the device as uint8 (N, C, H, W) batches and every step runs on the
whole batch there (`build_pipeline`). File-backed datasets run the steps before `normalize` on
each image in the DataLoader workers and the rest on the device (`split_pipeline`). Either way
the device part is `pipeline(x_uint8, y) -> (x_float, target)`; target is y, or float
(N, num_classes) soft labels once mixup or cutmix has run.

The steps live in augment_geometry.py, augment_boxes.py, augment_colour.py, mixing.py and
sample_transforms.py; BUILDERS maps each registered step name to its batched builder.
"""

from contextlib import contextmanager

import torch

from runner.backends.lightning.augment_boxes import RandomErasing
from runner.backends.lightning.augment_colour import ColorJitter, Grayscale, Normalize
from runner.backends.lightning.augment_geometry import CenterCrop, Flip, RandomCrop, RandomResizedCrop, Resize, Rotation
from runner.backends.lightning.mixing import CutMix, Mixup
from runner.backends.lightning.sample_transforms import PerImage, SharedSteps, policy, sample_transform
from runner.data.pipeline import Assembly
from runner.data.steps.per_image import SAMPLE_BUILDERS as SHARED_STEPS
from runner.recipe.compile import Program


def _normalize(program: Program, mean, std):
    return Normalize(mean or program.data.info.mean, std or program.data.info.std)


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


def _to_float(x: torch.Tensor) -> torch.Tensor:
    return x if x.is_floating_point() else x.float().div_(255)


@contextmanager
def _one_thread():
    """torch's CPU kernels on one intra-op thread, then back to the caller's count (the training
    step's): the batched steps' policy, whose reason runner/data/pipeline.py gives."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _eval_steps(steps):
    """The shared per-image forms of the eval steps; torchvision's where a step has none (the
    augmentation policies, which an eval pipeline has little use for)."""
    return SharedSteps(steps) if all(step.name in SHARED_STEPS for step in steps) else sample_transform(steps)


ASSEMBLY = Assembly("lightning", BUILDERS, _to_float, sample_transform, _eval_steps, _one_thread)
batched, build_pipeline, split_pipeline = ASSEMBLY.batched, ASSEMBLY.whole, ASSEMBLY.split
