"""Crash-safe runs, on both backends: a run killed with SIGKILL at any moment and resumed ends
with the same weights, bit for bit, as a run that never stopped (deterministic, on CPU); a
truncated or unrecorded newest checkpoint is passed over for the previous complete one."""

import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import safetensors.torch
import torch

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

EPOCHS = 6
# No run-end report: what these tests compare is the weights, the optimizer and the epochs logged.
ARGS = ["hardware.deterministic=true", f"train.epochs={EPOCHS}", "log.report=false"]
CLASSIFICATION = ["data.train_size=256", "data.val_size=64"]  # 8 steps an epoch
# Each case's recipe and its own overrides: segmentation reads its generated shapes from files,
# with random flips in the per-image steps, whose generator a resumed run must restore too; 96
# images of 32x32 make 6 steps an epoch, about a second on 2 CPU cores, so the mid-epoch kill
# (0.43 s into the third epoch) still lands inside one.
RECIPES = {
    "lightning": [ROOT / "recipes/smoke/synthetic.yaml", *CLASSIFICATION],
    "paddle": [ROOT / "recipes/smoke/paddle_synthetic.yaml", *CLASSIFICATION],
    "paddle-segmentation": [
        ROOT / "recipes/quickstart_segmentation.yaml",
        "backend=paddle",
        "data.image_size=32",
        "data.train_size=96",
        "data.val_size=32",
    ],
}


def start(cwd: Path, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "runner", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return out


def weights(run_dir: Path) -> dict:
    """The newest checkpoint's model and optimizer tensors (Paddle's, and its schedule's state)."""
    paddle = run_dir / "checkpoints/last.safetensors"
    if paddle.exists():
        schedule = json.loads(paddle.resolve().with_suffix(".json").read_text())["optimizer"]
        return {**safetensors.torch.load_file(paddle), "schedule": json.dumps(schedule).encode()}
    checkpoint = torch.load(run_dir / "checkpoints/last.ckpt", map_location="cpu", weights_only=True)
    return {
        **checkpoint["state_dict"],
        **{
            f"optimizer.{i}": v
            for i, v in enumerate(t for s in checkpoint["optimizer_states"][0]["state"].values() for t in s.values())
        },
    }


def assert_bitwise_equal(a: dict, b: dict):
    assert a.keys() == b.keys()
    different = [k for k in a if not (a[k] == b[k] if isinstance(a[k], bytes) else torch.equal(a[k], b[k]))]
    assert not different, f"{len(different)} tensors differ, e.g. {different[:3]}"


@pytest.fixture(scope="module", params=list(RECIPES))
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, backend) -> dict:
    cwd = tmp_path_factory.mktemp("whole")
    out = finish(start(cwd, "run", *RECIPES[backend], *ARGS))
    return weights(cwd / out.splitlines()[-1].removeprefix("run dir: "))


def recorded(run_dir: Path) -> int:
    """Epochs covered by the newest complete checkpoint (a .ckpt, or a Paddle generation's .json,
    written last), or 0."""
    try:
        text = (run_dir / "checkpoints/hashes.json").read_text()
    except FileNotFoundError:
        return 0
    return max((int(e) + 1 for e in re.findall(r'"epoch=(\d+)-[^"]*\.(?:ckpt|json)"', text)), default=0)


def written(run_dir: Path) -> int:
    """Epochs covered by the newest checkpoint file that has appeared, complete or not."""
    names = [p.name for p in run_dir.glob("checkpoints/epoch=*")]
    return max((int(re.match(r"epoch=(\d+)", n)[1]) + 1 for n in names), default=0)


def killed_then_resumed(cwd: Path, recipe: list, after, extra_delay: float) -> tuple[Path, str]:
    """Kill the run once after(run_dir) holds, plus a delay; then resume it."""
    proc = start(cwd, "run", *recipe, *ARGS)
    run_dir = cwd / proc.stdout.readline().strip().removeprefix("run dir: ")
    deadline = time.monotonic() + 300
    while not after(run_dir):
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.01)
    time.sleep(extra_delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    resumed = start(cwd, "resume", run_dir)
    out = finish(resumed)
    return run_dir, out


KILL_POINTS = {
    # as the second checkpoint's file appears: its write or its record may be cut short
    "during-a-checkpoint-write": (lambda d: written(d) >= 2, 0.0),
    "mid-epoch": (lambda d: recorded(d) >= 2, random.Random(0).uniform(0.05, 0.5)),
    "right-after-a-checkpoint": (lambda d: recorded(d) >= 3, 0.0),  # the third epoch's
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_and_resumed_equals_never_stopped(tmp_path, backend, uninterrupted, point):
    run_dir, out = killed_then_resumed(tmp_path, RECIPES[backend], *KILL_POINTS[point])
    assert "resuming from" in out
    assert_bitwise_equal(weights(run_dir), uninterrupted)
    epochs = [int(line.split(",")[0]) for line in (run_dir / "metrics.csv").read_text().splitlines()[1:]]
    assert epochs == list(range(EPOCHS))  # no epoch skipped, none written twice


def test_a_cut_short_newest_checkpoint_is_passed_over(tmp_path, backend, uninterrupted):
    proc = start(tmp_path, "run", *RECIPES[backend], *ARGS)
    run_dir = tmp_path / proc.stdout.readline().strip().removeprefix("run dir: ")
    while recorded(run_dir) < 1:
        assert proc.poll() is None
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # What a write cut short by a crash would leave, had it not been atomic: half a file, unrecorded.
    suffix = ".ckpt" if backend == "lightning" else ".json"
    newest = sorted(run_dir.glob(f"checkpoints/epoch=*{suffix}"))[0]
    fake = run_dir / f"checkpoints/epoch=4-step=00000040{suffix}"
    fake.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])
    resumed = start(tmp_path, "resume", run_dir)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err[-3000:]
    assert f"passing over {fake.resolve()}" in err or f"passing over {fake}" in err
    assert_bitwise_equal(weights(run_dir), uninterrupted)
