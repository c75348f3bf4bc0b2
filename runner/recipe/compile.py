"""Stage 4: normalized recipe -> Program: the recipe's typed parts (runner.recipe.specs), its task,
and every derived number (runner.recipe.numbers). Backends read a Program, never the recipe."""

import dataclasses
from dataclasses import dataclass

from runner.catalog.tasks import TASKS, Task
from runner.recipe import specs
from runner.recipe.facts import input_shape
from runner.recipe.load import Lines
from runner.recipe.numbers import LrCurve, Numbers, before_files, derive, lr_curve


@dataclass(frozen=True)
class Program:
    name: str
    backend: str
    task: Task
    data: specs.DataSpec
    model: specs.ModelSpec
    augment: specs.AugmentSpec
    optim: specs.OptimizerSpec
    schedule: specs.ScheduleSpec
    loop: specs.LoopSpec
    hardware: specs.HardwareSpec
    log: specs.LogSpec
    input_shapes: dict[str, tuple]  # (channels, height, width) each pipeline hands the network
    numbers: Numbers | None  # None until a folder dataset's images are counted
    lr: LrCurve | None
    lines: Lines | None = None  # where each key came from, for messages that point into the recipe

    @property
    def seed(self) -> int:
        return self.data.seed

    @property
    def num_classes(self) -> int | None:
        return self.model.num_classes

    def where(self, *path) -> str:
        """`file:line` of a key path (or the recipe itself when the lines are unknown)."""
        return self.lines.where(path) if self.lines else self.name


def compile_recipe(recipe: dict, lines: Lines | None = None) -> Program:
    """The Program for a normalized recipe, with the numbers known before any file is read."""
    data, loop, schedule = specs.data_spec(recipe), specs.loop_spec(recipe), specs.schedule_spec(recipe)
    numbers = before_files(data, loop, schedule)
    return Program(
        name=recipe["name"],
        backend=recipe["backend"],
        task=TASKS[recipe["task"]],
        data=data,
        model=specs.model_spec(recipe),
        augment=specs.augment_spec(recipe),
        optim=specs.optimizer_spec(recipe),
        schedule=schedule,
        loop=loop,
        hardware=specs.hardware_spec(recipe),
        log=specs.log_spec(recipe),
        input_shapes={stage: input_shape(recipe, data.info, stage) for stage in ("train", "eval")},
        numbers=numbers,
        lr=lr_curve(numbers, schedule) if numbers else None,
        lines=lines,
    )


def with_counts(program: Program, num_classes: int, train_size: int, val_size: int) -> Program:
    """The Program of a file-backed dataset once its folders have been counted; an explicit
    model.num_classes stands (data/imagefiles.py refuses one that disagrees with the folders)."""
    numbers = derive(program.data, program.loop, program.schedule, train_size, val_size)
    program = with_classes(program, num_classes)
    return dataclasses.replace(program, numbers=numbers, lr=lr_curve(numbers, program.schedule))


def with_classes(program: Program, num_classes: int) -> Program:
    """The Program with the number of classes its data turned out to have, where the recipe left it
    to the data (model.num_classes: auto)."""
    if not program.model.num_classes_auto:
        return program
    return dataclasses.replace(program, model=dataclasses.replace(program.model, num_classes=num_classes))
