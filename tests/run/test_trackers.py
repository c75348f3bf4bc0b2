"""log.mlflow and log.wandb: a run on either backend leaves, in a real MLflow store read back by
MLflow's own client and in an offline W&B run read back from its own record, the resolved recipe
and the same epochs as metrics.csv, under the same names; a tracker whose package is missing is a
message at the recipe's line before training starts."""

import csv
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import runner.backends
from tests.conftest import ROOT

SMOKE = ROOT / "recipes/smoke/synthetic.yaml"
# metrics.csv's columns but the epoch (the step) and the optimizer's step count.
METRICS = {"seconds", "images_per_s", "lr", "train_loss", "train_acc", "val_loss", "val_acc"}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_a_run_logs_its_recipe_and_epochs_to_mlflow_and_offline_wandb(tmp_path, backend):
    store = f"sqlite:///{tmp_path}/tracking/mlflow.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "MLFLOW_"))}
    # Offline by default: nothing here can reach W&B, and nothing may try (the timeout would say).
    env.update(WANDB_SILENT="true", WANDB_CONFIG_DIR=str(tmp_path / "wandb-config"))
    env.update(WANDB_CACHE_DIR=str(tmp_path / "wandb-cache"), WANDB_DATA_DIR=str(tmp_path / "wandb-data"))
    overrides = [f"backend={backend}", "train.epochs=2", "log.report=false", "log.wandb.enabled=true"]
    overrides += ["log.mlflow.enabled=true", f"log.mlflow.tracking_uri={store}"]
    result = subprocess.run(
        [sys.executable, "-m", "runner", "run", SMOKE, *overrides],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    path = tmp_path / result.stdout.splitlines()[-1].removeprefix("run dir: ")
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    val_acc = [float(r["val_acc"]) for r in rows]
    assert len(val_acc) == 2

    from mlflow.tracking import MlflowClient

    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("smoke_synthetic")  # the recipe's name
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED" and run.info.run_name == path.name
    assert f"mlflow: run {run.info.run_id} in experiment 'smoke_synthetic'" in result.stdout
    assert run.data.params["optim.lr"] == "0.003" and run.data.params["backend"] == backend
    assert run.data.params["augment.train.0.name"] == "hflip"
    assert run.data.tags["runner.run_dir"] == str(path)
    assert set(run.data.metrics) == METRICS
    history = client.get_metric_history(run.info.run_id, "val_acc")
    assert [m.step for m in history] == [0, 1]
    assert [m.value for m in history] == pytest.approx(val_acc, abs=1e-6)

    (offline,) = path.glob("wandb/offline-run-*")
    records = list(wandb_records(next(offline.glob("run-*.wandb"))))
    (started,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
    assert started.project == "runner" and started.display_name == path.name
    history = [
        {i.key or "/".join(i.nested_key): json.loads(i.value_json) for i in r.history.item}
        for r in records
        if r.HasField("history")
    ]
    assert [(h["_step"], h["epoch"]) for h in history] == [(0, 0), (1, 1)]
    assert [h["val_acc"] for h in history] == pytest.approx(val_acc, abs=1e-6)
    assert {k for k in history[-1] if not k.startswith("_")} == METRICS | {"epoch"}
    assert any(r.HasField("exit") and r.exit.exit_code == 0 for r in records)


def wandb_records(path: Path):
    """The protobuf Records of an offline run's .wandb file: LevelDB's log format (32 KiB blocks of
    chunks, each a CRC, a length and a kind: 1 whole, 2 first, 3 middle, 4 last) after a 7-byte
    header. wandb reads it in Go; its Python package has no reader."""
    from wandb.proto import wandb_internal_pb2

    data, block, pos, parts = path.read_bytes(), 32768, 7, b""
    assert data[:4] == b":W&B"
    while pos + 7 <= len(data):
        left = block - pos % block
        _, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        if left < 7 or kind == 0:  # a block's zero padding
            pos += left
            continue
        parts += data[pos + 7 : pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(parts)
            parts = b""
            yield record


@pytest.mark.parametrize(("tracker", "package"), [("mlflow", "mlflow"), ("mlflow", "sqlalchemy"), ("wandb", "wandb")])
def test_a_tracker_without_its_package_says_so_at_its_line(cli, write, tmp_path, monkeypatch, tracker, package):
    recipe = write(SMOKE.read_text() + f"  {tracker}:\n    enabled: true\n")
    line = len(recipe.read_text().splitlines())
    real = runner.backends.installed
    monkeypatch.setattr(runner.backends, "installed", lambda p: p != package and real(p))
    monkeypatch.chdir(tmp_path)
    result = cli("run", recipe)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.startswith(f"{recipe}:{line}: log.{tracker}.enabled: logging to ")
    assert f"needs {package}, which is not installed" in result.err
    assert f"pip install 'runner[{tracker}]', or set log.{tracker}.enabled: false" in result.err
    assert not (tmp_path / "runs").exists()


def test_an_mlflow_server_needs_no_database_packages(monkeypatch):
    from runner.recipe.stages import compile_file

    program = compile_file(str(SMOKE), ["log.mlflow.enabled=true", "log.mlflow.tracking_uri=http://host:5000"])[1]
    monkeypatch.setattr(runner.backends, "installed", lambda p: p not in ("sqlalchemy", "alembic"))
    assert runner.backends._trackers_missing(program) == []
    program = compile_file(str(SMOKE), ["log.mlflow.enabled=true"])[1]
    assert runner.backends._trackers_missing(program) == [("mlflow", "MLflow", ["sqlalchemy", "alembic"])]
