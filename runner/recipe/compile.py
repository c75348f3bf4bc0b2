"""Stage 4: normalized recipe -> Program, the resolved components and every derived number
(runner.recipe.numbers computes them; the backends receive them as numbers)."""

from dataclasses import dataclass

from runner.catalog.datasets import DatasetInfo
from runner.recipe.facts import dataset_info
from runner.recipe.numbers import LrCurve, Numbers, derive, known_before_files, lr_curve, schedule_shape


@dataclass
class Program:
    recipe: dict
    dataset: DatasetInfo
    num_classes: int | None  # None until a `folder` dataset's classes are counted
    numbers: Numbers | None  # None until a `folder` dataset's images are counted
    lr: LrCurve | None


def compile_recipe(recipe: dict) -> Program:
    """The Program for a normalized recipe, with the numbers known before any file is read."""
    info = dataset_info(recipe)
    classes = recipe["model"]["num_classes"]
    num_classes = info.num_classes if classes == "auto" else classes
    numbers = known_before_files(recipe)
    lr = lr_curve(numbers, schedule_shape(recipe)) if numbers else None
    return Program(recipe, info, num_classes, numbers, lr)


def with_counts(program: Program, num_classes: int, train_size: int, val_size: int) -> Program:
    """The Program of a file-backed dataset once its folders have been counted."""
    recipe = program.recipe
    classes = num_classes if recipe["model"]["num_classes"] == "auto" else recipe["model"]["num_classes"]
    shape = schedule_shape(recipe)
    numbers = derive(recipe, train_size, val_size, shape)
    return Program(recipe, program.dataset, classes, numbers, lr_curve(numbers, shape))
