"""`runner eval` scores a run's checkpoint and reproduces the accuracy its summary recorded;
`runner resume` continues an interrupted run in the same directory from its last checkpoint."""

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

SMOKE = ROOT / "recipes/smoke/synthetic.yaml"


def runner(cwd, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


def last_run_dir(stdout: str) -> Path:
    return Path(stdout.strip().splitlines()[-1].removeprefix("run dir: "))


def test_eval_reproduces_the_summary_and_writes_json(tmp_path):
    done = runner(tmp_path, "run", SMOKE, "train.epochs=3", "log.report=false")  # eval's files, not the report's
    assert done.returncode == 0, done.stderr[-3000:]
    path = tmp_path / last_run_dir(done.stdout)
    summary = json.loads((path / "summary.json").read_text())
    scored = runner(tmp_path, "eval", path)
    assert scored.returncode == 0, scored.stderr
    result = json.loads((path / "eval" / f"{Path(summary['best_checkpoint']).stem}-val.json").read_text())
    assert abs(result["top1"] - summary["best"]) < 1e-6 and result["images"] == 128
    assert "top5" not in result  # with 4 classes the true one is always among the top 5
    matrix = result["confusion_matrix"]
    assert sum(map(sum, matrix)) == 128 and sum(matrix[i][i] for i in range(4)) == round(128 * result["top1"])
    assert "confusion matrix" in scored.stdout and f"top1 {result['top1']:.4f}" in scored.stdout
    last = runner(tmp_path, "eval", path / "checkpoints/last.ckpt")
    assert last.returncode == 0
    assert abs(json.loads((path / "eval/last-val.json").read_text())["top1"] - summary["val_acc"]) < 1e-6


def test_eval_refuses_what_runner_did_not_write(tmp_path):
    stray = tmp_path / "model.ckpt"
    stray.write_bytes(b"not a checkpoint")
    outside = runner(tmp_path, "eval", stray)
    assert outside.returncode == 2 and f"{stray} is not a checkpoint inside a run directory" in outside.stderr
    run_dir = tmp_path / "run"
    (run_dir / "checkpoints").mkdir(parents=True)
    (run_dir / "resolved.yaml").write_text(SMOKE.read_text())
    (run_dir / "checkpoints/last.ckpt").write_bytes(b"truncated")
    corrupt = runner(tmp_path, "eval", run_dir)
    assert corrupt.returncode == 1 and "was not written by this run" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr


def test_resume_continues_a_killed_run_in_its_directory(tmp_path):
    # Killed once two epochs are written, the run has four left for the resume: seconds of margin
    # between the kill and the run's own end, and enough epochs to end far above chance.
    epochs = 6
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner", "run", str(SMOKE), f"train.epochs={epochs}", "log.report=false"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    path = tmp_path / proc.stdout.readline().strip().removeprefix("run dir: ")
    deadline = time.monotonic() + 300
    while not (path / "checkpoints/last.ckpt").exists() or len((path / "metrics.csv").read_text().splitlines()) < 3:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    resumed = runner(tmp_path, "resume", path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from" in resumed.stdout and tmp_path / last_run_dir(resumed.stdout) == path
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    assert {int(r["epoch"]) for r in rows} == set(range(epochs))  # nothing skipped
    assert int(rows[-1]["epoch"]) == epochs - 1
    summary = json.loads((path / "summary.json").read_text())
    assert summary["epochs"] == epochs and summary["val_acc"] > 0.5  # chance is 0.25
    assert len(list((tmp_path / "runs").iterdir())) == 1  # the same directory, no new one


def test_resume_without_a_checkpoint_says_so(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run/resolved.yaml").write_text(SMOKE.read_text())
    result = runner(tmp_path, "resume", tmp_path / "run")
    assert result.returncode == 1 and "has no complete checkpoint to resume from" in result.stderr
