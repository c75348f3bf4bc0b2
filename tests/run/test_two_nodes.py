"""Two nodes on this machine: two separate process trees on 127.0.0.1, each started by the
multi-node launcher command the README shows (torchrun for Lightning, paddle.distributed.launch
for Paddle). They train the smoke recipe into the one run directory rank 0 makes; when one node is
killed mid-run, the other stops within seconds saying which rank it lost; `runner resume`, started
the same way on both nodes, then completes the run with the global step count of one run."""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

EPOCHS = 6
STEPS = EPOCHS * 512 // 32  # batch_size counts images across both nodes: 16 per process, 16 steps an epoch
STOPS_WITHIN_S = 20  # a lost node is told in about 1 s; the rest is the launchers' own exit


def node(backend: str, rank: int, port: int, tmp_path, *args: str) -> subprocess.Popen:
    """One node: its launcher and all it starts, in a session of its own (so it can be killed whole)."""
    if backend == "lightning":
        launcher = ["-m", "torch.distributed.run", "--nnodes", "2", "--nproc-per-node", "1", "--node-rank", str(rank)]
        launcher += ["--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{port}", "-m", "runner"]
    else:
        launcher = ["-m", "paddle.distributed.launch", "--nnodes", "2", "--master", f"127.0.0.1:{port}"]
        launcher += ["--rank", str(rank), "--log_dir", str(tmp_path / f"node{rank}"), str(ROOT / ".venv/bin/runner")]
    log = (tmp_path / f"node{rank}.log").open("a")
    return subprocess.Popen(
        [sys.executable, *launcher, *args], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_tree(process: subprocess.Popen) -> None:
    """Kill a node as a power cut would: its launcher, the training process and all they started."""
    pids = [process.pid]
    for pid in pids:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(child) for child in children]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def two_nodes(backend: str, tmp_path, *args: str) -> list[subprocess.Popen]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return [node(backend, rank, port, tmp_path, *args) for rank in (0, 1)]


def output(tmp_path, rank: int) -> str:
    """What a node printed: its launcher's output and, for Paddle, its worker's log."""
    files = [tmp_path / f"node{rank}.log", *sorted((tmp_path / f"node{rank}").glob("workerlog.*"))]
    return "".join(f.read_text(errors="replace") for f in files if f.is_file())


def both(tmp_path) -> str:
    return "".join(f"\n--- node {rank} ---\n{output(tmp_path, rank)[-4000:]}" for rank in (0, 1))


@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_two_nodes_share_a_run_survive_a_lost_node_and_resume(tmp_path, backend):
    recipe = ROOT / f"recipes/smoke/{'synthetic' if backend == 'lightning' else 'paddle_synthetic'}.yaml"
    nodes = two_nodes(backend, tmp_path, "run", str(recipe), "hardware.num_nodes=2", f"train.epochs={EPOCHS}",
                      "log.report=false")  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not any("epoch 2/" in output(tmp_path, rank) for rank in (0, 1)):
            assert time.monotonic() < deadline and all(n.poll() is None for n in nodes), both(tmp_path)
            time.sleep(0.2)
        # torchrun numbers its nodes by arrival; rank 0 is the one printing epochs
        first = 0 if "epoch 2/" in output(tmp_path, 0) else 1
        kill_tree(nodes[1 - first])
        killed = time.monotonic()
        nodes[first].wait(timeout=STOPS_WITHIN_S + 60)
        stopped_after = time.monotonic() - killed
    finally:
        for n in nodes:
            kill_tree(n)
    said, told_by = output(tmp_path, first), time.monotonic() + 10
    while "lost rank" not in said and time.monotonic() < told_by:  # the watchdog may outlive the launcher
        time.sleep(0.2)
        said = output(tmp_path, first)
    assert nodes[first].returncode != 0
    assert "rank 0 of 2: lost rank 1" in said and "runner resume runs/" in said, said[-3000:]
    assert stopped_after < STOPS_WITHIN_S, stopped_after
    [path] = (tmp_path / "runs").iterdir()  # the other rank made nothing of its own
    done = len(list(csv.DictReader((path / "metrics.csv").open())))
    assert 2 <= done < EPOCHS and not (path / "summary.json").exists()

    resumed = two_nodes(backend, tmp_path, "resume", str(path))
    try:
        codes = [n.wait(timeout=300) for n in resumed]
    finally:
        for n in resumed:
            kill_tree(n)
    assert codes == [0, 0], both(tmp_path)
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [path.name]
    summary = json.loads((path / "summary.json").read_text())
    assert summary["steps"] == STEPS and summary["epochs"] == EPOCHS
    assert summary["best"] >= 0.6, summary  # chance is 0.25
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    assert [int(row["epoch"]) for row in rows] == list(range(EPOCHS))  # rank 0 alone writes rows, each once
    assert int(rows[-1]["step"]) == STEPS
