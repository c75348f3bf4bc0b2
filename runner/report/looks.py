"""How the report sees a task whose target is more than a class per image: a Look is one task's
part of the dense sections (runner.report.dense), as plain functions of numpy predictions and
targets (runner.backends.inference.Inference.predict; runner.data.dense's targets)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Judged:
    """One validation image's prediction, judged against its target."""

    badness: float  # 0 when nothing is wrong; the worst images have the most
    title: str  # above the picture of the prediction
    colour: str  # of the title


@dataclass(frozen=True)
class Drawn:
    """An image's prediction and its target drawn on two tiles (float (size, size, 3) in [0, 1])."""

    predicted: np.ndarray
    truth: np.ndarray
    # (x, y, text, colour) written on the prediction's tile: x, y its pixels, colour (3,) floats
    notes: list[tuple[float, float, str, np.ndarray]] = field(default_factory=list)


@dataclass(frozen=True)
class Look:
    heading: str  # of the per-class section: "Per-class AP"
    # (the evaluation's tally, class names, validation images, out) -> the per-class section's parts
    scored: Callable[[object, tuple[str, ...], int, Path], list[str]]
    judge: Callable[[object, dict, int], Judged]  # (prediction, target, number of classes)
    # (uint8 (3, H, W) image, prediction, target, class names, tile side) -> its pictures
    draw: Callable[[np.ndarray, object, dict, tuple[str, ...], int], Drawn]
    palette: Callable[[int], np.ndarray]  # number of classes -> float (classes, 3), one colour each
    legend: Callable[[tuple[str, ...]], list[int]]  # class names -> the classes the pictures colour
    samples_text: str  # what the sample pictures show
    worst_text: str  # which images are the worst
    none_wrong: str  # said when no image has a mistake
