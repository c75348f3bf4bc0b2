"""Data-parallel training as a user starts it on one machine: `accelerator: cpu, devices: 2,
strategy: ddp` (gloo), on both backends. Two processes share one run directory and the batch, and
the model learns."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses


@pytest.mark.parametrize("recipe", ["synthetic", "paddle_synthetic"])
def test_two_process_ddp_on_cpu_learns_into_one_run_dir(tmp_path, recipe):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "runner",
            "run",
            str(ROOT / f"recipes/smoke/{recipe}.yaml"),
            "hardware.devices=2",
            "hardware.strategy=ddp",
            "train.epochs=5",
            "log.report=false",  # rank 0 alone writes it once training ends: the report tests cover it
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("run dir: ")] == [lines[0], lines[0]] == [lines[0], lines[-1]]
    assert len(list((tmp_path / "runs").iterdir())) == 1  # the second process joined rank 0's directory
    path = tmp_path / Path(lines[0].removeprefix("run dir: "))
    summary = json.loads((path / "summary.json").read_text())
    # data.batch_size 32 is split 16 + 16, so an epoch of 512 images is still 16 optimizer steps
    assert summary["steps"] == 5 * 512 // 32
    assert summary["best"] >= 0.6, summary  # chance is 0.25
    assert len(list(csv.DictReader((path / "metrics.csv").open()))) == 5  # rank 0 alone writes rows


def test_two_process_segmentation_scores_every_validation_image_once(tmp_path):
    """Each process scores its half of the validation images; the logged mIoU sums both halves'
    pixel counts, so it equals `runner eval` of the same checkpoint in one process."""
    recipe = ROOT / "recipes/smoke/segmentation.yaml"
    args = ["hardware.devices=2", "hardware.strategy=ddp", "train.epochs=2", "log.report=false"]
    command = [sys.executable, "-m", "runner"]
    result = subprocess.run([*command, "run", recipe, *args], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    path = tmp_path / result.stdout.splitlines()[-1].removeprefix("run dir: ")
    logged = [float(row["val_miou"]) for row in csv.DictReader((path / "metrics.csv").open())]
    scored = subprocess.run([*command, "eval", path], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert scored.returncode == 0, scored.stderr[-3000:]
    result = json.loads(next((path / "eval").glob("*-val.json")).read_text())
    assert result["pixels"] == 32 * 32 * 32  # every validation image once: 32 images of 32x32
    assert max(logged) == pytest.approx(result["miou"], abs=1e-6)
