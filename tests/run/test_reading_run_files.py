"""A run directory's JSON and CSV files are read bounded, like a recipe: one that is /dev/zero, a
FIFO or a sparse multi-gigabyte file gets a message naming it, never a hang or a MemoryError."""

import os

import pytest

from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes, epoch_log, layout
from tests.conftest import QUICKSTART, bounded


def run_dir(tmp_path):
    """A run directory as far as `runner eval` reads it before any checkpoint."""
    path = tmp_path / "runs" / "quickstart-1"
    layout.checkpoints(path).mkdir(parents=True)
    (path / layout.RESOLVED).write_text(QUICKSTART)
    return path


def test_eval_refuses_a_summary_linked_to_dev_zero(tmp_path):
    path = run_dir(tmp_path)
    (path / layout.SUMMARY).symlink_to("/dev/zero")
    result = bounded("eval", path, cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.startswith(
        f"runner eval: {path / layout.SUMMARY} cannot be read (it is a character device, not a regular file"
    ), result.stderr


def test_eval_refuses_a_sparse_three_gigabyte_summary(tmp_path):
    path = run_dir(tmp_path)
    with open(path / layout.SUMMARY, "wb") as f:
        f.truncate(3 << 30)
    result = bounded("eval", path, cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert (
        f"{path / layout.SUMMARY} cannot be read (it is larger than 8 MiB, the most runner reads of "
        "a run directory's JSON file)" in result.stderr
    )


def test_a_fifo_hashes_record_is_refused_without_waiting(tmp_path):
    path = run_dir(tmp_path)
    os.mkfifo(layout.checkpoints(path) / layout.HASHES)
    code = (
        "from pathlib import Path; from runner.run import checkpoint_hashes\n"
        f"checkpoint_hashes.is_recorded(Path({str(layout.checkpoints(path) / 'last.ckpt')!r}))"
    )
    result = bounded(code=code, timeout=30)
    assert "RunFailed: cannot read" in result.stderr and "a named pipe (FIFO)" in result.stderr, result.stderr


def test_resume_refuses_a_metrics_table_that_is_a_fifo(tmp_path):
    path = run_dir(tmp_path)
    os.mkfifo(path / layout.METRICS)
    code = (
        "from pathlib import Path; from runner.run import epoch_log\n"
        f"epoch_log.drop_from(Path({str(path / layout.METRICS)!r}), 3)"
    )
    result = bounded(code=code, timeout=30)
    assert "RunFailed: " in result.stderr and "metrics.csv cannot be read (it is a named pipe (FIFO)" in result.stderr


def test_a_damaged_metrics_table_is_a_message(tmp_path):
    table = tmp_path / layout.METRICS
    table.write_text("epoch,step\nthree,10\n")
    with pytest.raises(RunFailed, match=r"metrics.csv cannot be read \(.*\); move it aside"):
        epoch_log.drop_from(table, 1)


def test_hashes_record_still_reads(tmp_path):
    checkpoint = tmp_path / "epoch=0-step=1.ckpt"
    checkpoint.write_bytes(b"weights")
    checkpoint_hashes.record(checkpoint)
    assert checkpoint_hashes.is_recorded(checkpoint)
