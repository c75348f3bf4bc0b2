"""A Paddle run's checkpoints cannot run code when loaded: the runner writes safetensors and JSON,
never unpickles a file without --trust (a hash in hashes.json is no authentication: whoever can
write a file can write its record), and reads an older runner's pickled checkpoints only when told
to. A damaged newest generation is passed over for the previous one, as on Lightning."""

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import paddle
import pytest

from runner.backends.paddle import checkpoint_format
from runner.run import checkpoint_hashes
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

SMOKE = ROOT / "recipes/smoke/paddle_synthetic.yaml"
ARGS = ["train.epochs=2", "data.train_size=128", "data.val_size=64"]


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("finished")
    result = runner(cwd, "run", SMOKE, *ARGS)
    assert result.returncode == 0, result.stderr[-3000:]
    return cwd / result.stdout.splitlines()[-1].removeprefix("run dir: ")


@pytest.fixture
def run_dir(finished, tmp_path) -> Path:
    """A copy of the finished two-epoch run (resumed with LONGER for a third epoch)."""
    path = tmp_path / "run"
    shutil.copytree(finished, path, symlinks=True)
    return path


LONGER = "train.epochs=3"


def generations(path: Path) -> list[Path]:
    """The run's generations' .json files, oldest first."""
    return sorted((path / "checkpoints").glob("epoch=*.json"), key=lambda p: int(p.stem.rsplit("=", 1)[1]))


class Payload:
    """Unpickling this creates the file `marker`: what a planted checkpoint could do instead."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def plant(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)
    path.write_bytes(data)
    checkpoint_hashes.record(path)  # as anyone who can write the run directory can


@pytest.mark.parametrize("command", ["eval", "resume"])
@pytest.mark.parametrize("where", ["older-names", "current-names"])
def test_a_planted_pickle_with_a_recorded_hash_is_never_unpickled(run_dir, tmp_path, command, where):
    marker = tmp_path / "the-pickle-ran"
    payload = pickle.dumps({"weights": Payload(marker)})
    folder, newest = run_dir / "checkpoints", generations(run_dir)[-1]
    summary = json.loads((run_dir / "summary.json").read_text())
    if where == "older-names":  # paddle.save's names, which older runners loaded
        plant(folder / "best-epoch=1.pdparams", payload)
        summary["best_checkpoint"] = "checkpoints/best-epoch=1.pdparams"
        (run_dir / "summary.json").write_text(json.dumps(summary))
        planted = newest.with_name("epoch=5-step=00000099.json")
        planted.write_text(newest.read_text())
        checkpoint_hashes.record(planted)
        for suffix in (".pdparams", ".pdopt"):
            plant(planted.with_suffix(suffix), payload)
    else:  # pickles under the names this runner writes
        plant(run_dir / summary["best_checkpoint"], payload)
        plant(newest.with_suffix(".safetensors"), payload)

    result = runner(tmp_path, command, run_dir, *([LONGER] if command == "resume" else []))
    assert not marker.exists(), "the planted pickle ran"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if where == "current-names" and command == "resume":  # passed over, as a damaged generation is
        assert result.returncode == 0 and "not a checkpoint this runner wrote" in result.stderr
        return
    assert result.returncode == 1
    if where == "older-names":
        assert "is a pickled Paddle checkpoint" in result.stderr and "loading a pickle runs any code" in result.stderr
        assert "pass --trust to load it" in result.stderr
    else:
        assert "cannot load the checkpoint" in result.stderr or "as a Paddle checkpoint" in result.stderr


@pytest.mark.parametrize("damage", ["truncated", "changed"])
def test_a_damaged_newest_generation_is_passed_over_for_the_previous(run_dir, tmp_path, damage):
    previous, newest = generations(run_dir)
    tensors = [p for p in newest.parent.glob(f"{newest.stem}.*") if p.suffix != ".json"]
    assert tensors
    for path in tensors:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if damage == "truncated" else data[:-1] + bytes([data[-1] ^ 1]))

    result = runner(tmp_path, "resume", run_dir, LONGER)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"passing over {newest}: " in result.stderr and "changed since it was written" in result.stderr
    for path in (newest, *tensors):
        assert path.with_name(path.name + ".passed-over").is_file()
    assert f"resuming from {previous.with_suffix('.safetensors')} after epoch 1" in result.stdout
    epochs = [int(line.split(",")[0]) for line in (run_dir / "metrics.csv").read_text().splitlines()[1:]]
    assert epochs == [0, 1, 2] and json.loads((run_dir / "summary.json").read_text())["epochs"] == 3


def as_older_runner_wrote_it(path: Path) -> None:
    """Rewrite the run's checkpoints as paddle.save pickles, as runners before safetensors did."""
    folder = path / "checkpoints"
    for meta in generations(path):
        network, optimizer = checkpoint_format.load(meta.with_suffix(".safetensors"))
        state = json.loads(meta.read_text())
        paddle.save(network, str(meta.with_suffix(".pdparams")))
        paddle.save({**optimizer, **state.pop("optimizer")}, str(meta.with_suffix(".pdopt")))
        meta.write_text(json.dumps(state))
        checkpoint_hashes.record(meta, meta.with_suffix(".pdparams"), meta.with_suffix(".pdopt"))
        meta.with_suffix(".safetensors").unlink()
    summary = json.loads((path / "summary.json").read_text())
    best = path / summary["best_checkpoint"]
    paddle.save(checkpoint_format.load(best)[0], str(best.with_suffix(".pdparams")))
    checkpoint_hashes.record(best.with_suffix(".pdparams"))
    best.unlink()
    (folder / "last.safetensors").unlink()
    summary["best_checkpoint"] = f"checkpoints/{best.with_suffix('.pdparams').name}"
    (path / "summary.json").write_text(json.dumps(summary))


def test_an_older_runners_pickled_checkpoints_load_only_with_trust(run_dir, tmp_path):
    as_older_runner_wrote_it(run_dir)
    for command in ("eval", "resume"):
        refused = runner(tmp_path, command, run_dir, *([LONGER] if command == "resume" else []))
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr[-3000:]
        assert "is a pickled Paddle checkpoint" in refused.stderr and "pass --trust" in refused.stderr
    scored = runner(tmp_path, "eval", run_dir, "--trust")
    assert scored.returncode == 0, scored.stderr[-3000:]
    resumed = runner(tmp_path, "resume", run_dir, LONGER, "--trust")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "after epoch 2" in resumed.stdout and json.loads((run_dir / "summary.json").read_text())["epochs"] == 3
    assert (run_dir / "checkpoints/last.safetensors").is_file()  # it goes on in the current format
