"""What an exported model expects and what it answers, written into the ONNX file's metadata_props
and into export.json beside it: the task and class names, how an image file becomes the network's
input (decoding, the recipe's eval steps, mean and std), the input and output names, and the run
and checkpoint the weights came from. `runner predict` and `runner serve` read nothing else."""

import json
from dataclasses import asdict, dataclass, fields

from runner.recipe.compile import Program

# ONNX metadata keys are prefixed so that other tools' keys never collide with these.
PREFIX = "runner."
OPSET = 18  # the ONNX opset exports are written in: the oldest torch's exporter writes; paddle2onnx writes it too
INPUT = "images"  # float32 (N, C, H, W), the recipe's normalize applied
# The outputs each task's graph ends in: class probabilities (N, classes); per-pixel class indices
# int64 (N, H, W); a detector's boxes float32 (K, 4) x0, y0, x1, y1 in the input's pixels, their
# class indices int64 (K,) and scores float32 (K,), after its own threshold and non-maximum
# suppression.
OUTPUTS = {
    "classification": ("probabilities",),
    "segmentation": ("labels",),
    "detection": ("boxes", "labels", "scores"),
}
MAX_SIDE = 8192  # pixels: a step's size or a fitted side beyond this is no runner export's
# Tasks whose graph takes one image at a time (N = 1): a detector's answer has no batch dimension.
ONE_IMAGE = ("detection",)


class ContractError(ValueError):
    """A model file whose metadata is missing or malformed: not exported by `runner export`."""


@dataclass(frozen=True)
class Contract:
    task: str
    classes: tuple[str, ...]  # output i is classes[i]
    colour: str  # "RGB" or "L": how an image file is decoded
    shape: tuple  # (channels, height, width) of the input; height and width None when any size goes
    # (height, width) of the images an in-memory dataset stores: a file is resized and centre-cropped
    # to it before the eval steps, as those images were made; None for datasets of image files
    fit: tuple | None
    steps: tuple  # the recipe's eval steps before normalize, each {"name": ..., parameters...}
    mean: tuple[float, ...]  # normalize's, on pixels in [0, 1]
    std: tuple[float, ...]
    backend: str
    recipe: str  # the recipe's name
    run: str  # the run directory's name
    checkpoint: str  # as the run records it: checkpoints/<file>
    checkpoint_sha256: str
    input: str = INPUT
    outputs: tuple[str, ...] = ("probabilities",)

    def metadata(self) -> dict[str, str]:
        """ONNX metadata_props: each field as JSON, under PREFIX."""
        return {PREFIX + k: json.dumps(v) for k, v in asdict(self).items()}

    @classmethod
    def from_metadata(cls, props: dict[str, str]) -> "Contract":
        """The contract of a file's metadata_props; ContractError naming what is missing or wrong."""
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if PREFIX + n not in props]
        if len(missing) == len(names):
            raise ContractError("it carries no runner metadata; export it with `runner export RUN_DIR`")
        if missing:
            raise ContractError(f"its runner metadata lacks {', '.join(missing)}; export it again with runner export")
        try:
            values = {n: json.loads(props[PREFIX + n]) for n in names}
            return cls.of(values)
        except (ValueError, TypeError, KeyError) as e:
            raise ContractError(f"its runner metadata is malformed ({e}); export it again with runner export") from None

    @classmethod
    def of(cls, values: dict) -> "Contract":
        """A contract from plain values (export.json's, or parsed metadata), its types checked."""
        if values["task"] not in OUTPUTS or values["colour"] not in ("RGB", "L"):
            raise ValueError(f"task {values['task']!r} or colour {values['colour']!r} is not one runner writes")
        shape = tuple(values["shape"])
        if len(shape) != 3 or not all(s is None or (isinstance(s, int) and s > 0) for s in shape):
            raise ValueError(f"shape {shape!r} is not (channels, height, width)")
        steps = tuple(dict(step) for step in values["steps"])
        if not all(isinstance(step.get("name"), str) for step in steps):
            raise ValueError("a step has no name")
        sizes = [step["size"] for step in steps if "size" in step]
        fit = values["fit"]
        if not all(isinstance(s, int) and 0 < s <= MAX_SIDE for s in [*sizes, *(fit or ())]) or (fit and len(fit) != 2):
            raise ValueError(f"its sizes are not whole numbers from 1 to {MAX_SIDE}")
        if values["input"] != INPUT or tuple(values["outputs"]) != OUTPUTS[values["task"]]:
            raise ValueError(f"a {values['task']} graph takes {INPUT!r} and answers {OUTPUTS[values['task']]}")
        return cls(
            **{
                **values,
                "classes": tuple(str(c) for c in values["classes"]),
                "shape": shape,
                "fit": tuple(int(s) for s in fit) if fit is not None else None,
                "steps": steps,
                "mean": tuple(float(m) for m in values["mean"]),
                "std": tuple(float(s) for s in values["std"]),
                "outputs": tuple(str(o) for o in values["outputs"]),
            }
        )


def of_program(program: Program, classes: tuple[str, ...], run: str, checkpoint: str, sha256: str) -> Contract:
    """The contract of a run's network as its resolved recipe describes it."""
    info, steps = program.data.info, program.augment.eval
    cut = next((i for i, step in enumerate(steps) if step.name == "normalize"), len(steps))
    refused = [step.name for step in steps[cut + 1 :]]
    if program.task.name not in OUTPUTS:
        raise ValueError(f"{program.task.name} networks cannot be exported yet")
    if refused:
        raise ValueError(f"augment.eval runs {', '.join(refused)} after normalize; an export cannot carry it")
    normalize = steps[cut].params if cut < len(steps) else {}
    channels = program.input_shapes["eval"][0]
    mean = tuple(normalize.get("mean") or (info.mean if normalize else (0.0,) * channels))
    std = tuple(normalize.get("std") or (info.std if normalize else (1.0,) * channels))
    shape = program.input_shapes["eval"]
    return Contract(
        task=program.task.name,
        classes=tuple(classes),
        colour="L" if channels == 1 else "RGB",
        shape=tuple(shape),
        fit=tuple(info.shape[1:]) if info.in_memory and info.shape else None,
        steps=tuple({"name": step.name, **step.params} for step in steps[:cut]),
        mean=mean,
        std=std,
        backend=program.backend,
        recipe=program.name,
        run=run,
        checkpoint=checkpoint,
        checkpoint_sha256=sha256,
        outputs=OUTPUTS[program.task.name],
    )
