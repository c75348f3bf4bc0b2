"""The recovery paths, on both backends: a finished run resumed is left as it is; training longer is
an explicit `train.epochs=N` recorded in the run; a hand-edited resolved.yaml or a missing
hashes.json is refused with nothing touched; leftovers of a killed write are cleared; a moved run
keeps its best score and one best checkpoint; `runner eval` scores an unfinished run's best and
reads nothing outside the run."""

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

RECIPES = {"lightning": "synthetic", "paddle": "paddle_synthetic"}
ARGS = ["train.epochs=2", "data.train_size=128", "data.val_size=64"]


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module", params=list(RECIPES))
def original(request, tmp_path_factory) -> tuple[str, Path]:
    cwd = tmp_path_factory.mktemp(request.param)
    result = runner(cwd, "run", ROOT / f"recipes/smoke/{RECIPES[request.param]}.yaml", *ARGS)
    assert result.returncode == 0, result.stderr[-3000:]
    return request.param, cwd / result.stdout.strip().splitlines()[-1].removeprefix("run dir: ")


@pytest.fixture
def run(original, tmp_path) -> tuple[str, Path]:
    """A copy of the finished run of its own, moved to another folder."""
    backend, path = original
    copy = tmp_path / "moved" / path.name
    shutil.copytree(path, copy, symlinks=True)
    return backend, copy


def tree(path: Path) -> dict:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(path.rglob("*"))
    }


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader((path / "metrics.csv").open()))


def test_a_finished_run_says_so_and_changes_nothing(run, tmp_path):
    _, path = run
    before = tree(path)
    result = runner(tmp_path, "resume", path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "is finished (2 epochs" in result.stdout and f"runner resume {path} train.epochs=N" in result.stdout
    assert tree(path) == before


def test_training_longer_is_recorded_and_keeps_the_best(run, tmp_path):
    _, path = run
    result = runner(tmp_path, "resume", path, "train.epochs=4")
    assert result.returncode == 0, result.stderr[-3000:]
    assert [int(r["epoch"]) for r in rows(path)] == [0, 1, 2, 3]
    summary = json.loads((path / "summary.json").read_text())
    assert summary["epochs"] == 4 and summary["best"] == max(float(r["val_acc"]) for r in rows(path))
    best = [p.name for p in (path / "checkpoints").glob("best-*")]
    assert best == [Path(summary["best_checkpoint"]).name], "one best checkpoint, the one the summary names"
    assert (path / "overrides.txt").read_text().splitlines()[-1] == "train.epochs=4"
    assert "  epochs: 4\n" in (path / "resolved.yaml").read_text()
    assert "is finished (4 epochs" in runner(tmp_path, "resume", path).stdout


def test_an_edited_resolved_yaml_and_other_keys_are_refused(run, tmp_path):
    _, path = run
    resolved = path / "resolved.yaml"
    resolved.write_text(resolved.read_text().replace("lr: 0.003", "lr: 0.004"))
    before = tree(path)
    edited = runner(tmp_path, "resume", path, "train.epochs=4")
    assert edited.returncode == 1 and "optim.lr: 0.003 when trained, 0.004 now" in edited.stderr
    other = runner(tmp_path, "resume", path, "data.batch_size=8")
    assert other.returncode == 1 and "a resume can change only train.epochs" in other.stderr
    fewer = runner(tmp_path, "resume", path, "train.epochs=1")
    assert fewer.returncode == 1
    assert tree(path) == before and "Traceback" not in edited.stderr + other.stderr + fewer.stderr


def test_a_missing_hash_record_touches_nothing_and_points_at_trust(run, tmp_path):
    _, path = run
    (path / "summary.json").unlink()  # killed before its summary: there is something to resume
    (path / "checkpoints/hashes.json").unlink()
    before = tree(path)
    refused = runner(tmp_path, "resume", path)
    assert refused.returncode == 1 and "hashes.json is missing" in refused.stderr and "--trust" in refused.stderr
    assert tree(path) == before
    trusted = runner(tmp_path, "resume", path, "--trust")
    assert trusted.returncode == 0, trusted.stderr[-3000:]
    assert json.loads((path / "summary.json").read_text())["epochs"] == 2


def test_leftovers_of_a_killed_write_are_cleared_on_resume(run, tmp_path):
    _, path = run
    folder = path / "checkpoints"
    (folder / ".state.json.tmp-99999").write_text("{")
    (folder / ".last.ckpt.tmp-99999").symlink_to("nowhere")
    result = runner(tmp_path, "resume", path, "train.epochs=3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(folder.glob(".*"))


def test_eval_of_an_unfinished_run_scores_its_best_so_far(run, tmp_path):
    _, path = run
    named = json.loads((path / "summary.json").read_text())["best_checkpoint"]
    (path / "summary.json").unlink()
    result = runner(tmp_path, "eval", path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"scoring {path / named} (the best by val_acc so far: the run has not finished)" in result.stdout


def test_eval_reads_nothing_outside_the_run(run, original, tmp_path):
    _, path = run
    named = path / json.loads((path / "summary.json").read_text())["best_checkpoint"]
    named.unlink()
    named.symlink_to(original[1] / "checkpoints" / named.name)  # another run's weights
    for target in (path, named):
        result = runner(tmp_path, "eval", target)
        assert result.returncode == 1 and "points outside its run directory" in result.stderr, result.stderr[-3000:]
    (path / "summary.json").write_text('{"best_checkpoint": ')
    broken = runner(tmp_path, "eval", path)
    assert broken.returncode == 1 and "summary.json cannot be read" in broken.stderr
    assert "Traceback" not in broken.stderr


class Planted:
    """Not a tensor: torch's weights-only loading refuses it."""


@pytest.mark.parametrize("original", ["lightning"], indirect=True)
def test_a_recorded_file_that_is_not_tensors_is_passed_over_without_advising_unsafe_loading(run, tmp_path):
    import torch

    _, path = run
    (path / "summary.json").unlink()  # killed before its summary: there is something to resume
    planted = path / "checkpoints/epoch=8-step=00000099.ckpt"
    torch.save({"state_dict": Planted()}, planted)
    record = path / "checkpoints/hashes.json"
    hashes = json.loads(record.read_text())
    record.write_text(json.dumps({**hashes, planted.name: hashlib.sha256(planted.read_bytes()).hexdigest()}))
    scored = runner(tmp_path, "eval", planted)
    assert scored.returncode == 1 and "is not a checkpoint this runner wrote" in scored.stderr
    resumed = runner(tmp_path, "resume", path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"passing over {planted}: it does not load" in resumed.stderr and "after epoch 2" in resumed.stdout
    said = scored.stdout + scored.stderr + resumed.stdout + resumed.stderr
    assert "weights_only" not in said and "Traceback" not in said
