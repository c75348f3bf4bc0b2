"""A run directory read back for `runner runs` and the report: its status from its own files
(finished, running, failed, interrupted), and damaged files as warnings, never errors."""

import json
import os
import platform

from runner.run import activity, record


def made(tmp_path, **files):
    path = tmp_path / "run"
    path.mkdir()
    (path / "resolved.yaml").write_text("name: r\nbackend: paddle\ntrain:\n  epochs: 3\n")
    for name, text in files.items():
        (path / name.replace("_", ".")).write_text(text)
    return path


def test_status_is_read_from_the_run_directory(tmp_path):
    path = made(tmp_path)
    assert record.read(path).status == "interrupted"
    activity.started(path)
    assert record.read(path).status == "running"
    activity.failed(path, "cannot write checkpoints/x (the disk is full)")
    assert record.read(path).status == "failed: cannot write checkpoints/x (the disk is full)"
    (path / "running.json").write_text(json.dumps({"pid": 2**22 + 12345, "host": platform.node()}))
    assert record.read(path).status == "interrupted"  # killed: its process is gone
    activity.ended(path)
    (path / "summary.json").write_text('{"best": 0.5, "epochs": 3}')
    run = record.read(path)
    assert (run.status, run.best(), run.name, run.get("train", "epochs")) == ("finished", 0.5, "r", "3")


def test_damaged_files_are_warnings(tmp_path):
    path = made(tmp_path, metrics_csv="epoch,val_acc\n0,0.5\n1,\n", summary_json="{", provenance_json="[1, 2")
    run = record.read(path)
    assert run.rows == [{"epoch": 0.0, "val_acc": 0.5}, {"epoch": 1.0, "val_acc": None}] and run.best() == 0.5
    assert run.summary is None and run.provenance == {}
    assert [w.split(" (")[0] for w in run.warnings] == ["provenance.json cannot be read", "summary.json cannot be read"]
    os.mkfifo(path / "overrides.txt")
    assert any("overrides.txt cannot be read (it is a named pipe" in w for w in record.read(path).warnings)


def test_runner_runs_on_an_empty_or_missing_folder(cli, tmp_path):
    assert cli("runs", tmp_path).out.startswith("no runs under")
    missing = cli("runs", tmp_path / "nowhere")
    assert missing.code == 2 and "is not a directory" in missing.err
