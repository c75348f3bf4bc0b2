"""Detection and segmentation data, for both backends: the annotated images of each stage read
from the recipe's dataset (shapes, written once; COCO 2017 and VOC 2012, fetched verified; a
COCO-format folder; a mask folder), the class names the network learns, and each image loaded
with its target through the per-image steps.

Segmentation learns the background as class 0, then each category; detection learns the
categories alone (a detector's own background is its business)."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.catalog.tasks import IGNORE_INDEX
from runner.data.annotated import Sample, load_image, semantic_mask
from runner.data.coco_format import CocoSet, read_coco
from runner.data.files.sources import SOURCES
from runner.data.files.store import prepare
from runner.data.mask_folder import scan_masks
from runner.data.shapes import write_shapes
from runner.data.voc import read_voc
from runner.recipe.compile import Program, with_counts
from runner.recipe.environment import mirror
from runner.recipe.errors import RunFailed
from runner.recipe.numbers import split_sizes


@dataclass(frozen=True)
class DenseSplit:
    classes: tuple[str, ...]  # what the network tells apart, in index order
    category_ids: tuple[int, ...]  # the annotation file's id of each category; () for mask folders
    train: tuple[Sample, ...]
    val: tuple[Sample, ...]
    skipped: tuple[str, ...]  # one line per bad image or annotation data.skip_bad left out
    ignore_index: int = IGNORE_INDEX  # the value in the stored masks that counts for no class


def split(program: Program, stage: str = "val") -> tuple[DenseSplit, Program]:
    """The annotated images of training and of `stage` ("val": the run's validation images, held
    out of train or the val files; "test": the val files themselves), and the Program completed
    with the counted numbers."""
    data, task = program.data, program.task.name
    reader = READERS[data.dataset]
    found = reader(program, stage)
    n_classes = len(found.classes)
    model = program.model
    if not model.num_classes_auto and model.num_classes != n_classes:
        raise RunFailed(
            f"model.num_classes: {model.num_classes} disagrees with the {n_classes} classes the {task} data "
            f"has ({', '.join(found.classes[:6])}{', ...' if n_classes > 6 else ''}); set num_classes: auto"
        )
    if len(found.train) < data.batch_size:
        raise RunFailed(
            f"data.batch_size: {data.batch_size} is larger than the {len(found.train)} training images; "
            f"use at most {len(found.train)}"
        )
    return found, with_counts(program, n_classes, len(found.train), len(found.val))


def _shapes(program: Program, stage: str) -> DenseSplit:
    p = program.data.params
    folder = write_shapes(
        Path(program.data.root) / "shapes",
        program.seed,
        p["image_size"],
        p["train_size"],
        p["val_size"],
        p["max_objects"],
    )
    train = read_coco(folder / "train" / "annotations.json", folder / "train" / "images", False, "data.dataset")
    val = read_coco(folder / "val" / "annotations.json", folder / "val" / "images", False, "data.dataset")
    return from_coco(program, train, val)


def _coco_format(program: Program, stage: str) -> DenseSplit:
    p = program.data.params
    train = read_coco(
        Path(p["train_annotations"]).expanduser(),
        Path(p["train_images"]).expanduser(),
        p["skip_bad"],
        "data.train_annotations",
    )
    val = None
    if p["val_images"] and not _held_out(program, stage):
        val = read_coco(
            Path(p["val_annotations"]).expanduser(),
            Path(p["val_images"]).expanduser(),
            p["skip_bad"],
            "data.val_annotations",
        )
        if val.category_ids != train.category_ids:
            raise RunFailed(
                f"data.val_annotations: its categories {_listed(val)} differ from the training file's "
                f"{_listed(train)}; both files need the same categories, with the same ids"
            )
    return from_coco(program, train, val)


def _coco(program: Program, stage: str) -> DenseSplit:
    folder = _fetched(program)

    def read(split: str) -> CocoSet:
        annotations = folder / "annotations" / f"instances_{split}2017.json"
        return read_coco(annotations, folder / f"{split}2017", program.data.params["skip_bad"], "data.dataset")

    return from_coco(program, read("train"), None if _held_out(program, stage) else read("val"))


def _voc(program: Program, stage: str) -> DenseSplit:
    folder, task, skip_bad = _fetched(program), program.task.name, program.data.params["skip_bad"]
    train = read_voc(folder, task, "train", skip_bad, "data.dataset")
    val = None if _held_out(program, stage) else read_voc(folder, task, "val", skip_bad, "data.dataset")
    return from_coco(program, train, val)


def _fetched(program: Program) -> Path:
    """The folder of an official dataset's files, fetched and extracted when allowed."""
    data = program.data
    return prepare(SOURCES[data.dataset], data.root, data.download, mirror(data.mirror))


def _held_out(program: Program, stage: str) -> bool:
    """Whether the run validates on a share of train (so the val files need not be read)."""
    return stage == "val" and program.data.val_fraction > 0


def from_coco(program: Program, train: CocoSet, val: CocoSet | None) -> DenseSplit:
    """The split of read annotations (COCO files, VOC's lists): val's images, or without them a
    seeded share of train's."""
    classes = train.classes if program.task.name == "detection" else ("background", *train.classes)
    if program.task.name == "segmentation":
        _masks_for_every_object(train, val)
    skipped = train.skipped + (val.skipped if val else ())
    if val is None:
        kept, held = _hold_out(program, train.samples)
        return DenseSplit(classes, train.category_ids, kept, held, skipped)
    return DenseSplit(classes, train.category_ids, train.samples, val.samples, skipped)


def _masks_for_every_object(*sets: CocoSet | None) -> None:
    """Segmentation learns from masks: an object with a box alone would be taught as background
    (and a file of boxes alone would score a perfect mIoU on background), so it is refused; one
    class per pixel must also fit beside the ignored value in a byte."""
    if len(sets[0].classes) >= IGNORE_INDEX:
        raise RunFailed(
            f"data: {len(sets[0].classes)} categories do not fit a segmentation mask, which holds the "
            f"background and at most {IGNORE_INDEX - 1} classes beside the ignored value {IGNORE_INDEX}"
        )
    bare = [
        (s.image_id, s.file)
        for found in sets
        if found is not None
        for s in found.samples
        for segment, crowd in zip(s.segments, s.crowd.tolist())
        if not segment and not crowd
    ]
    if bare:
        raise RunFailed(
            f"data: {len(bare)} objects have a box but no segmentation (the first in image id {bare[0][0]}, "
            f"{bare[0][1]}); segmentation learns from polygons or RLE masks: add them, or set task: detection"
        )


def _mask_folder(program: Program, stage: str) -> DenseSplit:
    p = program.data.params
    train = scan_masks(Path(p["train_dir"]).expanduser(), p["ignore_index"], "data.train_dir", p["skip_bad"])
    if p["val_dir"] and not _held_out(program, stage):
        val = scan_masks(Path(p["val_dir"]).expanduser(), p["ignore_index"], "data.val_dir", p["skip_bad"])
        kept, held, skipped = train.samples, val.samples, train.skipped + val.skipped
        count = max(train.num_classes, val.num_classes)
    else:
        (kept, held), skipped, count = _hold_out(program, train.samples), train.skipped, train.num_classes
    if count > IGNORE_INDEX:
        raise RunFailed(
            f"data.train_dir: the masks hold class indices up to {count - 1}; at most {IGNORE_INDEX - 1} "
            f"classes fit beside the ignored value, so keep class indices below {IGNORE_INDEX}"
        )
    classes = tuple(str(i) for i in range(count))  # a mask's values are its classes, 0 among them
    return DenseSplit(classes, (), kept, held, skipped, p["ignore_index"])


def _hold_out(program: Program, samples: tuple[Sample, ...]) -> tuple[tuple, tuple]:
    n_train, n_val = split_sizes(program.data, len(samples), 0)
    order = np.random.default_rng(program.seed).permutation(len(samples))
    return tuple(samples[i] for i in order[:n_train]), tuple(samples[i] for i in order[n_train : n_train + n_val])


def _listed(coco: CocoSet) -> str:
    return ", ".join(f"{i} {n}" for i, n in zip(coco.category_ids[:5], coco.classes[:5]))


READERS = {"shapes": _shapes, "coco": _coco, "voc": _voc, "coco_format": _coco_format, "mask_folder": _mask_folder}


class DenseSamples:
    """Sample i -> (uint8 (3, H, W) image, target as numpy arrays) after the per-image steps:
    segmentation's target is {"mask": uint8 (H, W)}, detection's {"boxes", "labels", "crowd",
    "image_id", "scale"}, scale being (x, y): the image's own pixels per pixel of the image the
    steps made, which takes a detection back to the annotation file's frame. Picklable, so it can
    go to data-loader workers."""

    def __init__(self, samples: tuple[Sample, ...], task: str, transform, ignore_index: int = IGNORE_INDEX):
        self.samples, self.task, self.transform, self.ignore_index = samples, task, transform, ignore_index

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        sample = self.samples[index]
        image = load_image(sample.file)
        mask = semantic_mask(sample, IGNORE_INDEX) if self.task == "segmentation" else None
        if mask is not None and self.ignore_index != IGNORE_INDEX:  # a mask folder's own ignore value
            mask = np.where(mask == self.ignore_index, IGNORE_INDEX, mask).astype(np.uint8)
        image, mask, boxes, labels, crowd = self.transform(image, mask, sample.boxes, sample.labels, sample.crowd)
        if self.task == "segmentation":
            return image, {"mask": mask}
        scale = (sample.width / image.shape[2], sample.height / image.shape[1])
        return image, {"boxes": boxes, "labels": labels, "crowd": crowd, "image_id": sample.image_id, "scale": scale}
