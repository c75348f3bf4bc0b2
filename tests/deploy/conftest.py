"""What the deploy tests share: the tiny ONNX classifier and segmenter of models.py with images of
one colour whose class a correct pipeline cannot get wrong; and short training runs made once per
session, in-process, each named by what it trains (name -> run directory)."""

import contextlib
import io
from pathlib import Path

import pytest
from PIL import Image

from runner.cli import main
from tests.conftest import ROOT
from tests.deploy.folder_data import recipe, swatches
from tests.deploy.models import classifier, segmenter

COLOURS = {"red": (220, 20, 20), "green": (20, 200, 20), "blue": (10, 10, 240)}


def picture(path: Path, colour: str, size=(20, 12)) -> Path:
    """A `size` (width, height) image of one colour, saved in the format its suffix names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, COLOURS[colour]).save(path)
    return path


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    return {
        "classifier": classifier(folder / "colours.onnx"),
        "segmenter": segmenter(folder / "regions.onnx"),
        "bare": classifier(folder / "bare.onnx", metadata=False),
    }


SMOKE = ROOT / "recipes/smoke"
QUIET = ["log.tensorboard=false", "log.report=false"]
TINY = ["train.epochs=1", "data.train_size=32", "data.val_size=16"]
# name -> (recipe, overrides); "swatches-*" recipes are written by the fixture
RUNS = {
    "swatches-lightning": ("swatches-lightning", []),
    "swatches-paddle": ("swatches-paddle", []),
    "resnet18-lightning": (SMOKE / "synthetic.yaml", [*TINY, "model.backbone=resnet18", "model.pretrained=false"]),
    "timm-lightning": (SMOKE / "synthetic.yaml", [*TINY, "model.backbone=timm/resnet10t", "model.pretrained=false"]),
    "resnet18-paddle": (SMOKE / "paddle_synthetic.yaml", [*TINY, "model.backbone=resnet18", "model.pretrained=false"]),
    "segmentation-lightning": (SMOKE / "segmentation.yaml", TINY),
    "segmentation-paddle": (SMOKE / "segmentation.yaml", [*TINY, "backend=paddle"]),
    "detection-lightning": (SMOKE / "detection.yaml", [*TINY, "schedule.warmup_epochs=0"]),
}


@pytest.fixture(scope="session")
def swatch_data(tmp_path_factory) -> Path:
    return swatches(tmp_path_factory.mktemp("swatches"), {"train": 24, "val": 8})


@pytest.fixture(scope="session")
def trained(tmp_path_factory, swatch_data):
    """trained(name) -> the run directory of RUNS[name], trained on first use."""
    made, cwd = {}, tmp_path_factory.mktemp("deploy-runs")

    def run(name: str) -> Path:
        if name not in made:
            source, overrides = RUNS[name]
            if isinstance(source, str):
                source = recipe(swatch_data, source.split("-")[1])
            out = io.StringIO()
            with contextlib.chdir(cwd), contextlib.redirect_stdout(out):
                code = main(["run", str(source), f"name={name}", *QUIET, *overrides])
            assert code == 0, out.getvalue()[-2000:]
            made[name] = cwd / out.getvalue().strip().splitlines()[-1].removeprefix("run dir: ")
        return made[name]

    return run
