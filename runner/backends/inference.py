"""A trained network ready to use, as either backend loads it from a run directory: the network in
eval mode, the preprocessing the recipe's eval pipeline applies, and the class names its outputs
stand for. `runner eval` scores one; the report, export and prediction use the same object."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.recipe.compile import Program


@dataclass
class Inference:
    program: Program
    checkpoint: Path  # the weights it holds
    network: object  # the framework's network (torch nn.Module or paddle Layer), in eval mode
    classes: tuple[str, ...]  # output i is classes[i]
    # uint8 (N, C, H, W) images, already through `sample_steps` -> float32 (N, classes) scores
    scores: Callable[[np.ndarray], np.ndarray]
    # one uint8 (C, H, W) image of any size -> the uint8 (C, H, W) the batched steps take; None when
    # the recipe's data is held in memory and every eval step runs on whole batches
    sample_steps: Callable[[np.ndarray], np.ndarray] | None = None
