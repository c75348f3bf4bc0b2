"""An exported model on onnxruntime: the file opened on the CPU (or CUDA where onnxruntime has it),
its contract read from its metadata, and batches of prepared inputs run through it. A model file
from elsewhere is untrusted input: one without runner's metadata, or whose input is not the one
its metadata names, is refused with a message, never a traceback."""

from pathlib import Path

import numpy as np

from runner.deploy.contract import ONE_IMAGE, Contract, ContractError
from runner.deploy.preprocess import NotAnImage, Preprocess, decode


class ModelError(ValueError):
    """A model file that cannot be used: the message names the file and why."""


class Model:
    def __init__(self, path: Path, threads: int = 0):
        import onnxruntime  # here: `runner predict --help` should not pay for it

        path = Path(path)
        if not path.is_file():
            raise ModelError(f"{path} is not a file; give an .onnx file written by runner export, or a run directory")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        # Idle onnxruntime threads otherwise spin for the next call, taking the cores the decoding
        # threads and the server's event loop need between calls (3x the server's CPU per request).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: its warnings name graph internals, not the user's mistake
        available = onnxruntime.get_available_providers()
        providers = [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]
        try:
            self.session = onnxruntime.InferenceSession(str(path), options, providers=providers)
        except Exception as e:  # onnxruntime raises its own classes for every kind of bad file
            raise ModelError(f"{path} is not an ONNX model onnxruntime can load ({_first_line(e)})") from None
        try:
            self.contract = Contract.from_metadata(self.session.get_modelmeta().custom_metadata_map)
            self.preprocess = Preprocess(self.contract)
        except ContractError as e:
            raise ModelError(f"{path}: {e}") from None
        except (ValueError, TypeError, NotImplementedError) as e:  # steps unknown here, or parameters they lack
            raise ModelError(f"{path}: its preprocessing steps cannot be built ({e})") from None
        inputs = [i.name for i in self.session.get_inputs()]
        outputs = [o.name for o in self.session.get_outputs()]
        if inputs != [self.contract.input] or list(self.contract.outputs) != outputs:
            raise ModelError(
                f"{path}: its graph takes {inputs} and answers {outputs}, not the {self.contract.input!r} "
                f"and {list(self.contract.outputs)} its metadata names"
            )
        self.path = path

    def prepare(self, source: Path | bytes) -> tuple[np.ndarray, tuple[float, float] | None]:
        """An image file or its bytes -> float32 (C, H, W) input, and (x, y) the image's own pixels
        per pixel of the input where the steps only resize it (None where they crop: a detector's
        boxes then stay in the input's pixels); NotAnImage saying why not."""
        image = decode(source, self.contract.colour)
        try:
            prepared = self.preprocess(image)
        except (ValueError, TypeError, ArithmeticError) as e:  # a step that cannot take this image
            raise NotAnImage(f"the model's steps refuse it ({e})") from None
        # Steps that leave the size open (no resize or crop) give a graph of fixed size what it
        # cannot take; onnxruntime would fail the whole batch, so the image is refused alone.
        if any(want not in (None, got) for want, got in zip(self.contract.shape, prepared.shape)):
            got, want = "x".join(map(str, prepared.shape)), "x".join(map(str, self.contract.shape))
            raise NotAnImage(f"the model's steps make it {got}, and the network takes {want}")
        resized_only = self.contract.fit is None and all(s["name"] == "resize" for s in self.contract.steps)
        scale = (image.shape[2] / prepared.shape[2], image.shape[1] / prepared.shape[1]) if resized_only else None
        return prepared, scale

    def run(self, batch: np.ndarray) -> list:
        """float32 (N, C, H, W) prepared inputs -> the graph's outputs, in the contract's order: arrays
        whose first axis is the image; for a graph of one image at a time (a detector), lists of
        each image's arrays."""
        names, feed = list(self.contract.outputs), self.contract.input
        try:
            if self.contract.task in ONE_IMAGE:
                each = [self.session.run(names, {feed: x[None]}) for x in batch]
                if any(len({len(o) for o in found}) != 1 or np.shape(found[0])[1:] != (4,) for found in each):
                    raise ValueError(f"its boxes, labels and scores do not pair up: {[np.shape(o) for o in each[0]]}")
                return [[found[k] for found in each] for k in range(len(names))]
            outputs = self.session.run(names, {feed: batch})
            if any(np.ndim(o) == 0 or len(o) != len(batch) for o in outputs):
                raise ValueError(f"its outputs {[np.shape(o) for o in outputs]} are not one per image of {len(batch)}")
            return outputs
        except Exception as e:  # onnxruntime's own classes: a graph that fails on an input its contract admits
            raise ModelError(f"{self.path}: onnxruntime failed on inputs {batch.shape} ({_first_line(e)})") from None


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0][:300] if text else type(e).__name__
