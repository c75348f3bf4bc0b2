"""The training loop's derived numbers, computed here and only here: split sizes, batches and
optimizer steps per epoch, total and warm-up steps, the effective batch, and the learning-rate
curve over steps. `runner show` prints each with how it was derived; the backends receive them
as numbers."""

import math
from dataclasses import dataclass, field

from runner.catalog import schedules
from runner.catalog.schedules import Shape
from runner.recipe.errors import RunFailed
from runner.recipe.specs import DataSpec, LoopSpec, ScheduleSpec, data_spec, loop_spec, schedule_spec


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


@dataclass(frozen=True)
class Numbers:
    train_size: int
    val_size: int
    batches_per_epoch: int
    steps_per_epoch: int
    total_steps: int
    warmup_steps: int
    effective_batch: int
    notes: dict[str, Derived] = field(default_factory=dict)


def split_sizes(data: DataSpec, available: int, test_size: int) -> tuple[int, int]:
    """(train, val) image counts: a seeded `val_fraction` of train, or the whole test split."""
    if data.val_fraction > 0:
        val = max(1, round(available * data.val_fraction))
        return available - val, val
    return available, test_size


def schedule_shape(schedule: ScheduleSpec) -> Shape:
    return schedules.get(schedule.name).function(**schedule.params)


def derive(data: DataSpec, loop: LoopSpec, schedule: ScheduleSpec, train_size: int, val_size: int) -> Numbers:
    """Every number the loop needs, from the recipe's parts and the split sizes."""
    batch, accumulate, epochs = data.batch_size, loop.accumulate, loop.epochs
    batches = max(1, train_size // batch)
    steps = math.ceil(batches / accumulate)
    total = steps * epochs
    notes = {
        "train images": Derived(train_size, "images", _split_how(data)),
        "val images": Derived(val_size, "images", _split_how(data, val=True)),
        "batches per epoch": Derived(
            batches, "batches", f"{train_size} // batch_size {batch} (last partial batch dropped)"
        ),
        "steps per epoch": Derived(steps, "optimizer steps", f"ceil({batches} batches / accumulate {accumulate})"),
        "total steps": Derived(total, "optimizer steps", f"{steps} steps/epoch x {epochs} epochs"),
    }
    shape = schedule_shape(schedule)
    if schedule.warmup_steps:
        warmup, how = schedule.warmup_steps, "schedule.warmup_steps"
    elif schedule.warmup_epochs:
        warmup = round(schedule.warmup_epochs * steps)
        how = f"round(warmup_epochs {schedule.warmup_epochs:g} x {steps} steps/epoch)"
    else:
        warmup = round(shape.warmup_fraction * total)
        how = f"{shape.warmup_fraction:g} x {total} total steps ({schedule.name} default)" if warmup else "none set"
    notes["warm-up steps"] = Derived(warmup, "optimizer steps", how)
    effective = batch * accumulate
    notes["effective batch"] = Derived(
        effective, "images per optimizer step", f"batch_size {batch} x accumulate {accumulate}"
    )
    return Numbers(train_size, val_size, batches, steps, total, warmup, effective, notes)


def known_before_files(recipe: dict) -> Numbers | None:
    """The numbers of a normalized recipe whose dataset sizes are known without reading it; None
    for image files, which are counted when they are read."""
    return before_files(data_spec(recipe), loop_spec(recipe), schedule_spec(recipe))


def before_files(data: DataSpec, loop: LoopSpec, schedule: ScheduleSpec) -> Numbers | None:
    """known_before_files, from the recipe's parts."""
    if data.info.train_size is None:
        return None
    train, val = split_sizes(data, data.info.train_size, data.info.test_size)
    return derive(data, loop, schedule, train, val)


def lr_curve(numbers: Numbers, schedule: ScheduleSpec) -> LrCurve:
    return LrCurve(schedule_shape(schedule), numbers.total_steps, numbers.warmup_steps, numbers.steps_per_epoch)


def per_process_batch(batch: int, processes: int) -> int:
    """data.batch_size counts images across all processes; each loads an equal share."""
    if batch % processes:
        raise RunFailed(
            f"data.batch_size: {batch} images cannot be shared evenly by {processes} "
            f"processes; use a multiple of {processes}"
        )
    return batch // processes


def _split_how(data: DataSpec, val: bool = False) -> str:
    if data.val_fraction > 0:
        part = f"{data.val_fraction:g}" if val else f"1 - {data.val_fraction:g}"
        return f"{part} of the training split, seeded by seed {data.seed}"
    return "the test split" if val else "the training split"
