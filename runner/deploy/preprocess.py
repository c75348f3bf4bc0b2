"""Image files -> the exported network's input, in numpy and PIL alone: decoded as the contract
says (RGB, or one grey channel), fitted to an in-memory dataset's stored size, through the recipe's
eval steps before normalize (runner.data.steps, the per-image forms the training workers run), then
scaled to [0, 1] and normalized. One implementation for models of either backend."""

import io
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from runner.data.steps.geometry import CenterCrop, pil_resize
from runner.data.steps.maths import resized_shape
from runner.data.steps.per_image import as_chw, sample_transform
from runner.deploy.contract import Contract
from runner.recipe.specs import Step

# Pillow refuses images above this many pixels (a decompression bomb is a few KB of file that
# decodes to gigabytes); 8K x 8K is far beyond what a classifier is fed.
MAX_PIXELS = 8192 * 8192


class NotAnImage(ValueError):
    """A file or request body that is not an image this runner can decode; the message says why."""


def decode(source: Path | bytes, colour: str) -> np.ndarray:
    """uint8 (C, H, W) of an image file or its bytes, as RGB or one grey channel."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NotAnImage(f"{image.width}x{image.height} pixels is more than {MAX_PIXELS} allows")
                return as_chw(image.convert(colour)).copy()  # writable, as torch.from_numpy wants
    except NotAnImage:
        raise
    except UnidentifiedImageError:
        raise NotAnImage("not an image Pillow can read") from None
    except Exception as e:  # an untrusted file: Pillow's plugins raise EOFError, struct.error and more
        raise NotAnImage(f"cannot decode it ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None


class Preprocess:
    """uint8 (C, H, W) decoded image -> float32 (C, H, W) input, for one contract."""

    def __init__(self, contract: Contract):
        self.contract = contract
        steps = [Step(s["name"], {k: v for k, v in s.items() if k != "name"}) for s in contract.steps]
        self.steps = sample_transform(steps) if contract.task == "classification" else DenseSteps(steps, contract.task)
        # An in-memory dataset's resize and crop ran on float batches in training: so they run here.
        self.in_floats = contract.fit is not None and all(s["name"] in FLOAT_STEPS for s in contract.steps)
        channels = contract.shape[0]
        self.mean = np.asarray(contract.mean, np.float32).reshape(channels, 1, 1)
        self.std = np.asarray(contract.std, np.float32).reshape(channels, 1, 1)

    def stepped(self, image: np.ndarray) -> np.ndarray:
        """The uint8 image the network's normalize step receives."""
        if self.contract.fit is not None:
            image = fit(image, *self.contract.fit)
        return self.steps(image)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if self.in_floats:
            return self.normalized(self.in_float(fit(image, *self.contract.fit)))
        return self.normalized(self.stepped(image))

    def in_float(self, image: np.ndarray) -> np.ndarray:
        """An in-memory dataset's steps as its training ran them, on whole batches: on pixels already
        scaled to [0, 1], with no rounding back to whole levels between steps."""
        x = image.astype(np.float32) / 255
        for step in self.contract.steps:
            x = FLOAT_STEPS[step["name"]](x, step["size"])
        return x * 255  # normalized() scales to [0, 1] again

    def normalized(self, stepped: np.ndarray) -> np.ndarray:
        return ((stepped.astype(np.float32) / 255 - self.mean) / self.std).astype(np.float32)


class DenseSteps:
    """A detector's or segmenter's eval steps on one image: the per-image pipeline its training
    ran (runner.data.steps.dense, shared by both backends), with no targets to move."""

    def __init__(self, steps: list, task: str):
        self.steps, self.task = steps, task
        self.each = threading.local()  # one pipeline per thread: albumentations' is not thread-safe

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if not hasattr(self.each, "transform"):
            from runner.data.steps.dense import DenseTransform  # albumentations: only for these tasks

            self.each.transform = DenseTransform(self.steps, self.task)
        hwc = np.ascontiguousarray(image.transpose(1, 2, 0))
        blank = np.zeros(hwc.shape[:2], np.uint8)  # segmentation's transform insists on a mask
        none = np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros(0, bool)
        return self.each.transform(hwc, blank, *none)[0]


def _resize(x: np.ndarray, size: int) -> np.ndarray:
    height, width = resized_shape(*x.shape[1:], size)
    if (height, width) == x.shape[1:]:
        return x
    planes = [Image.fromarray(np.ascontiguousarray(p), mode="F").resize((width, height), Image.BILINEAR) for p in x]
    return np.stack([np.asarray(p) for p in planes])


# The steps an in-memory dataset's images take in float (their batched form), by name.
FLOAT_STEPS = {"resize": _resize, "center_crop": lambda x, size: CenterCrop(size)(x)}


def fit(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """An image of any size as one of (height, width): scaled until it covers that size, then its
    centre cropped; an image of that size already is returned as it is."""
    h, w = image.shape[1:]
    if (h, w) == (height, width):
        return image
    scale = max(height / h, width / w)
    out = (max(height, round(h * scale)), max(width, round(w * scale)))
    image = pil_resize(image, *out)
    top, left = (out[0] - height) // 2, (out[1] - width) // 2
    return np.ascontiguousarray(image[:, top : top + height, left : left + width])
