"""A generated data set for detection and segmentation that needs no download: circles, squares and
triangles in bright colours on noisy dark backgrounds, with exact boxes and masks. It is written
once, as COCO-format folders, so the reader of users' COCO files reads it too; the same seed
gives the same bytes, and image i is the same whatever the split's size.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from pycocotools import mask as coco_mask

CATEGORIES = ("circle", "square", "triangle")  # COCO ids 1, 2, 3
# Bright, and drawn independently of the shape: the shape, not the colour, is what a model must learn.
COLOURS = (
    (235, 64, 52),
    (60, 200, 75),
    (65, 120, 245),
    (245, 215, 50),
    (225, 80, 225),
    (60, 215, 225),
    (250, 150, 40),
    (240, 240, 240),
)
SIDE = (0.2, 0.45)  # an object's size, as fractions of the image's side
TRIES = 8  # places drawn for an object before it takes the one that overlaps the others least
OVERLAP = 0.1  # of a new object's area that may cover earlier objects
KEPT = 0.3  # of its drawn area an object must keep visible, or it is dropped
VERSION = 1  # in the folder's name, so that a change to the drawing never reuses an older folder


def write_shapes(root: Path, seed: int, image_size: int, train_size: int, val_size: int, max_objects: int = 3) -> Path:
    """The folder holding train/ and val/, each images/*.png and annotations.json, written unless
    it is there already. Safe when several processes (DDP ranks) call it at once: each writes a
    temporary folder beside it, and the first rename wins; the others use the winner's."""
    if image_size < 16 or max_objects < 1 or min(train_size, val_size) < 0:
        raise ValueError("write_shapes needs image_size >= 16, max_objects >= 1 and split sizes >= 0")
    name = f"shapes-v{VERSION}-{image_size}px-{train_size}+{val_size}-max{max_objects}-seed{seed}"
    folder = root / name
    if folder.is_dir():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    try:
        for part, (split, size) in enumerate((("train", train_size), ("val", val_size))):
            _write_split(temp / split, (seed, part), size, image_size, max_objects)
        os.rename(temp, folder)
    except OSError:
        if not folder.is_dir():  # a failure of our own, not another process's finished folder
            raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return folder


def _write_split(folder: Path, stream: tuple[int, int], count: int, side: int, max_objects: int) -> None:
    (folder / "images").mkdir(parents=True)
    images, annotations = [], []
    for i in range(count):
        pixels, objects = _draw(np.random.default_rng([*stream, i]), side, max_objects)
        file_name = f"{i:06d}.png"
        Image.fromarray(pixels).save(folder / "images" / file_name, compress_level=1)
        images.append({"id": i + 1, "file_name": file_name, "width": side, "height": side})
        for category, colour, mask in objects:
            annotations.append(_annotation(len(annotations) + 1, i + 1, category, colour, mask))
    categories = [{"id": i + 1, "name": name, "supercategory": "shape"} for i, name in enumerate(CATEGORIES)]
    info = {"description": "runner's generated shapes", "seed": stream[0], "version": VERSION}
    coco = {"info": info, "images": images, "annotations": annotations, "categories": categories}
    (folder / "annotations.json").write_text(json.dumps(coco, separators=(",", ":")))


def _draw(rng: np.random.Generator, side: int, max_objects: int) -> tuple[np.ndarray, list]:
    """The image, and its objects (category index, colour, mask) with disjoint masks of the
    pixels each shows, in drawing order."""
    background = rng.integers(0, 90, 3)
    pixels = np.clip(background + rng.normal(0, 12, (side, side, 3)), 0, 255).astype(np.uint8)
    count = int(rng.integers(1, max_objects + 1))
    colours = rng.choice(len(COLOURS), count, replace=count > len(COLOURS))  # distinct where they can be
    objects = []  # [category, colour, mask, area drawn]
    for colour in colours.tolist():
        category = int(rng.integers(len(CATEGORIES)))
        mask = _place(rng, category, side, [o[2] for o in objects])
        for o in objects:
            o[2] &= ~mask
        objects = [o for o in objects if o[2].sum() >= KEPT * o[3]]
        objects.append([category, COLOURS[colour], mask, int(mask.sum())])
    for _, colour, mask, _ in objects:
        pixels[mask] = colour
    return pixels, [(category, colour, mask) for category, colour, mask, _ in objects]


def _place(rng: np.random.Generator, category: int, side: int, masks: list[np.ndarray]) -> np.ndarray:
    """The mask of one object, at the first of TRIES places that covers little of `masks`, else
    at the place that covers least."""
    taken = np.logical_or.reduce(masks) if masks else np.zeros((side, side), bool)
    best = None
    for _ in range(TRIES):
        mask = _shape(rng, category, side)
        covered = np.count_nonzero(mask & taken) / np.count_nonzero(mask)
        if best is None or covered < best[0]:
            best = (covered, mask)
        if covered <= OVERLAP:
            break
    return best[1]


def _shape(rng: np.random.Generator, category: int, side: int) -> np.ndarray:
    """The pixels of one shape drawn on its own canvas, fully inside the image."""
    size = rng.uniform(*SIDE) * side
    x0, y0 = rng.uniform(0, side - size, 2)
    box = (x0, y0, x0 + size - 1, y0 + size - 1)  # PIL's corners are inclusive
    canvas = Image.new("L", (side, side))
    DRAW[CATEGORIES[category]](ImageDraw.Draw(canvas), box, rng)
    return np.asarray(canvas) > 0


def _triangle(draw: ImageDraw.ImageDraw, box: tuple, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    pointing = (  # up, down, left, right
        [(cx, y0), (x0, y1), (x1, y1)],
        [(x0, y0), (x1, y0), (cx, y1)],
        [(x0, cy), (x1, y0), (x1, y1)],
        [(x0, y0), (x0, y1), (x1, cy)],
    )
    draw.polygon(pointing[int(rng.integers(4))], fill=255)


DRAW = {
    "circle": lambda draw, box, rng: draw.ellipse(box, fill=255),
    "square": lambda draw, box, rng: draw.rectangle(box, fill=255),
    "triangle": _triangle,
}


def _annotation(annotation_id: int, image_id: int, category: int, colour: tuple, mask: np.ndarray) -> dict:
    """COCO's record of one object: the tight box of its mask ([x, y, w, h], x + w one past the
    last column), the mask as compressed RLE, and its colour (an extra key COCO readers ignore)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    rle = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": category + 1,
        "bbox": [int(cols[0]), int(rows[0]), int(cols[-1] + 1 - cols[0]), int(rows[-1] + 1 - rows[0])],
        "area": int(np.count_nonzero(mask)),
        "iscrowd": 0,
        "segmentation": {"size": list(mask.shape), "counts": rle["counts"].decode("ascii")},
        "colour": list(colour),
    }
