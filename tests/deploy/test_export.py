"""`runner export` on both backends: the ONNX file onnxruntime runs agrees with the framework on
the run's validation images, carries its contract, and a failed check leaves nothing behind."""

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from runner.deploy import verify
from runner.deploy.contract import Contract
from runner.deploy.preprocess import Preprocess, decode
from runner.deploy.session import Model
from runner.run import checkpoint_hashes
from tests.deploy.folder_data import CLASSES

pytestmark = pytest.mark.slow

ARCHITECTURES = ["swatches-lightning", "resnet18-lightning", "timm-lightning", "swatches-paddle", "resnet18-paddle"]


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_onnx_export_agrees_with_the_framework(trained, cli, name):
    run = trained(name)
    result = cli("export", run)
    assert result.code == 0, result.err
    assert "top-1 agreement 100.00%: passed" in result.out
    manifest = json.loads((run / "export/export.json").read_text())
    check = manifest["check"]
    assert check["passed"] and check["max_abs_diff"] <= 1e-4 and check["agreement"] == 1.0
    assert check["source"] == "validation images" and check["images"] >= 16
    model = onnx.load(str(run / "export/model.onnx"))
    contract = Contract.from_metadata({p.key: p.value for p in model.metadata_props})
    checkpoint = run / contract.checkpoint
    assert contract.checkpoint_sha256 == checkpoint_hashes.sha256(checkpoint)
    assert contract.backend == name.split("-")[-1] and contract.run == run.name
    assert [i.name for i in model.graph.input] == ["images"]
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param  # a free batch dimension
    if name.startswith("swatches"):
        assert contract.classes == CLASSES and contract.shape == (3, 16, 16)
        assert [s["name"] for s in contract.steps] == ["resize", "center_crop"]
        assert len(list((run / "export/samples").glob("*.png"))) == 8


@pytest.mark.parametrize("name", ["segmentation-lightning", "segmentation-paddle"])
def test_segmentation_export_agrees_on_every_pixel(trained, cli, name):
    run = trained(name)
    result = cli("export", run)
    assert result.code == 0, result.err
    check = json.loads((run / "export/export.json").read_text())["check"]
    assert check["passed"] and check["agreement"] == 1.0 and check["output"] == "labels"
    for exported, framework in side_by_side(run):  # not the export's own figures: a check of its own
        assert np.array_equal(exported[0][0], framework)


def test_detection_export_finds_the_same_boxes(trained, cli):
    run = trained("detection-lightning")
    result = cli("export", run)
    assert result.code == 0, result.err
    check = json.loads((run / "export/export.json").read_text())["check"]
    assert check["passed"] and check["agreement"] == 1.0 and check["output"] == "detections"
    model = onnx.load(str(run / "export/model.onnx"))
    assert [o.name for o in model.graph.output] == ["boxes", "labels", "scores"]
    for (boxes, labels, scores), framework in side_by_side(run):
        assert np.array_equal(labels[0], framework.labels)
        assert np.allclose(boxes[0], framework.boxes, atol=1e-3) and np.allclose(scores[0], framework.scores, atol=1e-4)
    samples = run / "export/samples"
    predicted = cli("predict", run / "export/model.onnx", samples, "--format", "json", "--top-k", "3")
    assert predicted.code == 0, predicted.err
    records = json.loads(predicted.out)
    assert len(records) == len(list(samples.glob("*.png")))
    for found in (p for record in records for p in record["predictions"]):
        x0, y0, x1, y1 = found["box"]
        assert found["class"] in ("circle", "square", "triangle") and 0 <= found["score"] <= 1
        assert -1 <= x0 < x1 <= 65 and -1 <= y0 < y1 <= 65  # inside the 64x64 image
    refused = cli("export", run, "--format", "native")
    assert refused.code == 1 and "export to ONNX only" in refused.err


@pytest.mark.parametrize("name", ["swatches-lightning", "swatches-paddle"])
def test_native_export_agrees_with_the_framework(trained, cli, name):
    run = trained(name)
    result = cli("export", run, "--format", "native", "--checkpoint", "last")
    assert result.code == 0, result.err
    manifest = json.loads((run / "export-native/export.json").read_text())
    assert manifest["check"]["passed"] and manifest["format"] == "native"
    expected = {"model.pt"} if name.endswith("lightning") else {"model.json", "model.pdiparams"}
    assert set(manifest["files"]) == expected and all((run / "export-native" / f).is_file() for f in expected)


def test_a_failed_check_keeps_no_file(trained, cli, monkeypatch):
    run = trained("swatches-paddle")
    strict = lambda *args: verify.Check(**{**verify.compare(*args).__dict__, "tolerance": -1.0})  # noqa: E731
    monkeypatch.setattr("runner.deploy.exporting.compare", strict)
    out = run / "export-failing"
    result = cli("export", run, "--out", out)
    assert result.code == 1
    assert "the export does not match the framework: probabilities of image" in result.err
    assert "nothing was written" in result.err
    assert not out.exists() and not list(run.glob(".export-failing*"))


def test_an_existing_folder_that_is_no_export_is_left_alone(trained, cli, tmp_path):
    run = trained("swatches-lightning")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = cli("export", run, "--out", mine)
    assert result.code == 1 and "is not an earlier export" in result.err
    assert (mine / "notes.txt").read_text() == "keep me"


def test_usage_mistakes_are_messages(cli, tmp_path):
    assert "is not a run directory" in cli("export", tmp_path / "nowhere").err
    result = cli("export", tmp_path, "--opset", "3")
    assert result.code == 2 and "--opset 3" in result.err
    result = cli("export", tmp_path, tmp_path, "--out", tmp_path / "x")
    assert result.code == 2 and "give one RUN_DIR with them" in result.err


@pytest.mark.parametrize("name", ["swatches-lightning", "swatches-paddle"])
def test_predict_on_the_validation_images_agrees_with_eval(trained, cli, swatch_data, name):
    run = trained(name)
    if not (run / "export/model.onnx").is_file():  # the parity test above exported it already
        assert cli("export", run).code == 0
    assert cli("eval", run).code == 0
    scored = json.loads(next((run / "eval").glob("*-val.json")).read_text())
    predicted = cli("predict", run / "export/model.onnx", swatch_data / "val", "--format", "json", "--top-k", "1")
    assert predicted.code == 0, predicted.err
    classes, matrix = scored["classes"], np.zeros((3, 3), int)
    for record in json.loads(predicted.out):
        truth, guess = Path(record["path"]).parent.name, record["predictions"][0]["class"]
        matrix[classes.index(truth), classes.index(guess)] += 1
    assert matrix.tolist() == scored["confusion_matrix"]
    assert 0 < np.trace(matrix) < matrix.sum()  # right and wrong answers both: the agreement means something


def test_an_exporter_failure_is_a_message_and_leaves_nothing(trained, cli, monkeypatch):
    run = trained("swatches-lightning")

    def refuses(*args):
        raise RuntimeError("Exporting the operator 'aten::frobnicate' to ONNX opset 18 is not supported.\ndetails")

    monkeypatch.setattr("runner.backends.export_onnx", refuses)
    result = cli("export", run, "--out", run / "export-refused")
    assert result.code == 1
    assert "the lightning onnx exporter failed (Exporting the operator 'aten::frobnicate'" in result.err
    assert not (run / "export-refused").exists() and not list(run.glob(".export-refused*"))


def test_without_its_data_an_export_is_checked_on_stand_in_images(trained, cli, monkeypatch):
    run = trained("swatches-paddle")

    def absent(program, limit):
        raise FileNotFoundError(f"{program.data.params['val_dir']} is not on this machine")

    monkeypatch.setattr("runner.deploy.images._validation", absent)
    result = cli("export", run, "--out", run / "export-stand-in")
    assert result.code == 0, result.err
    assert "verified on 32 stand-in images (" in result.out and "is not on this machine" in result.out
    check = json.loads((run / "export-stand-in/export.json").read_text())["check"]
    assert check["passed"] and check["source"].startswith("stand-in images")
    assert not (run / "export-stand-in/samples").exists()  # noise is no sample to try predict on


def side_by_side(run: Path):
    """(the exported model's outputs, the framework's prediction) for each of the export's sample
    images, each prepared the one way both take it: the framework loaded from the run itself."""
    from runner import backends

    model, inference = Model(run / "export/model.onnx"), backends.load_for_inference(run)
    for sample in sorted((run / "export/samples").glob("*.png")):
        stepped = Preprocess(model.contract).stepped(decode(sample, "RGB"))
        yield model.run(model.prepare(sample)[0][None]), inference.predict(stepped[None])[0]
