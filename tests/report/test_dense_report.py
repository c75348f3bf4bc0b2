"""The report of a detection and of a segmentation run, as a user meets it: the run ends by writing
its page, whose curves plot the task's metrics, whose per-class table names the shapes with the
scores `runner eval` gives, whose samples and worst images are drawn, and whose Grad-CAM and
calibration say why they are left out. The Lightning Inference predicts what the report reads,
a backend whose Inference lacks what the report reads gets those sections marked, not a crash; and
a comparison of the two runs keeps to the metrics they share."""

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from runner import backends
from runner.backends.inference import Detected
from runner.report import dense, segmented
from runner.report.tasks import panels
from runner.run.scores import Tally
from tests.conftest import ROOT
from tests.report.test_report_pages import images, runner, sections

pytestmark = pytest.mark.slow  # a short training run per task, in subprocesses

SHORT = ["train.epochs=2", "data.train_size=32", "data.val_size=16", "log.tensorboard=false"]
SHAPES = ["circle", "square", "triangle"]
CLASSES = {"detection": SHAPES, "segmentation": ["background", *SHAPES]}
SECTIONS = ["header", "curves", "classes", "samples", "gradcam", "features", "calibration"]
# per class on the page -> the key of runner eval's JSON that holds the same figures
EVALUATED = {"detection": "per_class_ap", "segmentation": "per_class_iou"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    cwd = tmp_path_factory.mktemp("dense")
    made = {}
    for task in CLASSES:
        result = runner(cwd, "run", ROOT / f"recipes/quickstart_{task}.yaml", *SHORT)
        assert result.returncode == 0, result.stderr[-3000:]
        made[task] = (cwd / result.stdout.strip().splitlines()[-1].removeprefix("run dir: "), result)
    return made


def per_class(page: str) -> dict[str, str]:
    """class -> its first figure, from the rows of the per-class section's table."""
    table = page.split('id="classes"')[1].split("</table>")[0]
    return dict(re.findall(r"<tr><td>([^<]+)</td><td[^>]*>([^<]+)</td>", table))


@pytest.mark.parametrize("task", CLASSES)
def test_a_dense_run_ends_with_its_report(runs, task):
    path, result = runs[task]
    assert result.stdout.strip().splitlines()[-2] == f"report: {path.relative_to(path.parent.parent)}/report/index.html"
    assert "warning" not in result.stdout
    index = path / "report/index.html"
    page = index.read_text()
    assert sections(index) == SECTIONS
    assert list(per_class(page)) == CLASSES[task]
    shown = {p.name for p in images(index)}
    assert {"curves.png", "per_class.png", "samples.png", "filters.png", "activations.png"} <= shown
    assert "mistakes.png" in shown or "No image has a missed" in page or "Every pixel" in page
    for image in images(index):
        with Image.open(image) as opened:
            assert opened.format == "PNG" and min(opened.size) > 50
    for anchor in ("gradcam", "calibration"):
        part = page.split(f'id="{anchor}"')[1].split("</section>")[0]
        assert '<p class="missing">Left out:' in part and "<img" not in part


@pytest.mark.parametrize("task", CLASSES)
def test_the_curves_plot_the_metrics_the_run_logged(runs, task):
    path, _ = runs[task]
    header = (path / "metrics.csv").read_text().splitlines()[0].split(",")
    plotted = [column for _, columns in panels([task]) for column in columns]
    assert set(plotted) <= set(header) and {"train_loss", "lr"} <= set(plotted)
    assert any(c.startswith(("val_map", "val_miou")) for c in plotted)


@pytest.mark.parametrize("task", CLASSES)
def test_per_class_scores_are_what_runner_eval_scores(runs, task, tmp_path):
    path, _ = runs[task]
    scored = runner(tmp_path, "eval", path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    evaluation = json.loads(next((path / "eval").glob("*-val.json")).read_text())
    on_page = per_class((path / "report/index.html").read_text())
    for name, value in evaluation[EVALUATED[task]].items():
        if value is None:
            assert on_page[name] == "-"
        else:
            assert float(on_page[name]) == pytest.approx(value, abs=5e-5)


@pytest.mark.parametrize("task", CLASSES)
def test_the_inference_predicts_what_the_report_reads(runs, task):
    inference = backends.load_for_inference(runs[task][0])
    images = np.random.default_rng(0).integers(0, 256, (3, 3, 64, 64), dtype=np.uint8)
    found = inference.predict(images)
    assert len(found) == 3
    for p in found:
        if task == "detection":
            assert isinstance(p, Detected) and p.boxes.dtype == np.float32 and p.boxes.shape == (len(p.labels), 4)
            assert p.scores.shape == p.labels.shape and set(p.labels.tolist()) <= {0, 1, 2}
        else:
            assert p.shape == (64, 64) and p.dtype == np.int64 and 0 <= p.min() and p.max() < 4


def test_runs_of_different_tasks_are_compared_on_what_they_share(runs, tmp_path):
    result = runner(tmp_path, "report", runs["detection"][0], runs["segmentation"][0], "--out", tmp_path / "compare")
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "compare/index.html").read_text()
    assert "only the metrics they all log are compared (train_loss)" in page
    results = page.split('id="results"')[1].split("</table>")[0]
    assert re.findall(r"<th>([^<]+)</th>", results) == ["run", "task", "status", "epochs", "train_loss"]


def test_a_backend_that_cannot_predict_or_score_the_task_gets_those_sections_marked(runs, tmp_path, monkeypatch):
    """As the Paddle backend's Inference is until it predicts segmentation: no `predict`, and an
    evaluation that counts classes of images."""
    inference = dataclasses.replace(backends.load_for_inference(runs["segmentation"][0]), predict=None)
    monkeypatch.setattr(backends, "evaluate", lambda inference, split: Tally(len(inference.classes)))
    found = dense.gather(segmented.LOOK, inference, 4)
    page = "\n".join(dense.shown(segmented.LOOK, inference, found, tmp_path, 4))
    assert "the lightning backend cannot score segmentation yet (it counts classification)" in page
    unpredicted = "the lightning backend cannot predict segmentation images yet (its Inference has no predict)"
    assert page.count(unpredicted) == 2  # the samples and the feature maps
    assert "<img" not in page and page.count("<section") == 5
