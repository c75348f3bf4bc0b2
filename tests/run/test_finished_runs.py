"""What a finished run's directory holds and answers, on both backends, wherever it is moved to:
checkpoints named inside the run, its classes, validation on the recipe's cadence, a val_loss that
is the loss `runner eval` reports, eval of the best checkpoint (saying which it scored), the
dataset's own test split, the network loaded for inference, and a resume with --trust that passes
over a checkpoint which does not load."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

RECIPES = {"lightning": ROOT / "recipes/smoke/synthetic.yaml", "paddle": ROOT / "recipes/smoke/paddle_synthetic.yaml"}
# Three epochs validated after the second and the last; half the training set held out for
# validation, so the dataset's own test split (its val_size draw) is another set of images. No
# run-end report, here or in the resumes: the report tests read the report.
ARGS = [
    "train.epochs=3",
    "train.val_every=2",
    "train.label_smoothing=0.1",
    "data.train_size=256",
    "data.val_size=64",
    "data.val_fraction=0.5",
    "log.report=false",
]
SUFFIX = {"lightning": ".ckpt", "paddle": ".safetensors"}


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module", params=list(RECIPES))
def finished(request, tmp_path_factory) -> tuple[str, Path]:
    cwd = tmp_path_factory.mktemp(request.param)
    result = runner(cwd, "run", RECIPES[request.param], *ARGS)
    assert result.returncode == 0, result.stderr[-3000:]
    return request.param, cwd / result.stdout.strip().splitlines()[-1].removeprefix("run dir: ")


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader((path / "metrics.csv").open()))


def test_checkpoints_are_named_inside_the_run_and_its_classes_saved(finished):
    backend, path = finished
    summary = json.loads((path / "summary.json").read_text())
    assert summary["best_checkpoint"].startswith("checkpoints/best-") and (path / summary["best_checkpoint"]).is_file()
    assert summary["last_checkpoint"] == f"checkpoints/last{SUFFIX[backend]}"
    assert json.loads((path / "classes.json").read_text()) == ["0", "1", "2", "3"]


def test_validation_runs_every_val_every_epochs_and_after_the_last(finished):
    validated = [r["val_acc"] != "" and r["val_loss"] != "" for r in rows(finished[1])]
    assert validated == [False, True, True]


def test_val_loss_is_the_loss_runner_eval_reports(finished, tmp_path):
    backend, path = finished
    scored = runner(tmp_path, "eval", path / f"checkpoints/last{SUFFIX[backend]}")
    assert scored.returncode == 0, scored.stderr[-3000:]
    result = json.loads((path / "eval/last-val.json").read_text())
    assert result["loss"] == pytest.approx(float(rows(path)[-1]["val_loss"]), abs=2e-5)  # no label smoothing


def test_a_moved_run_is_scored_on_its_best_checkpoint_from_any_folder(finished, tmp_path):
    moved = tmp_path / "moved" / "run"
    shutil.copytree(finished[1], moved, symlinks=True)
    (tmp_path / "elsewhere").mkdir()
    scored = runner(tmp_path / "elsewhere", "eval", moved)
    assert scored.returncode == 0, scored.stderr[-3000:]
    summary = json.loads((moved / "summary.json").read_text())
    best = moved / summary["best_checkpoint"]
    assert scored.stdout.startswith(f"scoring {best} (the best by val_acc) on the val split")
    result = json.loads((moved / "eval" / f"{best.stem}-val.json").read_text())
    assert result["top1"] == pytest.approx(summary["best"], abs=1e-6) and result["images"] == 128


def test_the_test_split_is_the_datasets_own(finished, tmp_path):
    test = runner(tmp_path, "eval", finished[1], "--split", "test")
    assert test.returncode == 0, test.stderr[-3000:]
    assert "override" not in test.stdout + test.stderr
    best = json.loads((finished[1] / "summary.json").read_text())["best_checkpoint"]
    assert json.loads((finished[1] / "eval" / f"{Path(best).stem}-test.json").read_text())["images"] == 64


def test_a_loaded_run_predicts_as_its_best_validation_scored(finished):
    from runner import backends
    from runner.data.arrays import load_arrays

    inference = backends.load_for_inference(finished[1])
    assert inference.classes == ("0", "1", "2", "3") and inference.sample_steps is None
    arrays = load_arrays(inference.program.data)
    top1 = np.mean(inference.scores(arrays.x_val).argmax(1) == arrays.y_val)
    assert top1 == pytest.approx(json.loads((finished[1] / "summary.json").read_text())["best"], abs=1e-6)


def test_resume_with_trust_passes_over_a_checkpoint_that_does_not_load(finished, tmp_path):
    backend, original = finished
    path = tmp_path / "run"
    shutil.copytree(original, path, symlinks=True)
    (path / "summary.json").unlink()  # killed before its summary: there is something to resume
    truncated = path / "checkpoints" / ("epoch=8-step=00000099" + (".ckpt" if backend == "lightning" else ".json"))
    truncated.write_bytes(b"PK\x03\x04 cut short")
    resumed = runner(tmp_path, "resume", path, "--trust")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"passing over {truncated}: it does not load" in resumed.stderr and "Traceback" not in resumed.stderr
    assert "resuming from" in resumed.stdout and "after epoch 3" in resumed.stdout


def test_a_resumed_run_keeps_the_cadence_it_started_with(finished, tmp_path):
    path = tmp_path / "run"
    shutil.copytree(finished[1], path, symlinks=True)
    resumed = runner(tmp_path, "resume", path, "train.epochs=5")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    validated = [r["val_acc"] != "" for r in rows(path)]
    assert validated == [
        False,
        True,
        True,
        True,
        True,
    ]  # every 2nd epoch, the first run's last (3rd) and the last (5th)


def test_a_run_killed_before_its_summary_gets_one_on_resume(finished):
    # In place, as `runner run` printed it: Lightning restores the best score only for the same
    # checkpoint folder. The summary written again is the one the other tests read.
    path = finished[1]
    written = json.loads((path / "summary.json").read_text())
    (path / "summary.json").unlink()  # the kill came after the last checkpoint, before the summary
    resumed = runner(path.parent.parent, "resume", Path("runs") / path.name)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    summary = json.loads((path / "summary.json").read_text())
    assert (summary["epochs"], summary["best"], summary["best_checkpoint"]) == (
        written["epochs"],
        pytest.approx(written["best"]),
        written["best_checkpoint"],
    )
