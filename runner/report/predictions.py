"""A loaded run's predictions on its validation images, through the same eval pipeline and network
`runner eval` uses: each image's label and class probabilities, and the image itself as the
dataset holds it (for the page). A split larger than `limit` images is sampled with a fixed seed,
and the page says so."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from runner.backends.inference import Inference
from runner.data import order
from runner.data.arrays import load_arrays
from runner.report.scores import softmax

BATCH = 256
SEED = 0  # the sampled images, and the samples shown, are the same on every report of a run


@dataclass
class Predictions:
    labels: np.ndarray  # int64 (N,)
    probabilities: np.ndarray  # float32 (N, classes)
    image: Callable[[int], np.ndarray]  # i -> uint8 (H, W, C) as the dataset holds it
    total: int  # images in the split; N is fewer when sampled
    network_image: Callable[[int], np.ndarray]  # i -> uint8 (C, H, W) as the batched eval steps take it

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def confidence(self) -> np.ndarray:
        return self.probabilities.max(axis=1)


def predict(inference: Inference, limit: int) -> Predictions:
    program = inference.program
    if program.data.info.in_memory:
        arrays = load_arrays(program.data)
        chosen = order.sample(len(arrays.y_val), limit, SEED)
        x, y = arrays.x_val[chosen], arrays.y_val[chosen]
        scores = np.concatenate([inference.scores(x[i : i + BATCH]) for i in range(0, len(x), BATCH)])
        return Predictions(
            y.astype(np.int64), softmax(scores), lambda i: x[i].transpose(1, 2, 0), len(arrays.y_val), lambda i: x[i]
        )
    from runner.data import imagefiles

    files = imagefiles.split(program, fetch=False)[0].val
    chosen = order.sample(len(files), limit, SEED)
    picked = [files[i] for i in chosen]
    scores = []
    for start in range(0, len(picked), BATCH):
        batch = [inference.sample_steps(_decoded(p).transpose(2, 0, 1)) for p, _ in picked[start : start + BATCH]]
        scores.append(inference.scores(np.stack(batch)))
    labels = np.array([label for _, label in picked], dtype=np.int64)
    stepped = lambda i: inference.sample_steps(_decoded(picked[i][0]).transpose(2, 0, 1))  # noqa: E731
    return Predictions(labels, softmax(np.concatenate(scores)), lambda i: _decoded(picked[i][0]), len(files), stepped)


def _decoded(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return np.array(image.convert("RGB"))  # writable: torch.from_numpy warns on a read-only array
