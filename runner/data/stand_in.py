"""The data `runner run --dry-run` trains on, on either backend: random uint8 images of the
recipe's stored shape, labels spread over every class, so recipes whose data is absent are still
proven runnable."""

from dataclasses import replace
from pathlib import Path

import numpy as np

from runner.data.arrays import Arrays
from runner.recipe.compile import Program, with_counts
from runner.recipe.facts import COLOUR_CHANNELS, CROPS

BATCH = 4  # images per stand-in step: enough for batch norm, small enough for any CPU
CLASSES = 10  # for a folder whose classes are not counted yet


def counted(program: Program) -> Program:
    """The Program with stand-in counts where the files have not been counted."""
    if program.numbers is not None:
        return program
    batch = program.data.batch_size
    return with_counts(program, program.num_classes or CLASSES, max(BATCH, batch), BATCH)


def shape(program: Program) -> tuple[int, int, int]:
    """The stored image shape to imitate: the dataset's, or for files of any size, square images
    as large as the largest size a step of either pipeline asks for."""
    if program.data.info.shape:
        return program.data.info.shape
    steps = program.augment.train + program.augment.eval
    sizes = [s.params["size"] for s in steps if s.name in CROPS or s.name == "resize"]
    side = max(sizes, default=224)
    return (COLOUR_CHANNELS, side, side)


def arrays(program: Program, images: int) -> Arrays:
    """Random uint8 images of the stored shape, labels spread over every class."""
    rng = np.random.default_rng(program.seed)
    stored, classes = shape(program), program.num_classes

    def draw():
        return (rng.integers(0, 256, (images, *stored), dtype=np.uint8), (np.arange(images) % classes).astype(np.int64))

    return Arrays(*draw(), *draw())


def annotated(program: Program, folder: Path, images: int):
    """Detection and segmentation's stand-in: `images` generated shapes for each stage, at the
    recipe's image size, with exact boxes and masks, written under `folder`; the DenseSplit and
    the Program counted with it (the recipe's own num_classes standing where it gives one)."""
    from runner.data import dense
    from runner.data.coco_format import read_coco
    from runner.data.shapes import write_shapes

    side = max(shape(program)[1], 32)
    written = write_shapes(folder, program.seed, side, images, images)
    train, val = (read_coco(written / s / "annotations.json", written / s / "images", False, "data") for s in SPLITS)
    found = dense.from_coco(program, train, val)
    if program.num_classes:  # the recipe's own count: the shapes' labels folded into it
        objects = program.num_classes - (program.task.name == "segmentation")  # less the background
        folded = [tuple(replace(x, labels=x.labels % objects) for x in part) for part in (found.train, found.val)]
        found = replace(found, train=folded[0], val=folded[1])
    return found, with_counts(program, program.num_classes or len(found.classes), images, images)


SPLITS = ("train", "val")
