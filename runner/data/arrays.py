"""Datasets small enough to hold in memory, as uint8 arrays shared by both backends.

Images are (N, C, H, W) uint8 and labels (N,) int64. Validation comes from the test split, or
from a seeded `val_fraction` of the training set, exactly as compile counted it. MNIST,
Fashion-MNIST and CIFAR are read from their official files under data.root (runner.data.files
fetches and verifies them); no deep-learning framework is imported, for either backend's sake.
"""

from dataclasses import dataclass

import numpy as np

from runner.data import files as datafiles
from runner.recipe.environment import mirror
from runner.recipe.numbers import split_sizes
from runner.recipe.specs import DataSpec

Split = tuple[np.ndarray, np.ndarray]  # (N, C, H, W) uint8 images, (N,) int64 labels


@dataclass
class Arrays:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def load_arrays(data: DataSpec, split: str = "val") -> Arrays:
    """The training arrays, and as x_val/y_val those of `split`: "val", the run's validation
    images (a seeded val_fraction of the training set, or the test split); "test", the dataset's
    test split whatever the run validated on."""
    reader = READERS.get(data.dataset)
    if reader is None:
        raise NotImplementedError(f"dataset {data.dataset!r} is not held in memory")
    train, test = reader(data)
    if split == "val" and data.val_fraction > 0:
        return _hold_out(data, *train)
    if test is None:
        raise ValueError(f"dataset {data.dataset!r} has no test split")
    return Arrays(*train, *test)


def class_names(data: DataSpec, num_classes: int) -> tuple[str, ...]:
    """The names of a dataset's classes, in label order: the catalog's, else the labels themselves."""
    return data.info.classes or tuple(str(i) for i in range(num_classes))


def _hold_out(data: DataSpec, x: np.ndarray, y: np.ndarray) -> Arrays:
    train, val = split_sizes(data, len(x), 0)
    order = np.random.default_rng(data.seed).permutation(len(x))
    t, v = order[:train], order[train : train + val]
    return Arrays(x[t], y[t], x[v], y[v])


def _official(data: DataSpec) -> tuple[Split, Split]:
    return datafiles.load_splits(data.dataset, data.root, data.download, mirror(data.mirror))


def _digits(data: DataSpec) -> tuple[Split, None]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # 17 grey levels (0..16) scaled to the full uint8 range.
    x = np.round(bunch.images * (255 / 16)).astype(np.uint8)[:, None]
    return (x, bunch.target.astype(np.int64)), None


def _synthetic(data: DataSpec) -> tuple[Split, Split]:
    """Each class is a fixed smooth random pattern; every image is its pattern plus noise. The
    val_size images drawn after the training ones are the dataset's test split."""
    return _draw_synthetic(data.seed, **data.params)


def _draw_synthetic(seed, num_classes, image_size, channels, train_size, val_size) -> tuple[Split, Split]:
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 1, (num_classes, channels, 4, 4))
    repeat = -(-image_size // 4)
    patterns = coarse.repeat(repeat, axis=2).repeat(repeat, axis=3)[:, :, :image_size, :image_size]

    def draw(n):
        labels = rng.integers(0, num_classes, n)
        noise = rng.normal(0, 0.6, (n, channels, image_size, image_size))
        images = np.clip(patterns[labels] * 0.4 + 0.3 + noise, 0, 1)
        return np.round(images * 255).astype(np.uint8), labels.astype(np.int64)

    train = draw(train_size)
    return train, draw(val_size)


# Dataset name -> reader(data) -> (train split, test split or None), for every in-memory dataset.
READERS = {"digits": _digits, "synthetic": _synthetic, **dict.fromkeys(datafiles.IN_MEMORY, _official)}
