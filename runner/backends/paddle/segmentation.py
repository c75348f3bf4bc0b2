"""The Paddle backend's segmentation adapter, with the Lightning adapter's meaning: logits per
pixel, per-pixel cross-entropy with the ignored pixels left out (the mean over the pixels that
count, as torch's F.cross_entropy(ignore_index=...) takes it), and a pixel confusion matrix over
the validation images turned into mIoU and pixel accuracy by the scores both backends share."""

from collections.abc import Callable

import numpy as np
import paddle
import paddle.nn.functional as F

from runner.backends.paddle.dense_networks import segmenter
from runner.data.padding import padded_side
from runner.recipe.compile import Program
from runner.run.dense_scores import IGNORE, SegmentationTally, segmentation_scores


class PixelCrossEntropy(paddle.nn.Layer):
    """(N, C, H, W) logits, (N, H, W) int64 masks -> the mean cross-entropy over the pixels whose
    mask is not IGNORE. A batch with no such pixel gives 0 (torch gives NaN)."""

    def forward(self, logits: paddle.Tensor, masks: paddle.Tensor) -> paddle.Tensor:
        return F.cross_entropy(logits.astype("float32"), masks, ignore_index=IGNORE, axis=1)


class PixelConfusion(paddle.metric.Metric):
    """mIoU and pixel accuracy for paddle.Model, which logs them as `miou` and `pixel_acc` (the
    Recorder's val_miou and val_pixel_acc): each validation batch's confusion matrix counted on
    the device, summed over the epoch on the host. paddle.Model also calls metrics on training
    batches; while `training()` says the network trains, nothing is counted (the task logs no
    training mIoU, as on Lightning) and the scores read None."""

    def __init__(self, classes: int, training: Callable[[], bool] = lambda: False):
        super().__init__()
        self.classes, self.training_now = classes, training
        self.reset()

    def name(self) -> list[str]:
        return ["miou", "pixel_acc"]

    def compute(self, logits: paddle.Tensor, masks: paddle.Tensor):
        if self.training_now():
            return []
        return confusion(logits.argmax(axis=1), masks, self.classes)

    def update(self, counts: np.ndarray | None = None) -> None:
        if counts is not None:
            self.matrix += np.asarray(counts, dtype=np.int64).reshape(self.classes, self.classes)

    def accumulate(self) -> list:
        if not self.matrix.any():
            return [None, None]
        found = segmentation_scores(self.matrix)
        return [found["miou"], found["pixel_acc"]]

    def reset(self) -> None:
        self.matrix = np.zeros((self.classes, self.classes), dtype=np.int64)


def confusion(predicted: paddle.Tensor, target: paddle.Tensor, classes: int) -> paddle.Tensor:
    """Flat confusion[true * classes + predicted] pixel counts, IGNORE pixels left out, on the
    tensors' device: runner.run.dense_scores.confusion in paddle."""
    keep = target != IGNORE
    index = paddle.masked_select(target.astype("int64"), keep) * classes
    index = index + paddle.masked_select(predicted.astype("int64"), keep)
    return paddle.bincount(index, minlength=classes * classes)


class Segmentation:
    def __init__(self, program: Program):
        self.program = program
        self.classes = program.num_classes or 2  # counted from the data before a network is built

    def network(self) -> paddle.nn.Layer:
        return segmenter(self.program)

    def loss(self, network: paddle.nn.Layer) -> paddle.nn.Layer:
        return PixelCrossEntropy()

    def metrics(self, network: paddle.nn.Layer) -> list:
        return [PixelConfusion(self.classes, lambda: network.training)]

    def tally(self, classes: int) -> SegmentationTally:
        return SegmentationTally(classes)

    def add(self, tally: SegmentationTally, logits: paddle.Tensor, masks: paddle.Tensor) -> None:
        logits = logits.astype("float32")
        loss = F.cross_entropy(logits, masks, ignore_index=IGNORE, axis=1, reduction="sum")
        tally.add(logits.argmax(axis=1).numpy(), masks.numpy(), float(loss))

    def predict(self, net: paddle.nn.Layer, x: paddle.Tensor) -> list:
        """Each image's class per pixel, int64 (H, W), the batch padded as training pads it."""
        height, width = x.shape[2:]
        x = F.pad(x, [0, padded_side(width) - width, 0, padded_side(height) - height], data_format="NCHW")
        return list(net(x)[:, :, :height, :width].argmax(axis=1).astype("int64").numpy())
