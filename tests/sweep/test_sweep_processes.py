"""Sweeps across processes: one killed with SIGKILL mid-trial and started again finishes the study
with exactly its budget, the dead trial's values tried again; two processes sharing a study in a
real PostgreSQL server (tests/postgres.py) split one grid between them, no point run twice."""

import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from runner.sweep import budget
from tests.conftest import ROOT
from tests.postgres import postgres_url  # noqa: F401

SMOKE = (ROOT / "recipes" / "smoke" / "synthetic.yaml").read_text()


def sweep_recipe(params: str, extra: str = "") -> str:
    return SMOKE + "sweep:\n" + extra + "  params:\n" + params


def start(cwd, *args) -> subprocess.Popen:
    command = [sys.executable, "-m", "runner", "sweep", *map(str, args)]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_a_sweep_killed_mid_trial_continues_to_exactly_its_budget(write, tmp_path):
    recipe = write(
        sweep_recipe(
            "    optim.lr:\n      float:\n        low: 1.0e-3\n        high: 1.0e-2\n        log: true\n",
            "  trials: 3\n  sampler:\n    name: random\n    seed: 1\n  pruner:\n    name: none\n",
        )
    )
    folder = tmp_path / "runs" / "smoke_synthetic-sweep"
    first = start(tmp_path, recipe, "train.epochs=4")
    deadline = time.monotonic() + 240
    while not (folder / "trial-001" / "metrics.csv").exists():  # trial 1 has trained an epoch
        assert first.poll() is None and time.monotonic() < deadline, first.stdout.read()
        time.sleep(0.2)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    again = subprocess.run(
        [sys.executable, "-m", "runner", "sweep", recipe, "train.epochs=4"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "tried again: the trials of a process that is gone" in again.stdout
    trials = optuna.load_study(study_name="smoke_synthetic", storage=f"sqlite:///{folder / 'study.db'}").trials
    assert sum(budget.counts(t) for t in trials) == 3
    assert [t.state.name for t in trials] == ["COMPLETE", "FAIL", "COMPLETE", "COMPLETE"]
    assert trials[2].user_attrs[budget.RETRY_OF] == 1 and trials[2].params == trials[1].params
    for t in trials:  # the killed trial's directory stays, with the epoch it finished
        run = folder / f"trial-{t.number:03d}"
        assert (run / "resolved.yaml").is_file() and (run / "metrics.csv").is_file()
        assert (run / "summary.json").is_file() == (t.state.name == "COMPLETE")


@pytest.mark.slow
def test_two_processes_share_one_study_in_postgresql(write, tmp_path, postgres_url):  # noqa: F811
    lrs = [0.001, 0.002, 0.003, 0.005]
    recipe = write(
        sweep_recipe(
            "    optim.lr:\n      choice:\n" + "".join(f"        - {lr}\n" for lr in lrs),
            "  trials: 10\n  sampler:\n    name: grid\n  pruner:\n    name: none\n",
        )
    )
    shared = [recipe, f"sweep.storage={postgres_url}", "train.epochs=1", "data.train_size=128"]
    workers = [start(tmp_path, *shared, f"log.dir={machine}") for machine in ("a", "b")]
    outputs = [w.communicate(timeout=600)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert all("the grid has 4 points: the sweep runs 4 trials, not 10" in out for out in outputs)

    trials = optuna.load_study(study_name="smoke_synthetic", storage=postgres_url).trials
    counted = [t for t in trials if budget.counts(t)]
    assert len(counted) == 4 and all(t.state.name == "COMPLETE" for t in counted)
    assert sorted(t.params["optim.lr"] for t in counted) == lrs  # every point once
    ran_in = {t.user_attrs[budget.RUN_DIR].split(os.sep)[0] for t in counted}
    assert ran_in == {"a", "b"}, "both processes should have run trials"


@pytest.mark.slow
def test_isolated_trials_train_in_their_own_processes_and_report_to_the_pruner(write, tmp_path):
    recipe = write(
        sweep_recipe(
            "    optim.lr:\n      choice:\n        - 0.003\n        - 3.0\n",
            "  trials: 2\n  sampler:\n    name: grid\n    seed: 1\n"
            "  pruner:\n    name: median\n    n_startup_trials: 1\n",
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "runner", "sweep", recipe, "--isolate", "train.epochs=2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    folder = tmp_path / "runs" / "smoke_synthetic-sweep"
    trials = optuna.load_study(study_name="smoke_synthetic", storage=f"sqlite:///{folder / 'study.db'}").trials
    assert [(t.params["optim.lr"], t.state.name) for t in trials] == [(0.003, "COMPLETE"), (3.0, "PRUNED")]
    for t in trials:  # each trained by a child process of its own
        command = json.loads((folder / f"trial-{t.number:03d}" / "provenance.json").read_text())["command"]
        assert command[-2:] == ["--run-trial", str(t._trial_id)]
