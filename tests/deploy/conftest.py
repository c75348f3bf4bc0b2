"""Fixtures for the exported-model tests: the tiny classifier and segmenter of models.py, and
images of one colour whose class a correct pipeline cannot get wrong."""

from pathlib import Path

import pytest
from PIL import Image

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
