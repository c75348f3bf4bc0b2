"""Grad-CAM is right, not just drawn: on images whose class is decided only by a patch at a known
place (horizontal or vertical stripes, equally bright, on noise), a trained built-in CNN's heat
map for the true class peaks inside that patch, on both backends."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from runner import backends
from runner.data import imagefiles

pytestmark = pytest.mark.slow  # a training run per backend

SIZE, ROWS, COLS = 32, slice(4, 12), slice(18, 26)  # the patch: rows 4-11, columns 18-25
# Four epochs of 240 images: on both backends every validation image is then classified right and
# every heat map peaks inside the patch (as after eight); chance is a half, and the patch with its
# one-pixel border a tenth of the image, so neither 0.9 below is reached without learning.
RECIPE = """
    schema_version: 1
    name: patch
    description: The class is the direction of the stripes in one patch
    backend: lightning
    seed: 0
    task: classification
    model:
      backbone: simple_cnn
    data:
      dataset: folder
      train_dir: {root}
      val_fraction: 0.25
      batch_size: 32
      num_workers: 0
    augment:
      train:
        - name: center_crop
          size: 32
        - name: normalize
      eval:
        - name: center_crop
          size: 32
        - name: normalize
    optim:
      name: adam
      lr: 0.003
    train:
      epochs: 4
    hardware:
      accelerator: cpu
      devices: 1
      precision: 32
    log:
      tensorboard: false
      report: false
"""


def patch_images(root: Path, per_class: int = 160) -> None:
    rng = np.random.default_rng(0)
    stripes = np.tile(np.array([40, 215], dtype=np.uint8), 4)  # mean 127.5, as the noise
    for name, patch in (("horizontal", stripes[:, None].repeat(8, 1)), ("vertical", stripes[None, :].repeat(8, 0))):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            image = rng.integers(40, 216, (SIZE, SIZE, 3), dtype=np.uint8)
            image[ROWS, COLS] = patch[:, :, None]
            Image.fromarray(image).save(root / name / f"{i:03d}.png")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("patch")
    patch_images(root / "train")
    (root / "patch.yaml").write_text(textwrap.dedent(RECIPE.format(root=root / "train")))
    return root


@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_the_heat_map_peaks_inside_the_patch_that_decides_the_class(data, backend, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "runner", "run", data / "patch.yaml", f"backend={backend}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = tmp_path / result.stdout.strip().splitlines()[-1].removeprefix("run dir: ")
    inference = backends.load_for_inference(run_dir)
    files = imagefiles.split(inference.program, fetch=False)[0].val
    images = np.stack([inference.sample_steps(np.asarray(Image.open(f)).transpose(2, 0, 1)) for f, _ in files])
    labels = np.array([label for _, label in files])
    predicted = inference.scores(images).argmax(1)
    assert (predicted == labels).mean() > 0.9, "the network learned the patch"

    sight = backends.sight(inference, images, labels)
    assert sight.heat.shape == (len(files), SIZE, SIZE) and sight.layer
    peaks = [np.unravel_index(np.argmax(h), h.shape) for h in sight.heat]
    inside = [ROWS.start - 1 <= r < ROWS.stop + 1 and COLS.start - 1 <= c < COLS.stop + 1 for r, c in peaks]
    assert np.mean(inside) > 0.9, f"{np.mean(inside):.0%} of the maps peak inside the patch"

    # The report reads the same folder of images: every section is there, with nothing missing.
    report = subprocess.run(
        [sys.executable, "-m", "runner", "report", run_dir], capture_output=True, text=True, timeout=600
    )
    assert report.returncode == 0 and "warning" not in report.stdout, report.stdout + report.stderr[-3000:]
    page = (run_dir / "report/index.html").read_text()
    assert 'class="missing"' not in page and "Grad-CAM on layer" in page
