"""Which processes join a run: in a SLURM allocation with several tasks, a plain `runner run`
(as a batch script starts it) is one whole run, and a second one is another run, not a refused
rank of the first; only a task srun started reads SLURM's rank. Both backends."""

import os
import subprocess
import sys

import pytest

from runner.run import launch
from tests.conftest import ROOT

RECIPES = {"lightning": "synthetic", "paddle": "paddle_synthetic"}
# What sbatch --ntasks-per-node=2 puts in a batch script's environment (no SLURM_STEP_ID: srun's).
ALLOCATION = {
    "SLURM_JOB_ID": "4242",
    "SLURM_JOB_NAME": "train",
    "SLURM_NTASKS": "2",
    "SLURM_NTASKS_PER_NODE": "2",
    "SLURM_NNODES": "1",
    "SLURM_NODEID": "0",
    "SLURM_PROCID": "0",
    "SLURM_LOCALID": "0",
}


@pytest.mark.slow
@pytest.mark.parametrize("backend", RECIPES)
def test_plain_runs_in_a_slurm_allocation_are_whole_runs(tmp_path, backend):
    env = {**os.environ, **ALLOCATION}
    dirs = []
    for _ in range(2):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "runner",
                "run",
                ROOT / f"recipes/smoke/{RECIPES[backend]}.yaml",
                "train.epochs=1",
                "log.report=false",  # a whole run is its epochs and summary; the report is the report tests'
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        dirs.append(result.stdout.strip().splitlines()[-1].removeprefix("run dir: "))
    assert dirs[0] != dirs[1] and not any("job4242" in d for d in dirs)
    assert all((tmp_path / d / "summary.json").is_file() for d in dirs)


def test_only_a_task_srun_started_reads_slurms_rank(monkeypatch):
    for name, value in {**ALLOCATION, "SLURM_PROCID": "1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "PADDLE_TRAINER_ID", "PADDLE_TRAINERS_NUM", "TORCHELASTIC_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SLURM_STEP_ID", raising=False)
    monkeypatch.delenv("SLURM_STEPID", raising=False)
    assert (launch.rank(), launch.world(), launch.job_id(), launch.slurm_allocation()) == (0, 1, None, True)
    monkeypatch.setenv("SLURM_STEP_ID", "0")
    assert (launch.rank(), launch.world(), launch.job_id(), launch.slurm_allocation()) == (1, 2, "4242", False)


def test_only_the_parent_s_run_directory_is_joined(monkeypatch):
    """RUNNER_RUN_DIR tells the workers a `runner run` starts where its run is; one inherited from
    further up (a shell, a test process) names no run of theirs."""
    from runner.run import rundir

    monkeypatch.setenv(rundir.SHARED, f"{os.getppid()}:runs/a")
    assert str(rundir.shared()) == "runs/a"
    for stale in ("runs/a", f"{os.getpid()}:runs/a", "1:runs/a"):
        monkeypatch.setenv(rundir.SHARED, stale)
        assert rundir.shared() is None
