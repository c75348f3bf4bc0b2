"""Tiny exported models made with onnx.helper, no framework: a classifier whose answer is the
image's dominant colour (the channel means, scaled and softmaxed), and a segmenter whose answer
is each pixel's brightest channel; each carries a runner Contract in its metadata, so that
`runner predict` and `runner serve` run them as they run a real export."""

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from runner.deploy.contract import Contract

CLASSES = ("red", "green", "blue")
SIZE = 8  # the classifier's input is (N, 3, 8, 8): a file is resized and centre-cropped to it


def contract(task: str, shape: tuple, steps: tuple, outputs: tuple) -> Contract:
    return Contract(
        task=task,
        classes=CLASSES,
        colour="RGB",
        shape=shape,
        fit=None,
        steps=steps,
        mean=(0.0, 0.0, 0.0),
        std=(1.0, 1.0, 1.0),
        backend="lightning",
        recipe="colours",
        run="colours-20260101-000000",
        checkpoint="checkpoints/best.ckpt",
        checkpoint_sha256="0" * 64,
        outputs=outputs,
    )


def save(graph, path: Path, metadata: dict[str, str]) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what onnxruntime releases from 1.14 on read
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def classifier(path: Path, metadata: bool = True, tampered: dict | None = None) -> Path:
    """images (N, 3, 8, 8) -> probabilities (N, 3): softmax(10 x each channel's mean)."""
    weights = numpy_helper.from_array(10 * np.eye(3, dtype=np.float32), "weights")
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["images"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["means"]),
            helper.make_node("MatMul", ["means", "weights"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "colours",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])],
        initializer=[weights],
    )
    steps = ({"name": "resize", "size": SIZE}, {"name": "center_crop", "size": SIZE})
    found = contract("classification", (3, SIZE, SIZE), steps, ("probabilities",)).metadata()
    found |= {f"runner.{key}": json.dumps(value) for key, value in (tampered or {}).items()}  # as a stranger might
    return save(graph, path, found if metadata else {"producer": "elsewhere"})


def segmenter(path: Path) -> Path:
    """images (N, 3, H, W) of any size -> labels (N, H, W): each pixel's brightest channel."""
    graph = helper.make_graph(
        [helper.make_node("ArgMax", ["images"], ["labels"], axis=1, keepdims=0)],
        "colour_regions",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("labels", TensorProto.INT64, ["N", "H", "W"])],
    )
    return save(graph, path, contract("segmentation", (3, None, None), (), ("labels",)).metadata())
