"""`runner run` on the Lightning backend, as a user runs it: the model learns and the run
directory holds what reproduces it."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", "run", *map(str, args)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_dir(result) -> Path:
    lines = [line for line in result.stdout.splitlines() if line.startswith("run dir: ")]
    assert len(lines) == 2 and lines[0] == lines[1] == result.stdout.splitlines()[-1]
    return Path(lines[0].removeprefix("run dir: "))


@pytest.mark.slow
def test_quickstart_learns_digits_and_writes_a_complete_run_dir(quickstart_on_lightning):
    cwd, result = quickstart_on_lightning  # `runner run recipes/quickstart.yaml` (tests/backends/conftest.py)
    assert result.returncode == 0, result.stderr[-3000:]
    path = cwd / run_dir(result)
    summary = json.loads((path / "summary.json").read_text())
    assert summary["val_acc"] >= 0.95, summary
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == list(range(20))
    assert float(rows[-1]["val_acc"]) == round(summary["val_acc"], 6)
    assert (path / "recipe.yaml").read_text() == (ROOT / "recipes/quickstart.yaml").read_text()
    assert (path / "checkpoints/last.ckpt").is_file() and (path / summary["best_checkpoint"]).is_file()
    provenance = json.loads((path / "provenance.json").read_text())
    assert provenance["seed"] == 0 and provenance["packages"]["torch"]
    assert list(path.glob("tensorboard/events.out.tfevents.*"))
    again = subprocess.run(
        [sys.executable, "-m", "runner", "validate", path / "resolved.yaml"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
def test_smoke_recipe_with_overrides_ends_far_above_chance(tmp_path):
    result = run(tmp_path, ROOT / "recipes/smoke/synthetic.yaml", "seed=1", "log.dir=elsewhere")
    assert result.returncode == 0, result.stderr[-3000:]
    path = tmp_path / run_dir(result)
    assert path.parent.name == "elsewhere"
    assert (path / "overrides.txt").read_text() == "seed=1\nlog.dir=elsewhere\n"
    assert json.loads((path / "summary.json").read_text())["val_acc"] >= 0.5  # chance is 0.25


# The command line in this process (the `cli` fixture): the same main() `runner` and `python -m
# runner` call, without starting an interpreter and importing the frameworks for each command.


def test_a_missing_dataset_stops_before_any_work(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", ROOT / "recipes/mnist_cnn.yaml", "data.download=false")
    assert result.code == 1 and "Traceback" not in result.err  # an escaping exception fails the test too
    assert "train-images-idx3-ubyte.gz" in result.err
    assert f"{os.environ['RUNNER_DATA']}/mnist/" in result.err  # the default data.root
    assert not (tmp_path / "runs").exists()


def test_torchvision_backbones_take_greyscale_and_cifar_stems(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for extra in (
        ["model.backbone=resnet18"],
        ["model.backbone=resnet18", "model.stem=cifar", "hardware.channels_last=true"],
    ):
        result = cli("run", ROOT / "recipes/quickstart.yaml", "--dry-run", *extra)
        assert result.code == 0, (extra, result.err[-3000:])
        assert result.out.startswith("dry run OK: resnet18 (11,1")  # 10-class head, 1 or 3 input channels


def test_pretrained_weights_that_cannot_be_fetched_name_the_file_and_folder(tmp_path):
    env_home = tmp_path / "torch-home"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "runner",
            "run",
            ROOT / "recipes/quickstart.yaml",
            "model.backbone=resnet18",
            "model.pretrained=true",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "TORCH_HOME": str(env_home)},
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"place resnet18-f37072fd.pth in {env_home}/hub/checkpoints/" in result.stderr


def test_unwritable_log_dir_is_a_clean_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file, not a directory")
    result = cli("run", ROOT / "recipes/smoke/synthetic.yaml", "log.dir=taken/runs")
    assert result.code == 1 and "Traceback" not in result.err
    assert "log.dir: cannot create taken/runs" in result.err
