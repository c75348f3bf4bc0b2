"""Segmentation learns from masks: a COCO file whose objects have boxes alone is refused before
training (it would teach every object as background and score a perfect mIoU), naming the image."""

import json

import pytest
from PIL import Image

from runner.data import dense
from runner.recipe.errors import RunFailed
from runner.recipe.stages import compile_file

RECIPE = """schema_version: 1
name: boxes_only
task: {task}
model:
  arch: {arch}
data:
  dataset: coco_format
  train_images: {root}/images
  train_annotations: {root}/boxes.json
  val_fraction: 0.5
  batch_size: 1
optim:
  name: adam
  lr: 0.001
"""


@pytest.mark.parametrize("task, arch", [("segmentation", "tiny_unet"), ("detection", "tiny_detector")])
def test_objects_without_masks_are_refused_for_segmentation_only(tmp_path, task, arch):
    (tmp_path / "images").mkdir()
    for i in (1, 2):
        Image.new("RGB", (20, 10)).save(tmp_path / "images" / f"{i}.png")
    coco = {
        "images": [{"id": i, "file_name": f"{i}.png", "width": 20, "height": 10} for i in (1, 2)],
        "annotations": [{"id": 5, "image_id": 2, "category_id": 1, "bbox": [2, 2, 5, 5], "iscrowd": 0}],
        "categories": [{"id": 1, "name": "thing"}],
    }
    (tmp_path / "boxes.json").write_text(json.dumps(coco))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(RECIPE.format(task=task, arch=arch, root=tmp_path))
    program = compile_file(str(recipe))[1]
    if task == "detection":
        found, _ = dense.split(program)
        assert found.classes == ("thing",)
        return
    with pytest.raises(RunFailed, match=r"1 objects have a box but no segmentation \(the first in image id 2, "):
        dense.split(program)
