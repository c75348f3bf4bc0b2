"""The training loop's derived numbers, computed here and only here: split sizes, batches and
optimizer steps per epoch, total and warm-up steps, the effective batch, and the learning-rate
curve over steps. `runner show` prints each with how it was derived; the backends receive them
as numbers."""

import math
from dataclasses import dataclass, field

from runner.catalog import schedules
from runner.catalog.datasets import DatasetInfo
from runner.catalog.schedules import Shape
from runner.recipe.errors import RunFailed
from runner.recipe.facts import dataset_info, schedule_params


@dataclass(frozen=True)
class Derived:
    value: object
    unit: str
    how: str


@dataclass(frozen=True)
class LrCurve:
    """Multiplier of the peak learning rate at each optimizer step (0-based)."""

    shape: Shape
    total_steps: int
    warmup_steps: int
    steps_per_epoch: int

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            start = self.shape.warmup_start
            return start + (1.0 - start) * (step + 1) / self.warmup_steps
        after = self.total_steps - self.warmup_steps
        return self.shape.factor(step - self.warmup_steps, after, self.steps_per_epoch)


@dataclass
class Numbers:
    train_size: int
    val_size: int
    batches_per_epoch: int
    steps_per_epoch: int
    total_steps: int
    warmup_steps: int
    effective_batch: int
    notes: dict[str, Derived] = field(default_factory=dict)


def split_sizes(recipe: dict, info: DatasetInfo, available: int, test_size: int) -> tuple[int, int]:
    """(train, val) image counts: a seeded `val_fraction` of train, or the whole test split."""
    fraction = recipe["data"]["val_fraction"]
    if fraction > 0:
        val = max(1, round(available * fraction))
        return available - val, val
    return available, test_size


def schedule_shape(recipe: dict) -> Shape:
    return schedules.get(recipe["schedule"]["name"]).function(**schedule_params(recipe))


def derive(recipe: dict, train_size: int, val_size: int, shape: Shape) -> Numbers:
    """Every number the loop needs, from the recipe and the split sizes."""
    data, train, sched = recipe["data"], recipe["train"], recipe["schedule"]
    batch, accumulate, epochs = data["batch_size"], train["accumulate"], train["epochs"]
    batches = max(1, train_size // batch)
    steps = math.ceil(batches / accumulate)
    total = steps * epochs
    notes = {
        "train images": Derived(train_size, "images", _split_how(recipe)),
        "val images": Derived(val_size, "images", _split_how(recipe, val=True)),
        "batches per epoch": Derived(
            batches, "batches", f"{train_size} // batch_size {batch} (last partial batch dropped)"
        ),
        "steps per epoch": Derived(steps, "optimizer steps", f"ceil({batches} batches / accumulate {accumulate})"),
        "total steps": Derived(total, "optimizer steps", f"{steps} steps/epoch x {epochs} epochs"),
    }
    if sched["warmup_steps"]:
        warmup, how = sched["warmup_steps"], "schedule.warmup_steps"
    elif sched["warmup_epochs"]:
        warmup = round(sched["warmup_epochs"] * steps)
        how = f"round(warmup_epochs {sched['warmup_epochs']:g} x {steps} steps/epoch)"
    else:
        warmup = round(shape.warmup_fraction * total)
        how = f"{shape.warmup_fraction:g} x {total} total steps ({sched['name']} default)" if warmup else "none set"
    notes["warm-up steps"] = Derived(warmup, "optimizer steps", how)
    effective = batch * accumulate
    notes["effective batch"] = Derived(
        effective, "images per optimizer step", f"batch_size {batch} x accumulate {accumulate}"
    )
    return Numbers(train_size, val_size, batches, steps, total, warmup, effective, notes)


def known_before_files(recipe: dict) -> Numbers | None:
    """The numbers of a dataset whose sizes are known without reading it; None for files."""
    info = dataset_info(recipe)
    if info.train_size is None:
        return None
    train, val = split_sizes(recipe, info, info.train_size, info.test_size)
    return derive(recipe, train, val, schedule_shape(recipe))


def lr_curve(numbers: Numbers, shape: Shape) -> LrCurve:
    return LrCurve(shape, numbers.total_steps, numbers.warmup_steps, numbers.steps_per_epoch)


def per_process_batch(batch: int, processes: int) -> int:
    """data.batch_size counts images across all processes; each loads an equal share."""
    if batch % processes:
        raise RunFailed(
            f"data.batch_size: {batch} images cannot be shared evenly by {processes} "
            f"processes; use a multiple of {processes}"
        )
    return batch // processes


def _split_how(recipe: dict, val: bool = False) -> str:
    fraction = recipe["data"]["val_fraction"]
    if fraction > 0:
        part = f"{fraction:g}" if val else f"1 - {fraction:g}"
        return f"{part} of the training split, seeded by seed {recipe['seed']}"
    return "the test split" if val else "the training split"
