"""A Lightning run's network written for use outside training: ONNX with torch.onnx.export, or
TorchScript, each ending as the exported contract says (runner.deploy.contract): class
probabilities for a classifier, the class of each pixel for a segmenter. Inputs are the prepared,
normalized images; the batch dimension (and, where the recipe gives no fixed size, height and
width) stays free."""

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from runner.backends.inference import Inference
from runner.backends.silence import silenced
from runner.data.padding import padded_side


class Answers(torch.nn.Module):
    """The network with its task's ending: softmax over classes; the argmax class per pixel (the
    input padded as training pads it, the answer cut back to the input's size); or one image's
    detections, the background class dropped and the others counted from 0."""

    def __init__(self, net: torch.nn.Module, task: str):
        super().__init__()
        self.net, self.task = net, task

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.task == "classification":
            return F.softmax(self.net(x).float(), dim=1)
        if self.task == "detection":
            found = self.net(list(x))[0]
            kept = found["labels"] > 0
            return found["boxes"][kept].float(), found["labels"][kept] - 1, found["scores"][kept].float()
        height, width = x.shape[2:]
        padded = F.pad(x, (0, padded_side(width) - width, 0, padded_side(height) - height))
        return self.net(padded)[:, :, :height, :width].argmax(1)


def export_onnx(inference: Inference, path: Path, example: np.ndarray, opset: int, free_size: bool) -> None:
    """Write `inference`'s network to `path` as ONNX, traced on `example` (float32 prepared inputs,
    at least two images so that the batch dimension is seen to vary)."""
    task = inference.program.task.name
    answers = Answers(inference.network.net, task).eval()
    x = torch.from_numpy(example).to(next(answers.parameters()).device)
    if task == "detection":
        _export_detector(answers, x[:1], path, opset)
        return
    batch = torch.export.Dim("batch", min=1)
    free = {0: batch, 2: torch.export.Dim("height"), 3: torch.export.Dim("width")} if free_size else {0: batch}
    output = "probabilities" if task == "classification" else "labels"
    with silenced():
        torch.onnx.export(
            answers,
            (x,),
            str(path),
            input_names=["images"],
            output_names=[output],
            dynamic_shapes=(free,),
            opset_version=opset,
            external_data=False,  # one file, weights inside
            dynamo=True,
            verbose=False,
        )


def _export_detector(answers: Answers, x: torch.Tensor, path: Path, opset: int) -> None:
    """A detector through torch's TorchScript-based exporter: torch.export cannot trace the
    data-dependent number of boxes torchvision's detectors return. One image per call, of any size
    (the detector resizes it itself)."""
    found = {name: {0: "detections"} for name in ("boxes", "labels", "scores")}
    with silenced():
        torch.onnx.export(
            answers,
            (x,),
            str(path),
            input_names=["images"],
            output_names=["boxes", "labels", "scores"],
            dynamic_axes={"images": {2: "height", 3: "width"}, **found},
            opset_version=opset,
            dynamo=False,
        )


def export_native(inference: Inference, folder: Path, example: np.ndarray, free_size: bool) -> Path:
    """TorchScript of the network with its task's ending, traced on `example`: model.pt (a trace
    of convolutional layers runs on other sizes too; `free_size` is the ONNX export's concern)."""
    answers = Answers(inference.network.net, inference.program.task.name).eval()
    with silenced(), torch.no_grad():
        traced = torch.jit.trace(answers, torch.from_numpy(example).to(next(answers.parameters()).device))
    path = folder / "model.pt"
    traced.save(str(path))
    return path


def run_native(path: Path, inputs: np.ndarray) -> np.ndarray:
    """A TorchScript file written by export_native, run on prepared inputs."""
    with silenced():
        module = torch.jit.load(str(path), map_location="cpu").eval()
    with torch.no_grad():
        return module(torch.from_numpy(inputs)).numpy()
