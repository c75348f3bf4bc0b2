"""Augmentation pipelines for the Paddle backend: recipe steps -> callables, with the meanings of
the Lightning backend's (runner/backends/lightning/augment.py).

In-memory datasets reach the device as uint8 (N, C, H, W) paddle batches and every step runs on
the whole batch there (`build_pipeline`). File-backed datasets run the steps before `normalize` on
each image in the DataLoader workers and the rest on the device (`split_pipeline`). Either way
the device part is `pipeline(x_uint8, y) -> (x_float, target)`; target is y, or float32
(N, num_classes) soft labels once mixup or cutmix has run. Random draws come from paddle's global
generator (the workers' from Python's `random`, which paddle's DataLoader seeds).

The steps live in augment_geometry.py, augment_boxes.py, augment_colour.py, mixing.py and, per
image, runner/data/steps/; BUILDERS maps each step name the Paddle backend has to its builder.
"""

import paddle

from runner.backends.paddle.augment_boxes import RandomErasing
from runner.backends.paddle.augment_colour import ColorJitter, Grayscale, Normalize
from runner.backends.paddle.augment_geometry import CenterCrop, Flip, RandomCrop, RandomResizedCrop, Resize, Rotation
from runner.backends.paddle.mixing import CutMix, Mixup
from runner.data.pipeline import Assembly
from runner.data.steps.per_image import sample_transform
from runner.recipe.compile import Program


def _normalize(program: Program, mean, std):
    return Normalize(mean or program.data.info.mean, std or program.data.info.std)


# Step name -> builder(program, **the step's parameters) -> batched step. Each step maps a float
# batch to a float batch, or (steps with `mixes_labels`) (x, target) to (x, target). The policies
# (auto_augment, rand_augment, trivial_augment) are declared for Lightning only and are absent.
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
    "random_erasing": lambda program, p, scale: RandomErasing(p, scale),
    "normalize": _normalize,
    "mixup": lambda program, alpha: Mixup(program.num_classes, alpha),
    "cutmix": lambda program, alpha: CutMix(program.num_classes, alpha),
}


def _to_float(x: paddle.Tensor) -> paddle.Tensor:
    return x if paddle.is_floating_point(x) else x.astype("float32") / 255


# No one_thread: Paddle's CPU kernels for these steps run on one thread already (its CPU context
# computes on Eigen's single-threaded DefaultDevice; measured, its other threads take no CPU time
# while the steps run), so a busy CPU has no intra-op threads to stall them.
ASSEMBLY = Assembly("paddle", BUILDERS, _to_float, sample_transform)
batched, build_pipeline, split_pipeline = ASSEMBLY.batched, ASSEMBLY.whole, ASSEMBLY.split
