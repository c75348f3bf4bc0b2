"""The augmentation pipeline's assembly, shared by both backends: each step's implementation looked
up by its registered name, the split of a stage between single images (in the data workers, for
image files) and whole batches (on the device), and the batched part's order of application.
The backends supply only their tensor code: a table of step builders, a uint8-to-float
conversion, and how to run their CPU kernels on one thread.

The batched steps run on one intra-op thread, as DataLoader workers do; the training step keeps
the framework's threads. Each step is a few small kernels, and on a CPU that other work shares,
every multi-threaded kernel waits at its barrier for a descheduled thread: with both cores of a
2-core machine busy, the steps ran 3 to 25 times slower on torch's 2 threads than on one, at
times behind torchvision's per-sample loader (benchmarks/data_path.py --load). On an idle CPU one
thread costs them a fifth, a fraction of a percent of a training step; on a GPU it is moot."""

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from runner.catalog import augmentations
from runner.catalog.datasets import DENSE
from runner.recipe.compile import Program
from runner.recipe.specs import Step


def device_start(steps: Sequence[Step]) -> int:
    """Index of the first step that runs on the device in a split pipeline: normalize, or
    without one the first step that mixes the batch; len(steps) when there is neither."""
    for i, step in enumerate(steps):
        if step.name == "normalize" or augmentations.get(step.name).info.get("batch", False):
            return i
    return len(steps)


def implementations(table: dict, steps: Sequence[Step], backend: str) -> list:
    """(builder, params) for each step, from `table` (step name -> builder); a step the table lacks
    is refused, naming the backends that have it."""
    found = []
    for step in steps:
        if step.name not in table:
            entry = augmentations.get(step.name)
            where = f"declared for the {' and '.join(entry.backends)} backend only" if entry else "not registered"
            raise NotImplementedError(f"augmentation {step.name!r} is {where}; the {backend} backend has no such step")
        found.append((table[step.name], step.params))
    return found


class Pipeline:
    """A batch of uint8 images -> float in [0, 1] (the backend's `to_float`) -> each step in order;
    returns (images, target). A step marked `mixes_labels` maps (images, target) to (images,
    target), target becoming soft labels; the others map images to images. All of it runs inside
    `one_thread()` (the module's docstring says why)."""

    def __init__(self, steps: list, to_float: Callable, one_thread: Callable = nullcontext):
        self.steps, self.to_float, self.one_thread = steps, to_float, one_thread

    def __call__(self, x, y):
        with self.one_thread():
            x, target = self.to_float(x), y
            for step in self.steps:
                if getattr(step, "mixes_labels", False):
                    x, target = step(x, target)
                else:
                    x = step(x)
            return x, target


@dataclass(frozen=True)
class Assembly:
    """How one backend assembles its pipelines: its table of batched steps (step name ->
    builder(program, **params)), its uint8-to-float conversion, and its per-image transform of a
    list of steps (for the data workers of image files)."""

    backend: str
    builders: dict
    to_float: Callable
    per_image: Callable
    # The per-image transform of augment.eval's steps, where it differs from `per_image`'s
    per_image_eval: Callable | None = None
    # A context manager in which the framework's CPU kernels run on one intra-op thread
    one_thread: Callable = nullcontext

    def batched(self, program: Program, steps: Sequence[Step]) -> Pipeline:
        """`steps` (of augment.train or .eval) as one pipeline on whole batches."""
        built = [build(program, **params) for build, params in implementations(self.builders, steps, self.backend)]
        return Pipeline(built, self.to_float, self.one_thread)

    def whole(self, program: Program, stage: str) -> Pipeline:
        """Every step of augment.<stage> ("train" or "eval") on whole batches: in-memory data."""
        return self.batched(program, program.augment.stage(stage))

    def split(self, program: Program, stage: str):
        """(per-image transform, batched pipeline) for image files: every step before the device
        part on each image in the workers, then the rest on the batch (only the float conversion
        when there is no device step). Detection and segmentation move their boxes and masks with
        the image in the per-image part, shared by both backends; only `normalize` follows."""
        steps = program.augment.stage(stage)
        cut = device_start(steps)
        if program.task.name in DENSE:
            from runner.data.steps.dense import DenseTransform

            return DenseTransform(steps[:cut], program.task.name), self.batched(program, steps[cut:])
        per_image = self.per_image_eval if stage == "eval" and self.per_image_eval else self.per_image
        return per_image(steps[:cut]), self.batched(program, steps[cut:])
