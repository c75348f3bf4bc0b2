"""Ctrl-C as a user presses it: the run stops once the epoch in progress is checkpointed, prints
the resume command and exits 130; `runner resume` then finishes it. SIGTERM, as a scheduler sends
it, and a second Ctrl-C stop at once, keep the checkpoints and print the resume command too,
exiting 143 and 130. Both backends."""

import csv
import json
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

RECIPES = {"lightning": "synthetic", "paddle": "paddle_synthetic"}


def started(tmp_path, backend, epochs):
    """A training run in a subprocess, once its first epoch is written; and its run directory. It
    writes no report at its end: what these tests read is the stop, the checkpoints and the resume."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runner",
            "run",
            str(ROOT / f"recipes/smoke/{RECIPES[backend]}.yaml"),
            f"train.epochs={epochs}",
            "log.report=false",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    path = tmp_path / proc.stdout.readline().strip().removeprefix("run dir: ")
    deadline = time.monotonic() + 300
    while not (path / "metrics.csv").exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    return proc, path


@pytest.mark.parametrize("backend", RECIPES)
def test_ctrl_c_stops_at_the_epochs_checkpoint_and_says_how_to_resume(tmp_path, backend):
    # Ctrl-C once the first epoch's row is written: the run ends with the epoch in progress (the
    # second), leaving the resume four of six to train; several seconds of margin on either backend.
    epochs = 6
    proc, path = started(tmp_path, backend, epochs)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err[-3000:]
    assert f"continue with: runner resume {path.relative_to(tmp_path)}" in err and "Traceback" not in err
    done = len(list(csv.DictReader((path / "metrics.csv").open())))
    assert 1 <= done < epochs and not (path / "summary.json").exists()
    resumed = subprocess.run(
        [sys.executable, "-m", "runner", "resume", str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert [int(r["epoch"]) for r in csv.DictReader((path / "metrics.csv").open())] == list(range(epochs))
    assert json.loads((path / "summary.json").read_text())["epochs"] == epochs


@pytest.mark.parametrize("backend", RECIPES)
@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGINT, signal.SIGINT]], ids=["sigterm", "ctrl-c-twice"])
def test_sigterm_and_a_second_ctrl_c_stop_now_with_the_resume_line(tmp_path, backend, signals):
    proc, path = started(tmp_path, backend, epochs=1000)
    while not list((path / "checkpoints").glob("last.*")):
        assert proc.poll() is None
        time.sleep(0.02)
    for signum in signals:
        proc.send_signal(signum)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 128 + signals[-1], err[-3000:]
    assert "stopping now" in err and "Traceback" not in err
    assert f"continue with: runner resume {path.relative_to(tmp_path)}" in err
    assert not (path / "summary.json").exists() and len(list(csv.DictReader((path / "metrics.csv").open()))) < 1000
    assert list((path / "checkpoints").glob("epoch=*")), "the checkpoints written before the stop are kept"
    assert not list((path / "checkpoints").glob(".*.tmp-*")), "no temporary file outlives the stop"
