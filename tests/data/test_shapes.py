"""The generated shapes data set: the same seed gives the same files, every box is the tight extent
of its mask, masks are disjoint and coloured as recorded, the folder is written once even when
processes race, and the COCO reader reads it."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from runner.data import shapes
from runner.data.coco_format import read_coco, semantic_mask
from runner.data.rle import segment_mask
from runner.data.shapes import CATEGORIES, write_shapes


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_shapes(tmp_path_factory.mktemp("shapes"), seed=3, image_size=48, train_size=40, val_size=8)


def coco(folder, split="train"):
    return json.loads((folder / split / "annotations.json").read_text())


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(folder, tmp_path):
    again = write_shapes(tmp_path / "a", seed=3, image_size=48, train_size=40, val_size=8)
    assert again.name == folder.name
    for split in ("train", "val"):
        assert (again / split / "annotations.json").read_bytes() == (folder / split / "annotations.json").read_bytes()
        for image in (folder / split / "images").iterdir():
            assert (again / split / "images" / image.name).read_bytes() == image.read_bytes()
    other = write_shapes(tmp_path / "b", seed=4, image_size=48, train_size=40, val_size=8)
    assert coco(other)["annotations"] != coco(folder)["annotations"]
    first = "images/000000.png"
    assert (folder / "val" / first).read_bytes() != (folder / "train" / first).read_bytes()  # a stream per split


def test_boxes_are_the_tight_extent_of_disjoint_masks_in_the_objects_colour(folder):
    data = coco(folder)
    assert [c["name"] for c in data["categories"]] == list(CATEGORIES) and len(data["images"]) == 40
    by_image = {}
    for a in data["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    assert sorted(by_image) == [i["id"] for i in data["images"]]  # every image has an object
    assert max(len(objects) for objects in by_image.values()) <= 3
    for entry in data["images"]:
        pixels = np.asarray(Image.open(folder / "train" / "images" / entry["file_name"]))
        covered = np.zeros((48, 48), int)
        for a in by_image[entry["id"]]:
            mask = segment_mask(a["segmentation"], 48, 48)
            rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
            assert a["bbox"] == [cols[0], rows[0], cols[-1] + 1 - cols[0], rows[-1] + 1 - rows[0]]
            assert a["area"] == mask.sum() > 0 and a["iscrowd"] == 0
            assert (pixels[mask] == a["colour"]).all()
            covered += mask
        assert covered.max() == 1


def test_objects_of_every_shape_and_many_colours(folder):
    annotations = coco(folder)["annotations"]
    assert {a["category_id"] for a in annotations} == {1, 2, 3}
    for category in (1, 2, 3):
        assert len({tuple(a["colour"]) for a in annotations if a["category_id"] == category}) >= 4


def test_the_coco_reader_reads_it(folder):
    read = read_coco(folder / "val" / "annotations.json", folder / "val" / "images", skip_bad=False, key="data")
    assert read.classes == CATEGORIES and read.category_ids == (1, 2, 3) and read.skipped == ()
    assert len(read.samples) == 8
    sample = read.samples[0]
    mask = semantic_mask(sample, ignore_index=255)
    assert sorted(np.unique(mask)) == [0, *sorted(set((sample.labels + 1).tolist()))]


def test_written_once(folder):
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert write_shapes(folder.parent, seed=3, image_size=48, train_size=40, val_size=8) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temporary folder left


def test_a_process_that_loses_the_race_uses_the_winners_folder(tmp_path, monkeypatch):
    rename = os.rename

    def another_process_wins(source, target):
        os.makedirs(target / "train")
        (target / "winner").write_text("")
        rename(source, target)  # refused: the target is a folder with files in it

    monkeypatch.setattr(shapes.os, "rename", another_process_wins)
    folder = write_shapes(tmp_path, seed=0, image_size=16, train_size=2, val_size=1)
    assert (folder / "winner").exists() and [p.name for p in tmp_path.iterdir()] == [folder.name]
