"""The images an export is checked on and shipped with: a run's validation images as its dataset
holds them (uint8 (C, H, W), before any eval step), each with its label where the task has one;
stand-in images of the recipe's stored shape when the data is not on this machine."""

from dataclasses import dataclass

import numpy as np

from runner.data import order, stand_in
from runner.data.arrays import load_arrays
from runner.deploy.preprocess import decode
from runner.recipe.compile import Program
from runner.recipe.errors import RecipeInvalid, RunFailed

SEED = 0  # the same images on every export of a run


@dataclass
class Held:
    images: list  # uint8 (C, H, W) arrays, possibly of different sizes
    labels: list  # class index of each image, or None (stand-in images, or a dense task)
    source: str  # "validation images" or "stand-in images (why)"
    stand_in: bool = False


def validation_images(program: Program, limit: int) -> Held:
    """Up to `limit` of the run's validation images, chosen with a fixed seed; stand-in images when
    its data cannot be read here."""
    try:
        return _validation(program, limit)
    except (
        OSError,
        ValueError,
        KeyError,
        RunFailed,
        RecipeInvalid,
    ) as e:  # absent or unreadable data: say so, check on stand-ins
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        rng = np.random.default_rng(SEED)
        shape = stand_in.shape(program)
        images = [rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(limit)]
        return Held(images, [None] * limit, f"stand-in images ({why[:200]})", stand_in=True)


def _validation(program: Program, limit: int) -> Held:
    if program.task.name != "classification":
        from runner.data import dense
        from runner.data.annotated import load_image

        found = dense.split(program)[0]
        chosen = _chosen(len(found.val), limit)
        images = [load_image(found.val[i].file).transpose(2, 0, 1) for i in chosen]
        return Held(images, [None] * len(images), "validation images")
    if program.data.info.in_memory:
        arrays = load_arrays(program.data)
        chosen = _chosen(len(arrays.y_val), limit)
        return Held([arrays.x_val[i] for i in chosen], [int(arrays.y_val[i]) for i in chosen], "validation images")
    from runner.data import imagefiles

    files = imagefiles.split(program, fetch=False)[0].val
    chosen = _chosen(len(files), limit)
    return Held([decode(files[i][0], "RGB") for i in chosen], [files[i][1] for i in chosen], "validation images")


def _chosen(n: int, limit: int) -> list[int]:
    if n == 0:
        raise ValueError("the validation split holds no images")
    return order.sample(n, limit, SEED).tolist()
