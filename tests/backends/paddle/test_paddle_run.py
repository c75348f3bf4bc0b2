"""`runner run` with `backend: paddle`, as a user runs it: the same recipe learns on both
backends, and the Paddle run directory holds the same files and answers the same commands."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

QUICKSTART = ROOT / "recipes/quickstart.yaml"
SMOKE = ROOT / "recipes/smoke/paddle_synthetic.yaml"


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def trained(cwd, *args) -> Path:
    result = runner(cwd, "run", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == lines[-1] and lines[0].startswith("run dir: ")
    return cwd / lines[0].removeprefix("run dir: ")


def test_quickstart_learns_on_both_backends_within_two_points(tmp_path, quickstart_on_lightning):
    # Lightning's half is the shipped quickstart's run the Lightning run test checks (tests/backends/conftest.py).
    cwd, result = quickstart_on_lightning
    assert result.returncode == 0, result.stderr[-3000:]
    lightning = cwd / result.stdout.splitlines()[-1].removeprefix("run dir: ")
    # The same recipe on Paddle; its report, which this test does not read, is test_report_pages.py's.
    paddle = trained(tmp_path, QUICKSTART, "backend=paddle", "log.report=false")
    scores = {
        name: json.loads((path / "summary.json").read_text())["val_acc"]
        for name, path in (("lightning", lightning), ("paddle", paddle))
    }
    assert min(scores.values()) >= 0.95, scores
    assert abs(scores["lightning"] - scores["paddle"]) <= 0.02, scores


def test_paddle_run_dir_eval_and_resume(tmp_path):
    # The files every run writes; the run-end report, its own subject, is tests/report's.
    path = trained(tmp_path, SMOKE, "train.epochs=3", "log.tensorboard=true", "log.report=false")
    for name in (
        "recipe.yaml",
        "resolved.yaml",
        "overrides.txt",
        "provenance.json",
        "metrics.csv",
        "summary.json",
        "checkpoints/last.safetensors",
        "checkpoints/hashes.json",
    ):
        assert (path / name).is_file(), name
    assert list(path.glob("tensorboard/events.out.tfevents.*"))
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    summary = json.loads((path / "summary.json").read_text())
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2] and summary["val_acc"] > 0.5  # chance is 0.25
    assert float(rows[-1]["val_acc"]) == round(summary["val_acc"], 6) and summary["steps"] == 3 * 512 // 32

    scored = runner(tmp_path, "eval", path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    result = json.loads((path / "eval" / f"{Path(summary['best_checkpoint']).stem}-val.json").read_text())
    assert abs(result["top1"] - summary["best"]) < 1e-6 and result["images"] == 128

    # A finished run resumed with more epochs continues from its last checkpoint, in place.
    resumed = runner(tmp_path, "resume", path, "train.epochs=5")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "after epoch 3" in resumed.stdout
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3, 4]
    assert json.loads((path / "summary.json").read_text())["steps"] == 5 * 512 // 32


def test_a_checkpoint_changed_since_it_was_written_is_not_loaded(tmp_path):
    path = trained(tmp_path, SMOKE, "train.epochs=2", "log.report=false")
    last = path / "checkpoints/last.safetensors"
    last.write_bytes(last.read_bytes() + b"\0")
    result = runner(tmp_path, "eval", last)
    assert result.returncode == 1 and "has changed since this run wrote it" in result.stderr
    assert "Traceback" not in result.stderr
    # resume passes over the changed newest checkpoint; eval loads it only when the user vouches for it
    last.write_bytes(last.read_bytes()[:-1])  # the original bytes again, so paddle can read it
    (path / "checkpoints/hashes.json").write_text("{}")
    refused = runner(tmp_path, "eval", last)
    assert refused.returncode == 1 and "pass --trust to load it anyway" in refused.stderr
    trusted = runner(tmp_path, "eval", last, "--trust")
    assert trusted.returncode == 0 and "because --trust was given" in trusted.stderr, trusted.stderr[-3000:]
