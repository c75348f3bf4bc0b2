"""`runner predict` on the tiny colour models: the right class for each image of a folder, glob or
list; files that are not images skipped with the reason and exit status 1; the three formats
parse; batches hold images of one prepared shape; a bad model or no input at all is a message and
status 2; and the command imports no deep-learning framework."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
from PIL import Image

from runner.cli import predict
from runner.deploy import formats
from runner.deploy.session import Model
from tests.conftest import ROOT
from tests.deploy.conftest import picture
from tests.deploy.models import classifier


def photos(folder):
    """red.png, green.jpg, deep/blue.png, a text file, a JPEG cut short and a hidden file."""
    picture(folder / "red.png", "red")
    good = picture(folder / "green.jpg", "green", (9, 9))
    picture(folder / "deep" / "blue.png", "blue", (30, 30))
    (folder / "notes.txt").write_text("not a picture")
    (folder / "broken.jpg").write_bytes(good.read_bytes()[:200])
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return folder


def test_a_folder_is_answered_and_what_is_not_an_image_is_skipped_with_why(cli, models, tmp_path):
    folder = photos(tmp_path / "photos")
    result = cli("predict", models["classifier"], folder, "--top-k", "1")
    assert result.code == 1
    rows = [line.split() for line in result.out.splitlines()]
    assert rows[0] == ["path", "top", "1"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        (f"{folder}/deep/blue.png", "blue"),
        (f"{folder}/green.jpg", "green"),
        (f"{folder}/red.png", "red"),
    ]
    said = result.err.splitlines()
    assert said[0].startswith(f"skipped {folder}/broken.jpg: cannot decode it (")  # Pillow's words follow
    assert said[1:] == [f"skipped {folder}/notes.txt: not an image Pillow can read", "predicted 3 images, skipped 2"]


def test_json_and_csv_carry_every_rank_and_out_writes_a_file(cli, models, tmp_path):
    red, blue = picture(tmp_path / "a.png", "red"), picture(tmp_path / "b.png", "blue")
    result = cli("predict", models["classifier"], red, blue, "--format", "json")
    assert result.code == 0 and result.err == "predicted 2 images\n"
    records = json.loads(result.out)
    assert [r["path"] for r in records] == [str(red), str(blue)]
    assert [[p["class"] for p in r["predictions"]][0] for r in records] == ["red", "blue"]
    assert all(abs(sum(p["probability"] for p in r["predictions"]) - 1) < 1e-4 for r in records)
    out = tmp_path / "answers.csv"
    result = cli("predict", models["classifier"], red, blue, "--format", "csv", "--top-k", "2", "--out", out)
    assert result.code == 0 and result.out == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["path"], r["rank"], r["class"]) for r in rows] == [
        (str(red), "1", "red"),
        (str(red), "2", rows[1]["class"]),
        (str(blue), "1", "blue"),
        (str(blue), "2", rows[3]["class"]),
    ]
    assert float(rows[0]["probability"]) > 0.99
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    assert predict.FORMATS == tuple(formats.FORMATS)  # --format's choices are the formats there are


def test_globs_missing_paths_and_repeats(cli, models, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    photos(tmp_path / "photos")
    result = cli("predict", models["classifier"], "photos/**/*.png", "photos/red.png", "nope.png", "none/*.jpg")
    assert result.code == 1
    assert [line.split()[:2] for line in result.out.splitlines()[1:]] == [
        ["photos/deep/blue.png", "blue"],
        ["photos/red.png", "red"],  # once, though named twice
    ]
    assert "skipped nope.png: no such file or folder\n" in result.err
    assert "skipped none/*.jpg: no file matches this pattern\n" in result.err
    nothing = cli("predict", models["classifier"], "nope.png", "none/*.jpg")
    assert nothing.code == 2 and nothing.out == ""
    assert nothing.err.splitlines()[-1] == (
        "runner predict: found no file to predict; give image files, folders or glob patterns"
    )


def test_batches_hold_one_prepared_shape_and_masks_are_written(cli, models, tmp_path, monkeypatch):
    shapes = []
    run = Model.run
    monkeypatch.setattr(Model, "run", lambda self, batch: shapes.append(batch.shape) or run(self, batch))
    sizes = {"a": (8, 6), "b": (8, 6), "c": (5, 5), "d": (8, 6), "e": (5, 5)}
    for name, (w, h) in sizes.items():
        image = np.zeros((h, w, 3), np.uint8)
        image[:, : w // 2, 0] = 200  # left half red, right half blue
        image[:, w // 2 :, 2] = 200
        Image.fromarray(image).save(tmp_path / f"{name}.png")
    monkeypatch.chdir(tmp_path)
    result = cli("predict", models["segmenter"], *(f"{n}.png" for n in sizes), "--batch-size", "2", "--masks", "m")
    assert result.code == 0, result.err
    # A batch holds one shape, and no more than a batch's worth of inputs waits for company.
    assert shapes == [(2, 3, 6, 8), (1, 3, 5, 5), (1, 3, 6, 8), (1, 3, 5, 5)]
    rows = [line.split() for line in result.out.splitlines()[1:]]
    assert [row[0] for row in rows] == list(f"{n}.png" for n in sizes)
    assert rows[0][1:] == ["red", "50.0%", "blue", "50.0%", "m/a.png.png"]
    assert rows[2][1:] == ["blue", "60.0%", "red", "40.0%", "m/c.png.png"]
    mask = np.asarray(Image.open(tmp_path / "m" / "c.png.png"))
    assert mask.tolist() == [[0, 0, 2, 2, 2]] * 5


def test_a_model_that_cannot_be_used_is_a_message(cli, models, tmp_path):
    image = picture(tmp_path / "a.png", "red")
    notes = tmp_path / "notes.onnx"
    notes.write_text("not a model")
    cases = {
        tmp_path / "missing.onnx": "is not a file; give an .onnx file written by runner export, or a run directory",
        models["bare"]: "it carries no runner metadata; export it with `runner export RUN_DIR`",
        notes: "is not an ONNX model onnxruntime can load (",
        tmp_path: "is not a run directory (it has no resolved.yaml)",
        classifier(tmp_path / "task.onnx", tampered={"task": "detection"}): "a detection graph takes 'images' and",
        classifier(tmp_path / "huge.onnx", tampered={"steps": [{"name": "resize", "size": 10**7}]}): "from 1 to 8192",
        classifier(tmp_path / "odd.onnx", tampered={"steps": [{"name": "resize", "size": "x"}]}): "from 1 to 8192",
        classifier(tmp_path / "step.onnx", tampered={"steps": [{"name": "unheard_of"}]}): "steps cannot be built",
    }
    for model, message in cases.items():
        result = cli("predict", model, image)
        assert result.code == 2 and result.out == "", model
        assert result.err.startswith(f"runner predict: {model}") and message in result.err, result.err
    masks = cli("predict", models["classifier"], image, "--masks", tmp_path / "m")
    assert masks.code == 2 and "--masks writes segmentation masks;" in masks.err


def test_predict_imports_no_deep_learning_framework(models, tmp_path):
    image = picture(tmp_path / "a.png", "green")
    code = (
        "import sys\nfrom runner.cli import main\n"
        f"code = main(['predict', {str(models['classifier'])!r}, {str(image)!r}, '--format', 'csv'])\n"
        "frameworks = ('torch', 'torchvision', 'lightning', 'paddle', 'timm')\n"
        "print(code, sorted(m for m in frameworks if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr
    assert f"{image},1,green," in done.stdout
