"""Stage 4: normalized recipe -> Program, the resolved components and every derived number.

Steps per epoch, warm-up and schedule lengths and batch sizes are computed here and only here;
`runner show` prints them with how they were derived and the backends receive them as numbers.
"""
import math
from dataclasses import dataclass, field

from runner.catalog import datasets, schedules
from runner.catalog.backbones import lookup as lookup_backbone
from runner.catalog.datasets import DatasetInfo
from runner.catalog.schedules import Shape
from runner.errors import RunFailed


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


@dataclass
class Program:
    recipe: dict
    dataset: DatasetInfo
    num_classes: int | None  # None until a `folder` dataset's classes are counted
    numbers: Numbers | None  # None until a `folder` dataset's images are counted
    lr: LrCurve | None


def dataset_params(recipe: dict) -> dict:
    """The data section's parameters that belong to the dataset itself."""
    entry = datasets.get(recipe["data"]["dataset"])
    return {k: v for k, v in recipe["data"].items() if k in entry.params}


def dataset_info(recipe: dict) -> DatasetInfo:
    return datasets.get(recipe["data"]["dataset"]).function(**dataset_params(recipe))


def split_sizes(recipe: dict, info: DatasetInfo, available: int, test_size: int) -> tuple[int, int]:
    """(train, val) image counts: a seeded `val_fraction` of train, or the whole test split."""
    fraction = recipe["data"]["val_fraction"]
    if fraction > 0:
        val = max(1, round(available * fraction))
        return available - val, val
    return available, test_size


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
        "batches per epoch": Derived(batches, "batches", f"{train_size} // batch_size {batch} (last partial batch dropped)"),
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
    notes["effective batch"] = Derived(effective, "images per optimizer step", f"batch_size {batch} x accumulate {accumulate}")
    return Numbers(train_size, val_size, batches, steps, total, warmup, effective, notes)


def compile_recipe(recipe: dict) -> Program:
    """The Program for a normalized recipe, with the numbers known before any file is read."""
    info = dataset_info(recipe)
    classes = recipe["model"]["num_classes"]
    num_classes = info.num_classes if classes == "auto" else classes
    shape = schedules.get(recipe["schedule"]["name"]).function(**schedule_params(recipe))
    if info.train_size is None:
        return Program(recipe, info, num_classes, None, None)
    train, val = split_sizes(recipe, info, info.train_size, info.test_size)
    numbers = derive(recipe, train, val, shape)
    lr = LrCurve(shape, numbers.total_steps, numbers.warmup_steps, numbers.steps_per_epoch)
    return Program(recipe, info, num_classes, numbers, lr)


def per_process_batch(batch: int, processes: int) -> int:
    """data.batch_size counts images across all processes; each loads an equal share."""
    if batch % processes:
        raise RunFailed(f"data.batch_size: {batch} images cannot be shared evenly by {processes} "
                        f"processes; use a multiple of {processes}")
    return batch // processes


def with_counts(program: Program, num_classes: int, train_size: int, val_size: int) -> Program:
    """The Program of a file-backed dataset once its folders have been counted."""
    recipe = program.recipe
    classes = num_classes if recipe["model"]["num_classes"] == "auto" else recipe["model"]["num_classes"]
    shape = schedules.get(recipe["schedule"]["name"]).function(**schedule_params(recipe))
    numbers = derive(recipe, train_size, val_size, shape)
    lr = LrCurve(shape, numbers.total_steps, numbers.warmup_steps, numbers.steps_per_epoch)
    return Program(recipe, program.dataset, classes, numbers, lr)


# Steps that make every image size x size; `resize` sets only the shorter side.
CROPS = ("center_crop", "random_crop", "random_resized_crop")
COLOUR_CHANNELS = 3  # files are decoded as RGB


def shapes_through(recipe: dict, info: DatasetInfo, stage: str):
    """(index, step, shape before, shape after) for each step of augment.<stage>; a shape is
    (channels, height, width), with height and width None while images vary in size."""
    shape = info.shape or (COLOUR_CHANNELS, None, None)
    for i, step in enumerate(recipe["augment"][stage]):
        before, (c, h, w) = shape, shape
        if step["name"] in CROPS:
            shape = (c, step["size"], step["size"])
        elif step["name"] == "resize" and h is not None:
            # as torchvision's Resize: the shorter side becomes size, the longer int(size * ratio)
            size, short = step["size"], min(h, w)
            shape = (c, size if h == short else int(size * h / short), size if w == short else int(size * w / short))
        yield i, step, before, shape


def input_shape(recipe: dict, info: DatasetInfo, stage: str = "train") -> tuple:
    """The (channels, height, width) the network receives from augment.<stage>."""
    shape = info.shape or (COLOUR_CHANNELS, None, None)
    for _, _, _, shape in shapes_through(recipe, info, stage):
        pass
    return shape


def schedule_params(recipe: dict) -> dict:
    entry = schedules.get(recipe["schedule"]["name"])
    return {k: v for k, v in recipe["schedule"].items() if k in entry.params}


def backbone_family(recipe: dict) -> str:
    return lookup_backbone(recipe["model"]["backbone"]).info["family"]


def _split_how(recipe: dict, val: bool = False) -> str:
    fraction = recipe["data"]["val_fraction"]
    if fraction > 0:
        part = f"{fraction:g}" if val else f"1 - {fraction:g}"
        return f"{part} of the training split, seeded by seed {recipe['seed']}"
    return "the test split" if val else "the training split"
