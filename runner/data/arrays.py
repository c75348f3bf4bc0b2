"""Datasets small enough to hold in memory, as uint8 arrays shared by both backends.

Images are (N, C, H, W) uint8 and labels (N,) int64. Validation comes from the test split, or
from a seeded `val_fraction` of the training set, exactly as compile counted it. MNIST,
Fashion-MNIST and CIFAR are read from their official files under data.root (runner.data.files
fetches and verifies them); no deep-learning framework is imported, for either backend's sake.
"""

from dataclasses import dataclass

import numpy as np

from runner.data import files as datafiles
from runner.recipe.compile import Program
from runner.recipe.environment import mirror
from runner.recipe.facts import dataset_params
from runner.recipe.numbers import split_sizes


@dataclass
class Arrays:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def load_arrays(program: Program) -> Arrays:
    """The train and validation arrays of an in-memory dataset."""
    recipe = program.recipe
    name = recipe["data"]["dataset"]
    if name == "digits":
        x, y = _digits()
        return _hold_out(recipe, program, x, y)
    if name == "synthetic":
        return _synthetic(recipe["seed"], **dataset_params(recipe))
    if name in datafiles.SOURCES:
        data = recipe["data"]
        (x, y), test = datafiles.load_splits(name, data["root"], data["download"], mirror(data["mirror"]))
        if data["val_fraction"] > 0:
            return _hold_out(recipe, program, x, y)
        return Arrays(x, y, *test)
    raise NotImplementedError(f"dataset {name!r} is not held in memory by this version")


def _hold_out(recipe, program, x, y) -> Arrays:
    train, val = split_sizes(recipe, program.dataset, len(x), 0)
    order = np.random.default_rng(recipe["seed"]).permutation(len(x))
    t, v = order[:train], order[train : train + val]
    return Arrays(x[t], y[t], x[v], y[v])


def _digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # 17 grey levels (0..16) scaled to the full uint8 range.
    x = np.round(bunch.images * (255 / 16)).astype(np.uint8)[:, None]
    return x, bunch.target.astype(np.int64)


def _synthetic(seed, num_classes, image_size, channels, train_size, val_size) -> Arrays:
    """Each class is a fixed smooth random pattern; every image is its pattern plus noise."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 1, (num_classes, channels, 4, 4))
    repeat = -(-image_size // 4)
    patterns = coarse.repeat(repeat, axis=2).repeat(repeat, axis=3)[:, :, :image_size, :image_size]

    def draw(n):
        labels = rng.integers(0, num_classes, n)
        noise = rng.normal(0, 0.6, (n, channels, image_size, image_size))
        images = np.clip(patterns[labels] * 0.4 + 0.3 + noise, 0, 1)
        return np.round(images * 255).astype(np.uint8), labels.astype(np.int64)

    x_train, y_train = draw(train_size)
    x_val, y_val = draw(val_size)
    return Arrays(x_train, y_train, x_val, y_val)
