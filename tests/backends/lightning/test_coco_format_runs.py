"""A COCO-format folder a user made by hand trains, for both tasks; bad annotations stop the run
before training with the file and id named, or with data.skip_bad are left out and listed in the
log and provenance.json."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.slow  # whole runs in subprocesses

RECIPE = """
schema_version: 1
name: by_hand
task: {task}
model:
  arch: {arch}
data:
  dataset: coco_format
  train_images: photos
  train_annotations: photos/annotations.json
  skip_bad: {skip_bad}
  val_fraction: 0.25
  batch_size: 4
  num_workers: 0
augment:
  train:
    - name: normalize
  eval:
    - name: normalize
optim:
  name: adamw
  lr: 0.001
train:
  epochs: 1
hardware:
  accelerator: cpu
log:
  tensorboard: false
  report: false
"""


def make_folder(root: Path, images: int = 16) -> dict:
    """Red rectangles ("box", COCO id 7) and green discs ("ball", id 3) on grey, as a user's own
    annotation tool would write them: polygons, [x, y, w, h] boxes, ids with gaps."""
    rng = np.random.default_rng(0)
    folder = root / "photos"
    folder.mkdir()
    entries, annotations = [], []
    for i in range(images):
        image = Image.new("RGB", (80, 60), (90, 90, 90))
        draw = ImageDraw.Draw(image)
        x, y = int(rng.integers(2, 30)), int(rng.integers(2, 20))
        draw.rectangle([x, y, x + 19, y + 14], fill=(220, 30, 30))
        cx, cy = int(rng.integers(50, 68)), int(rng.integers(12, 46))
        draw.ellipse([cx - 8, cy - 8, cx + 8, cy + 8], fill=(30, 200, 30))
        image.save(folder / f"photo_{i}.jpg", quality=95)
        entries.append({"id": 100 + i, "file_name": f"photo_{i}.jpg", "width": 80, "height": 60})
        rectangle = [x, y, x + 20, y, x + 20, y + 15, x, y + 15]
        disc = [
            v for a in np.linspace(0, 2 * np.pi, 12, endpoint=False) for v in (cx + 8 * np.cos(a), cy + 8 * np.sin(a))
        ]
        for n, (category, polygon, box) in enumerate(
            ((7, rectangle, [x, y, 20, 15]), (3, disc, [cx - 8, cy - 8, 16, 16]))
        ):
            annotations.append(
                {
                    "id": 1000 + 2 * i + n,
                    "image_id": 100 + i,
                    "category_id": category,
                    "bbox": box,
                    "segmentation": [[float(v) for v in polygon]],
                    "area": box[2] * box[3],
                    "iscrowd": 0,
                }
            )
    coco = {
        "images": entries,
        "annotations": annotations,
        "categories": [{"id": 3, "name": "ball"}, {"id": 7, "name": "box"}],
    }
    (folder / "annotations.json").write_text(json.dumps(coco))
    return coco


def runner(cwd: Path, *args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "runner", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("task, arch", [("detection", "tiny_detector"), ("segmentation", "tiny_unet")])
def test_a_hand_made_coco_folder_trains_and_scores(tmp_path, task, arch):
    make_folder(tmp_path)
    (tmp_path / "my.yaml").write_text(textwrap.dedent(RECIPE.format(task=task, arch=arch, skip_bad="false")))
    result = runner(tmp_path, "run", "my.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = tmp_path / result.stdout.splitlines()[-1].removeprefix("run dir: ")
    classes = json.loads((run_dir / "classes.json").read_text())
    assert classes == (["ball", "box"] if task == "detection" else ["background", "ball", "box"])
    scored = runner(tmp_path, "eval", run_dir)
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert ("mAP50" if task == "detection" else "mIoU") in scored.stdout


def test_bad_annotations_stop_the_run_before_training_or_are_skipped_and_listed(tmp_path):
    coco = make_folder(tmp_path)
    coco["annotations"][3]["bbox"] = [70, 10, 30, 10]  # reaches 20 pixels past the 80-pixel image
    coco["annotations"][5]["category_id"] = 99
    (tmp_path / "photos/annotations.json").write_text(json.dumps(coco))
    (tmp_path / "my.yaml").write_text(
        textwrap.dedent(RECIPE.format(task="detection", arch="tiny_detector", skip_bad="false"))
    )
    result = runner(tmp_path, "run", "my.yaml")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "photos/annotations.json" in result.stderr
    assert f"annotation id {coco['annotations'][3]['id']}" in result.stderr
    assert f"annotation id {coco['annotations'][5]['id']}" in result.stderr and "99" in result.stderr
    assert not (tmp_path / "runs").exists()  # stopped before a run directory was made

    (tmp_path / "photos/annotations.json").write_text("{not json")
    broken = runner(tmp_path, "run", "my.yaml")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr and "annotations.json" in broken.stderr

    (tmp_path / "photos/annotations.json").write_text(json.dumps(coco))
    (tmp_path / "my.yaml").write_text(
        textwrap.dedent(RECIPE.format(task="detection", arch="tiny_detector", skip_bad="true"))
    )
    skipped = runner(tmp_path, "run", "my.yaml")
    assert skipped.returncode == 0, skipped.stderr[-3000:]
    assert "data.skip_bad: left out 2 bad items" in skipped.stdout
    run_dir = tmp_path / skipped.stdout.splitlines()[-1].removeprefix("run dir: ")
    listed = json.loads((run_dir / "provenance.json").read_text())["skipped"]
    assert len(listed) == 2 and any("99" in line for line in listed)
