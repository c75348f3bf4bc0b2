"""The `folder` dataset: the user's own class folders of image files, of any size and format,
decoded in DataLoader workers; and the messages for trees that cannot be read."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from runner.data.acquire import acquire
from runner.data.files.progress import megabytes
from runner.recipe.errors import RunFailed
from runner.recipe.stages import compile_file

RECIPE = """\
schema_version: 1
name: my_photos
backend: lightning
seed: 0
task: classification
model:
  backbone: simple_cnn
data:
  dataset: folder
  train_dir: photos/train
  val_dir: photos/val
  batch_size: 16
  num_workers: 1
augment:
  train:
    - name: resize
      size: 20
    - name: random_crop
      size: 16
    - name: hflip
    - name: normalize
  eval:
    - name: resize
      size: 20
    - name: center_crop
      size: 16
    - name: normalize
optim:
  name: adam
  lr: 0.003
train:
  epochs: 4
hardware:
  accelerator: cpu
  devices: 1
log:
  tensorboard: false
"""
COLOURS = {"ember": (200, 40, 30), "moss": (40, 160, 50), "sky": (40, 80, 210)}


def photos(root, per_class: int, seed: int):
    """Noisy images whose class is their dominant colour, in mixed sizes and formats."""
    rng = np.random.default_rng(seed)
    for name, colour in COLOURS.items():
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            h, w = rng.integers(18, 40, 2)
            pixels = np.clip(np.array(colour) + rng.normal(0, 60, (h, w, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.{'png' if i % 2 else 'jpg'}")


def run(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", "run", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_a_folder_of_mixed_size_photos_fetched_as_an_archive_trains(tmp_path, host):
    photos(tmp_path / "made/photos/train", 40, seed=0)
    photos(tmp_path / "made/photos/val", 10, seed=1)
    archive = shutil.make_archive(str(tmp_path / "made/photos"), "zip", tmp_path / "made", "photos")
    data = Path(archive).read_bytes()
    url = host.serve({"photos.zip": data}) + "photos.zip"
    (tmp_path / "my.yaml").write_text(RECIPE)
    result = run(
        tmp_path, "my.yaml", f"data.url={url}", f"data.sha256={hashlib.sha256(data).hexdigest()}", "data.root=."
    )  # photos.zip holds photos/train and photos/val: extracted where train_dir points
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"folder: downloading photos.zip from {url} into ./" in result.stderr
    assert f"{megabytes(len(data))} / {megabytes(len(data))}" in result.stderr  # the progress line
    path = tmp_path / result.stdout.strip().splitlines()[-1].removeprefix("run dir: ")
    summary = json.loads((path / "summary.json").read_text())
    assert summary["val_acc"] >= 0.9, summary  # chance is 1/3
    scored = subprocess.run(
        [sys.executable, "-m", "runner", "eval", path], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert scored.returncode == 0, scored.stderr
    assert all(name in scored.stdout for name in COLOURS)  # per-class rows use the folder names


def test_held_out_fraction_when_there_is_no_val_folder(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    photos(tmp_path / "photos/train", 20, seed=0)
    (tmp_path / "my.yaml").write_text(RECIPE)
    shown = cli("show", "my.yaml", "data.val_dir=", "data.val_fraction=0.25")
    assert shown.code == 0, shown.err
    assert "45 train / 15 val images" in shown.out and "3 classes" in shown.out
    acquire(compile_file("my.yaml", ["data.val_fraction=0.25"])[1].data)  # photos/val is absent, and unread
    with pytest.raises(RunFailed, match="data.val_dir: photos/val is not a folder"):
        acquire(compile_file("my.yaml")[1].data)  # before any framework is loaded


def test_unreadable_trees_are_explained(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.yaml").write_text(RECIPE)
    missing = cli("run", "my.yaml")
    assert missing.code == 1 and "Traceback" not in missing.err
    assert "data.train_dir: photos/train is not a folder; it should hold one subfolder" in missing.err
    photos(tmp_path / "photos/train", 20, seed=0)
    photos(tmp_path / "photos/val", 4, seed=1)
    (tmp_path / "photos/train/empty").mkdir()
    empty = cli("run", "my.yaml")
    assert empty.code == 1 and "class folders without images: empty" in empty.err
    assert not (tmp_path / "runs").exists()


def test_images_of_any_size_need_a_crop_to_batch(tmp_path, cli):
    (tmp_path / "my.yaml").write_text(RECIPE.replace("    - name: center_crop\n      size: 16\n", ""))
    result = cli("validate", tmp_path / "my.yaml")
    line = RECIPE.splitlines().index("  eval:") + 1
    assert result.code == 2
    assert result.err.startswith(f"{tmp_path / 'my.yaml'}:{line}: augment.eval: folder images vary in size")


def test_scanning_a_tree_reads_the_labels_once_whatever_the_number_of_classes(tmp_path, monkeypatch):
    """Counting ImageNet's 1,000 class folders must not rebuild a set of every label per class."""
    from runner.data import imagefiles

    for i in range(300):
        (tmp_path / f"c{i:03d}").mkdir()
        (tmp_path / f"c{i:03d}" / "a.png").write_bytes(b"")
    built = []
    monkeypatch.setattr(imagefiles, "set", lambda *a: built.append(1) or set(*a), raising=False)
    folder = imagefiles.scan(tmp_path, "data.train_dir")
    assert len(folder.classes) == 300 and len(folder.files) == 300 and len(built) <= 1


def test_a_folder_the_system_will_not_look_up_is_a_message():
    # The recipe rule catches a path too long before any run; a path built at run time (from
    # $RUNNER_DATA, say) is still refused with the key it came from.
    from runner.data import imagefiles

    with pytest.raises(RunFailed, match=r"^data.train_dir: /a{59}\.\.\. \(5,001 characters\) cannot be looked up "):
        imagefiles.must_be_folder(Path("/" + "a" * 5000), "data.train_dir")
