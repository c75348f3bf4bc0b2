"""Helpers for the Paddle backend's augmentation tests: a recipe whose training pipeline is the
steps under test, random uint8 images, and comparisons."""

import inspect

import numpy as np
from PIL import Image

from runner.catalog import augmentations
from runner.recipe.stages import compile_file
from runner.recipe.yaml_writer import dump

REQUIRED = {"size": 12, "degrees": 30.0}  # values for parameters without a default
DEVICE_ONLY = ("normalize", "mixup", "cutmix")  # never run in a worker


def program(tmp_path, *steps, backend: str = "paddle"):
    """The compiled Program of a synthetic recipe whose augment.train is `steps` ((name, params))."""
    recipe = {
        "schema_version": 1,
        "name": "paddle_augment_test",
        "backend": backend,
        "model": {"backbone": "simple_cnn"},
        "data": {
            "dataset": "synthetic",
            "num_classes": 4,
            "image_size": 16,
            "channels": 3,
            "train_size": 64,
            "val_size": 16,
            "batch_size": 8,
        },
        "augment": {"train": [{"name": n, **p} for n, p in steps], "eval": [{"name": "normalize"}]},
        "optim": {"name": "adam", "lr": 0.001},
    }
    (tmp_path / "recipe.yaml").write_text(dump(recipe))
    return compile_file(str(tmp_path / "recipe.yaml"))[1]


def images(n=8, c=3, h=16, w=16, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, c, h, w), dtype=np.uint8)


def pil(x: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(x.transpose(1, 2, 0)))


def close(a, b, atol=1e-6) -> bool:
    return np.allclose(np.asarray(a), np.asarray(b), atol=atol)


def same(a, b) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b))


def required(name: str) -> dict:
    signature = inspect.signature(augmentations.get(name).function)
    return {p: REQUIRED[p] for p, v in signature.parameters.items() if v.default is inspect.Parameter.empty}
