"""Per-image augmentation for detection and segmentation: the recipe's steps before `normalize`
on one image, its class mask and its boxes together, so that every geometric step moves the
boxes and the mask with the pixels. One numpy implementation for both backends, in the
DataLoader workers, built on albumentations (which knows how each transform moves boxes and
masks). Masks are resampled by nearest neighbour only, so they never hold a class that
interpolation invented; mask pixels from outside the image (padding, rotation corners) read
`ignore_index`.

Randomness comes from Python's `random`, as in the classification steps (geometry.py), which the
loaders seed in each worker and epoch: each call seeds the pipeline from one draw of it.
"""

import os
import random
import sys
import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np

from runner.recipe.specs import Step

TASKS = ("detection", "segmentation")
# albumentations carries boxes as float32 fractions of the image, whose rounding can take a whole
# pixel's area to 0.9999998: an area within this share of min_area counts as reaching it
AREA_TOLERANCE = 0.01
LABEL_FIELDS = ("labels", "crowd")  # travel with each box, and are dropped with it
BORDER_CONSTANT, INTER_NEAREST = 0, 0  # OpenCV's flags, without importing cv2 here


@contextmanager
def _quiet_import():
    """Import albumentations without its two side effects, leaving the process as it was:
    - its import asks PyPI for a newer version unless NO_ALBUMENTATIONS_UPDATE is set: training
      machines may have no network, and a run must not call home;
    - its __init__ imports albumentations.pytorch when that import succeeds, which loads torch,
      and the Paddle backend must not load torch: a None entry in sys.modules makes it fail."""
    env_set = "NO_ALBUMENTATIONS_UPDATE" not in os.environ
    module_set = "albumentations.pytorch" not in sys.modules
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    sys.modules.setdefault("albumentations.pytorch", None)
    try:
        yield
    finally:
        if env_set:
            del os.environ["NO_ALBUMENTATIONS_UPDATE"]
        if module_set and sys.modules.get("albumentations.pytorch", 0) is None:
            del sys.modules["albumentations.pytorch"]  # a later explicit import may load it


def _albumentations():
    """The albumentations module, imported on first use: it takes most of a second (OpenCV,
    SciPy, pydantic), which `runner validate` and `runner show` should not pay."""
    with _quiet_import():
        import albumentations

    return albumentations


# Step name -> builder(A, fill_mask, **every parameter of the step, as the normalized recipe gives
# them) -> albumentations transforms with the step's meaning in runner.catalog.augmentations.
# Image fill is 0, as the classification steps pad; downscaling averages pixel areas, the closest
# of OpenCV's resamplings to the classification steps' antialiased resize. Compose sets
# nearest-neighbour resampling on every mask.
def _resize(A, fill_mask, size):
    return [A.SmallestMaxSize(max_size=size, area_for_downscale="image")]


def _center_crop(A, fill_mask, size):
    return [A.CenterCrop(size, size, pad_if_needed=True, fill=0, fill_mask=fill_mask)]


def _random_crop(A, fill_mask, size, padding):
    # pads an image smaller than `size` (as center_crop does) rather than failing a worker:
    # detection and segmentation images come in many sizes
    pad = [A.Pad(padding, fill=0, fill_mask=fill_mask)] if padding else []
    return [*pad, A.RandomCrop(size, size, pad_if_needed=True, fill=0, fill_mask=fill_mask)]


def _random_resized_crop(A, fill_mask, size, scale, ratio):
    return [A.RandomResizedCrop((size, size), scale=tuple(scale), ratio=tuple(ratio), area_for_downscale="image")]


def _hflip(A, fill_mask, p):
    return [A.HorizontalFlip(p=p)]


def _vflip(A, fill_mask, p):
    return [A.VerticalFlip(p=p)]


def _rotation(A, fill_mask, degrees):
    # a rotated box becomes the envelope of its rotated corners ("largest_box"), clipped to the image
    fills = dict(border_mode=BORDER_CONSTANT, fill=0, fill_mask=fill_mask)
    return [A.Rotate(limit=degrees, rotate_method="largest_box", p=1.0, **fills)]


def _color_jitter(A, fill_mask, brightness, contrast, saturation, hue):
    return [A.ColorJitter(brightness=brightness, contrast=contrast, saturation=saturation, hue=hue, p=1.0)]


def _grayscale(A, fill_mask, p):
    return [A.ToGray(num_output_channels=3, method="weighted_average", p=p)]  # ITU-R 601-2 luma


BUILDERS = {
    "resize": _resize,
    "center_crop": _center_crop,
    "random_crop": _random_crop,
    "random_resized_crop": _random_resized_crop,
    "hflip": _hflip,
    "vflip": _vflip,
    "rotation": _rotation,
    "color_jitter": _color_jitter,
    "grayscale": _grayscale,
}


def refusal(name: str, task: str) -> str:
    """Why step `name` cannot run on one image of `task` with its boxes and mask."""
    if name == "normalize":
        return (
            f"augmentation 'normalize' runs on the device, after the per-image {task} steps: pass only those before it"
        )
    return f"augmentation {name!r} has no form that moves {task} boxes and masks with the image"


class DenseTransform:
    """uint8 (H, W, 3) image, uint8 (H, W) class mask or None, (K, 4) float32 x0, y0, x1, y1 pixel
    boxes with their (K,) int64 labels and (K,) bool crowd flags -> the same after `steps`, the
    image as contiguous uint8 (3, H, W). Boxes are clipped to the image; a box whose visible area
    falls below `min_area` square pixels after any step is dropped with its label and crowd
    flag. Picklable: the pipeline is rebuilt from the steps in each worker."""

    def __init__(self, steps: Sequence[Step], task: str, min_area: float = 1.0, ignore_index: int = 255):
        if task not in TASKS:
            raise ValueError(f"task {task!r} has no dense augmentation; expected one of {', '.join(TASKS)}")
        for step in steps:
            if step.name not in BUILDERS:
                raise ValueError(refusal(step.name, task))
        self.steps, self.task, self.min_area, self.ignore_index = tuple(steps), task, min_area, ignore_index
        self._pipeline = self._build()  # here, so that a wrong parameter fails before the workers start

    def _build(self):
        A = _albumentations()
        transforms = [t for s in self.steps for t in BUILDERS[s.name](A, self.ignore_index, **s.params)]
        boxes = A.BboxParams(
            format="pascal_voc",
            label_fields=list(LABEL_FIELDS),
            min_area=self.min_area * (1 - AREA_TOLERANCE),
            clip=True,
            filter_invalid_bboxes=True,  # an empty or inverted annotation is dropped, not an error in a worker
        )
        with warnings.catch_warnings():
            # without a geometric step albumentations warns that no transform moves the boxes; its
            # box processor still clips them and drops the small ones
            warnings.filterwarnings("ignore", "Got processor for bboxes, but no transform to process it")
            return A.Compose(transforms, bbox_params=boxes, mask_interpolation=INTER_NEAREST)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_pipeline"}

    def __setstate__(self, state):
        self.__dict__.update(state, _pipeline=None)

    def __call__(
        self, image: np.ndarray, mask: np.ndarray | None, boxes: np.ndarray, labels: np.ndarray, crowd: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
        if self.task == "segmentation" and mask is None:
            raise ValueError("segmentation needs a class mask for every image")
        if self._pipeline is None:
            self._pipeline = self._build()
        # One generator per call, shared by every transform in turn: Compose.set_random_seed would
        # give each transform its own generator with the same seed, so that hflip and vflip at
        # the same p would always flip together.
        seed = random.getrandbits(64)
        self._pipeline.set_random_state(np.random.default_rng(seed), random.Random(seed))
        targets = {"mask": mask} if mask is not None else {}
        out = self._pipeline(
            image=image,
            **targets,
            bboxes=np.asarray(boxes, np.float32).reshape(-1, 4),
            labels=np.asarray(labels, np.int64),
            crowd=np.asarray(crowd, bool),
        )
        return (
            np.ascontiguousarray(out["image"].transpose(2, 0, 1)),
            None if mask is None else np.ascontiguousarray(out["mask"]),
            np.asarray(out["bboxes"], np.float32).reshape(-1, 4),
            np.asarray(out["labels"], np.int64),
            np.asarray(out["crowd"], bool),
        )
