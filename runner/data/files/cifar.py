"""CIFAR-10 and CIFAR-100 in their binary versions, parsed with numpy alone.

The format (www.cs.toronto.edu/~kriz/cifar.html, "binary version"): fixed-size records, each
its label byte(s) then 3072 pixel bytes, the 1024 red, then 1024 green, then 1024 blue values
of a 32x32 image in row-major order, which is already (C, H, W). CIFAR-10 records carry one
label byte; CIFAR-100 records a coarse (20 superclasses) then a fine (100 classes) label byte,
and the fine one is the label used. The pickled "python version" is never read.
"""

from pathlib import Path

import numpy as np

from runner.recipe import reading
from runner.recipe.errors import RunFailed

SHAPE = (3, 32, 32)
PIXELS = 3 * 32 * 32


def read_cifar10(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    return read_records(paths, label_bytes=1, label_at=0, num_classes=10)


def read_cifar100(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    return read_records(paths, label_bytes=2, label_at=1, num_classes=100)


def read_records(paths: list[Path], label_bytes: int, label_at: int, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3, 32, 32) uint8 images and (N,) int64 labels from the files' records, in order."""
    record = label_bytes + PIXELS
    images, labels = [], []
    for path in paths:
        try:
            rows = np.frombuffer(reading.read_bytes(path, reading.DATA_FILE), np.uint8)
        except reading.Unreadable as e:
            raise _malformed(path, str(e)) from None
        if rows.size == 0 or rows.size % record:
            raise _malformed(path, f"its {rows.size:,} bytes are not a whole number of {record}-byte records")
        rows = rows.reshape(-1, record)
        label = rows[:, label_at]
        if label.max() >= num_classes:
            raise _malformed(path, f"a record has label {label.max()}; there are {num_classes} classes")
        images.append(rows[:, label_bytes:].reshape(-1, *SHAPE))
        labels.append(label.astype(np.int64))
    # concatenate copies, leaving contiguous arrays even for a single file
    return np.concatenate(images), np.concatenate(labels)


def _malformed(path: Path, problem: str) -> RunFailed:
    return RunFailed(
        f"{path} is not a CIFAR binary batch: {problem}; delete its folder and run "
        "again with data.download: true to extract the official archive afresh"
    )
