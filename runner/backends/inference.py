"""A trained network ready to use, as either backend loads it from a run directory: the network in
eval mode, the preprocessing the recipe's eval pipeline applies, and the class names its outputs
stand for. `runner eval` scores one; the report, export and prediction use the same object.
What it predicts for one image, in plain numpy whatever the backend, depends on the task: a
classifier's class probabilities, a detector's boxes (`Detected`), a segmenter's class per pixel."""

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
    # uint8 (N, C, H, W) images, already through `sample_steps` -> the network's input tensor
    prepared: Callable[[np.ndarray], object] | None = None
    # uint8 (N, C, H, W) images of one size, already through the eval steps before normalize (for
    # detection and segmentation, runner.data.steps.dense.DenseTransform's, which move the targets
    # too) -> one prediction per image, as the task has it: classification float32 (classes,)
    # probabilities; detection a Detected; segmentation int64 (H, W) class indices at the input's
    # size. None where the backend cannot predict the task yet: the report then says so.
    predict: Callable[[np.ndarray], list] | None = None


@dataclass
class Detected:
    """One image's detections, in the input image's pixels, after the detector's own score
    threshold and non-maximum suppression."""

    boxes: np.ndarray  # float32 (K, 4) x0, y0, x1, y1
    labels: np.ndarray  # int64 (K,) indices into Inference.classes (which hold no background)
    scores: np.ndarray  # float32 (K,) in [0, 1]


@dataclass
class Sight:
    """Where a network looks and what it sees, for the report. `heat`: Grad-CAM maps (N, H, W) in
    [0, 1] at the input's size, for each image's target class, from the layer `layer`; None (with
    `why`) where no layer of the network is spatial enough. `filters`: the first convolution's
    weights (out, in, k, k). `depths`: (layer name, one image's activations (C, h, w)) at a few
    depths, shallow to deep."""

    heat: np.ndarray | None
    layer: str
    why: str = ""
    filters: np.ndarray | None = None
    depths: list[tuple[str, np.ndarray]] | None = None


# The last layer still spatial at the recipe's input size: Grad-CAM on a layer smaller than this
# (a ResNet's last stage on 32x32 images is 1x1) gives a map with nothing to show.
MIN_SIDE = 4


def spread(layers: list, n: int = 4) -> list:
    """Up to `n` of `layers`, evenly spaced from the first to the last: the depths the report shows."""
    if len(layers) <= n:
        return layers
    return [layers[round(i * (len(layers) - 1) / (n - 1))] for i in range(n)]


def gradcam_layer(outputs: dict[str, tuple[object, object]]) -> tuple[str, object] | str:
    """The layer Grad-CAM reads, from name -> (layer, output) of the network's layers in the order
    they finish: the last whose output is still an image at least MIN_SIDE on a side, unless layers
    after it work on tokens (a vision transformer's patch embedding is such a layer, and its map
    says nothing of the decision). Else why there is none."""
    finished = [(name, layer, tuple(output.shape)) for name, (layer, output) in outputs.items()]
    wide = [i for i, (_, _, shape) in enumerate(finished) if len(shape) == 4 and min(shape[2:]) >= MIN_SIDE]
    if not wide:
        return f"no layer of this network keeps a map of at least {MIN_SIDE}x{MIN_SIDE} at the recipe's input size"
    if any(len(shape) == 3 for _, _, shape in finished[wide[-1] + 1 :]):
        return "its last layers work on tokens (a vision transformer), not on a spatial map"
    name, layer, _ = finished[wide[-1]]
    return name, layer
