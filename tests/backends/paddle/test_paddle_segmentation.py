"""Segmentation on the Paddle backend, as a user runs it: the shapes quickstart with backend=paddle
trains, logs the columns a Lightning run logs, is scored by `runner eval` as it scored itself, and
resumes; its metric counts only validation batches. That it learns, and as much as on Lightning:
tests/backends/test_segmentation_agreement.py."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import paddle
import pytest

from runner.backends.paddle.segmentation import PixelConfusion
from runner.catalog.tasks import SEGMENTATION
from runner.run import epoch_log
from tests.conftest import ROOT

QUICKSTART = ROOT / "recipes/quickstart_segmentation.yaml"
# A shortened quickstart: 128 training images of 32x32, about 10 s an epoch on 2 CPU cores.
SHORT = ["backend=paddle", "data.image_size=32", "data.train_size=128", "data.val_size=32", "log.tensorboard=false"]


def test_the_metric_counts_only_while_the_network_is_evaluated():
    paddle.set_device("cpu")
    training = [True]
    metric = PixelConfusion(3, lambda: training[0])
    logits = paddle.to_tensor(np.eye(3, dtype="float32")[[0, 1, 2, 2]].T.reshape(1, 3, 2, 2))
    masks = paddle.to_tensor(np.array([[[0, 1], [2, 255]]], dtype="int64"))
    assert metric.compute(logits, masks) == []  # what paddle.Model gives update() on a training batch
    metric.update()
    assert metric.accumulate() == [None, None]
    training[0] = False
    metric.update(metric.compute(logits, masks).numpy())
    assert metric.accumulate() == [1.0, 1.0]  # three pixels, each right; the ignored one not counted
    assert metric.matrix.sum() == 3
    metric.reset()
    assert metric.accumulate() == [None, None]


def test_paddles_unet_takes_the_encoders_paddle_vision_has(cli):
    ok = cli("validate", QUICKSTART, "backend=paddle", "model.arch=unet", "model.backbone=resnet50")
    assert ok.code == 0, ok.err
    wrong = cli("validate", QUICKSTART, "backend=paddle", "model.arch=unet", "model.backbone=efficientnet-b0")
    assert wrong.code == 2
    assert "'efficientnet-b0' is not an encoder of unet on the paddle backend, which offers resnet18" in wrong.err
    assert cli("validate", QUICKSTART, "model.arch=unet", "model.backbone=efficientnet-b0").code == 0  # lightning


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=900
    )


@pytest.mark.slow  # training runs in subprocesses, about a minute in all
def test_paddle_segmentation_run_eval_and_resume(tmp_path):
    result = runner(tmp_path, "run", QUICKSTART, *SHORT, "train.epochs=2")
    assert result.returncode == 0, result.stderr[-3000:]
    path = tmp_path / result.stdout.splitlines()[-1].removeprefix("run dir: ")
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    assert list(rows[0]) == list(epoch_log.fields(SEGMENTATION))  # the columns a Lightning run writes
    assert [int(r["epoch"]) for r in rows] == [0, 1] and all(r["val_miou"] for r in rows)
    summary = json.loads((path / "summary.json").read_text())
    assert json.loads((path / "classes.json").read_text()) == ["background", "circle", "square", "triangle"]
    page = (path / "report" / "index.html").read_text()  # the run-end report, as on Lightning
    assert "samples.png" in page and "per_class.png" in page and "triangle" in page
    assert "cannot predict" not in page and "cannot score" not in page

    scored = runner(tmp_path, "eval", path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert "mIoU" in scored.stdout and "triangle" in scored.stdout
    result = json.loads((path / "eval" / f"{Path(summary['best_checkpoint']).stem}-val.json").read_text())
    # the run's epoch-end mIoU and runner eval's come from the same confusion matrix
    assert result["miou"] == pytest.approx(summary["best"], abs=1e-6)
    assert result["pixels"] == 32 * 32 * 32

    resumed = runner(tmp_path, "resume", path, "train.epochs=4")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "after epoch 2" in resumed.stdout
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3]
    assert json.loads((path / "summary.json").read_text())["steps"] == 4 * 128 // 16  # learning: the agreement test
