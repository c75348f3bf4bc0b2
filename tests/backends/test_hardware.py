"""A recipe asking for hardware the machine lacks stops before its run directory is made, saying
what is there, on both backends; the rule itself is checked against GPU counts."""

import subprocess
import sys

import pytest

from runner.backends import hardware
from runner.recipe.errors import RunFailed
from runner.recipe.specs import HardwareSpec
from tests.conftest import ROOT

RECIPES = {"lightning": "synthetic", "paddle": "paddle_synthetic"}


@pytest.mark.parametrize("backend", RECIPES)
def test_missing_gpus_stop_the_run_before_its_directory(tmp_path, backend):
    recipe = ROOT / f"recipes/smoke/{RECIPES[backend]}.yaml"
    args = ["hardware.accelerator=gpu", "hardware.devices=64", "data.batch_size=64"]
    result = subprocess.run(
        [sys.executable, "-m", "runner", "run", recipe, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sees" in result.stderr and ("hardware.accelerator: gpu" in result.stderr or "64 GPUs" in result.stderr)
    assert not (tmp_path / "runs").exists()


def spec(accelerator, devices):
    return HardwareSpec(accelerator, devices, 1, "auto", "32-true", False, False, False)


@pytest.mark.parametrize(
    ("accelerator", "devices", "gpus", "problem"),
    [
        ("gpu", 1, 0, "asks for a GPU, and torch sees none"),
        ("gpu", "auto", 0, "asks for a GPU, and torch sees none"),
        ("gpu", 4, 2, "hardware.devices: 4 asks for 4 GPUs, and torch sees 2"),
        ("auto", 4, 2, "hardware.devices: 4 asks for 4 GPUs, and torch sees 2"),
    ],
)
def test_what_is_missing_is_said(accelerator, devices, gpus, problem):
    with pytest.raises(RunFailed, match=problem):
        hardware.check(spec(accelerator, devices), gpus, "torch")


@pytest.mark.parametrize(
    ("accelerator", "devices", "gpus"), [("cpu", 4, 0), ("auto", 2, 0), ("gpu", 2, 2), ("auto", "auto", 1)]
)
def test_what_is_there_passes(accelerator, devices, gpus):
    hardware.check(spec(accelerator, devices), gpus, "torch")
