"""Crash-safe detection runs: a detection smoke run killed with SIGKILL mid-epoch and resumed ends
with the same weights, bit for bit, as one that never stopped (deterministic, on CPU): the
per-image steps, the loader order and the detector's state all come back."""

import random
import time

import pytest

from tests.conftest import ROOT
from tests.run.test_exact_resume import assert_bitwise_equal, finish, recorded, start, weights

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

RECIPE = ROOT / "recipes/smoke/detection.yaml"
ARGS = ["hardware.deterministic=true", "train.epochs=4", "data.train_size=96", "data.val_size=16", "log.report=false"]


def test_a_killed_detection_run_resumes_to_the_same_weights(tmp_path):
    whole = tmp_path / "whole"
    whole.mkdir()
    out = finish(start(whole, "run", RECIPE, *ARGS))
    uninterrupted = weights(whole / out.splitlines()[-1].removeprefix("run dir: "))

    cut = tmp_path / "cut"
    cut.mkdir()
    proc = start(cut, "run", RECIPE, *ARGS)
    run_dir = cut / proc.stdout.readline().strip().removeprefix("run dir: ")
    while recorded(run_dir) < 2:
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.01)
    time.sleep(random.Random(0).uniform(0.05, 0.5))  # into the third epoch
    proc.kill()
    proc.wait()
    resumed = finish(start(cut, "resume", run_dir))
    assert "resuming from" in resumed
    assert_bitwise_equal(weights(run_dir), uninterrupted)
    epochs = [int(line.split(",")[0]) for line in (run_dir / "metrics.csv").read_text().splitlines()[1:]]
    assert epochs == [0, 1, 2, 3]
