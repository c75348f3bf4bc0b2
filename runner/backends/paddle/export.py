"""A Paddle run's network written for use outside training: ONNX with paddle.onnx.export
(paddle2onnx), or a paddle.jit.save inference model, each ending as the exported contract says
(runner.deploy.contract): class probabilities for a classifier, the class of each pixel for a
segmenter. Inputs are the prepared, normalized images; the batch dimension (and, where the recipe
gives no fixed size, height and width) stays free."""

from pathlib import Path

import numpy as np
import paddle
import paddle.nn.functional as F

from runner.backends.inference import Inference
from runner.backends.silence import silenced
from runner.data.padding import padded_side


class Answers(paddle.nn.Layer):
    """The network with its task's ending: softmax over classes, or the argmax class per pixel
    (the input padded as training pads it, the answer cut back to the input's size)."""

    def __init__(self, net: paddle.nn.Layer, task: str):
        super().__init__()
        self.net, self.task = net, task

    def forward(self, x):  # paddle.jit matches the input spec to this signature: keep `self`, `x`
        if self.task == "classification":
            return F.softmax(self.net(x).astype("float32"), axis=1)
        height, width = x.shape[2], x.shape[3]
        padded = F.pad(x, [0, padded_side(width) - width, 0, padded_side(height) - height], data_format="NCHW")
        return self.net(padded)[:, :, :height, :width].argmax(axis=1).astype("int64")


def _spec(example: np.ndarray, free_size: bool) -> list:
    channels, height, width = example.shape[1:]
    shape = [None, channels, None, None] if free_size else [None, channels, height, width]
    return [paddle.static.InputSpec(shape, "float32", "images")]


def export_onnx(inference: Inference, path: Path, example: np.ndarray, opset: int, free_size: bool) -> None:
    """Write `inference`'s network to `path` as ONNX (its output named by the caller afterwards)."""
    answers = Answers(inference.network, inference.program.task.name)
    answers.eval()
    if path.suffix != ".onnx":
        raise ValueError(f"{path} must end in .onnx")
    with silenced():
        spec = _spec(example, free_size)
        paddle.onnx.export(answers, str(path.with_suffix("")), input_spec=spec, opset_version=opset)
    if not path.is_file():
        raise RuntimeError("paddle2onnx wrote no file; run again with GLOG_v=1 to see its log")


def export_native(inference: Inference, folder: Path, example: np.ndarray, free_size: bool) -> Path:
    """A paddle.jit.save inference model of the network with its task's ending: model.json and
    model.pdiparams (Paddle 3's program and weights)."""
    answers = Answers(inference.network, inference.program.task.name)
    answers.eval()
    with silenced():
        paddle.jit.save(answers, str(folder / "model"), input_spec=_spec(example, free_size))
    return folder / "model.json"


def run_native(path: Path, inputs: np.ndarray) -> np.ndarray:
    """An inference model written by export_native, run on prepared inputs."""
    with silenced(), paddle.no_grad():  # its first call logs how its interpreter runs
        layer = paddle.jit.load(str(path.with_suffix("")))
        layer.eval()
        return layer(paddle.to_tensor(inputs)).numpy()
