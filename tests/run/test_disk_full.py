"""A checkpoint that cannot be written (full disk, file-size limit, unwritable folder) stops the
run with a clear message, and the checkpoints already written stay complete and usable."""

import errno
import json
import resource
import signal
import subprocess
import sys

import pytest

from runner.recipe.errors import RunFailed
from runner.run import atomic, checkpoint_hashes
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

RECIPES = {"lightning": "synthetic", "paddle": "paddle_synthetic"}


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "last.ckpt"
    path.write_bytes(b"the good checkpoint")

    def fill(f):
        f.write(b"half of a new one")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(RunFailed, match=r"\(the disk is full\); the checkpoints already in .* are intact"):
        atomic.write(path, fill)
    assert path.read_bytes() == b"the good checkpoint" and [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]


def limited_file_size():
    """In the child: files may not grow past 1 MB, and writing past it fails (EFBIG) instead of
    killing the process, as a full disk makes writes fail."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


@pytest.mark.parametrize("backend", RECIPES)
def test_a_run_that_cannot_write_its_checkpoint_stops_and_keeps_the_last_good_one(tmp_path, backend):
    def runner(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "-m", "runner", *map(str, args)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            **kwargs,
        )

    # No run-end report (the resumes read log.report from the run): what is checked is the checkpoints.
    first = runner("run", ROOT / f"recipes/smoke/{RECIPES[backend]}.yaml", "train.epochs=2", "log.report=false")
    assert first.returncode == 0, first.stderr[-3000:]
    path = tmp_path / first.stdout.splitlines()[-1].removeprefix("run dir: ")
    good = sorted(p for p in (path / "checkpoints").glob("epoch=*") if p.suffix in (".ckpt", ".safetensors"))

    failed = runner("resume", path, "train.epochs=4", preexec_fn=limited_file_size)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr[-3000:]
    assert "cannot write" in failed.stderr and "are intact" in failed.stderr
    assert all(checkpoint_hashes.is_recorded(p) for p in good)  # still complete and verified
    assert not list((path / "checkpoints").glob(".*tmp*"))

    finished = runner("resume", path)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert json.loads((path / "summary.json").read_text())["epochs"] == 4
