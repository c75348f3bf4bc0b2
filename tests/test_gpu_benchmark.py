"""benchmarks/gpu_throughput.py works end to end without a GPU: --quick prints a positive figure
for both sides of every row it runs on the CPU, and without --quick it refuses to time a CPU."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gpu_throughput.py"
QUICK_ROWS = ("lightning fp32, channels-last", "paddle fp32")  # the compile row is the GPU's alone


def run(tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )


def test_quick_mode_prints_every_row_with_positive_figures(tmp_path):
    done = run(tmp_path, "--quick")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for row in QUICK_ROWS:
        pattern = rf"{re.escape(row)} +([\d,]+) +([\d,]+) +([\d.]+)x +([\d.]+), ([\d.]+)"
        found = [m for m in (re.fullmatch(pattern, line) for line in lines) if m]
        assert len(found) == 1, f"no row {row!r} in:\n{done.stdout}"
        runner, hand, ratio = (float(found[0][i].replace(",", "")) for i in (1, 2, 3))
        assert runner > 0 and hand > 0 and ratio > 0
    assert any(line.startswith("target: runner >= 0.9x") for line in lines)
    assert list(tmp_path.iterdir()) == []  # runs went to a temporary folder, not the working one


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has the GPU the script times")
def test_without_a_gpu_it_says_so_and_exits_2(tmp_path):
    done = run(tmp_path)
    assert done.returncode == 2
    assert "times a CUDA GPU" in done.stdout and "--quick" in done.stdout
