"""DenseTransform's contract: each catalog step is built with its recipe parameters and its
classification meaning, or refused by name; randomness follows Python's `random`, one draw per
transform in turn; the transform pickles; and albumentations loads without torch or a call home."""

import inspect
import pickle
import random
import subprocess
import sys

import numpy as np
import pytest

from runner.catalog import augmentations
from runner.data.steps import pixels
from runner.data.steps.dense import BUILDERS, DenseTransform
from runner.data.steps.maths import centre_offsets, resized_shape
from runner.recipe.specs import Step
from tests.conftest import ROOT
from tests.data.test_dense_steps import NO_BOXES, catalog_params, run, step


def test_color_steps_change_the_image_only():
    random.seed(5)
    image = np.random.default_rng(0).integers(0, 256, (20, 30, 3), np.uint8)
    mask = np.random.default_rng(1).integers(0, 5, (20, 30), np.uint8)
    boxes = np.array([[1, 2, 11, 12]], np.float32)
    jitter = step("color_jitter", hue=0.1)
    out = DenseTransform([jitter], "segmentation")(image, mask, boxes, np.array([1]), np.array([False]))
    assert not np.array_equal(out[0], image.transpose(2, 0, 1))
    np.testing.assert_array_equal(out[1], mask)
    np.testing.assert_allclose(out[2], boxes, atol=1e-3)
    gray = DenseTransform([step("grayscale")], "segmentation")(image, mask, boxes, np.array([1]), np.array([False]))
    assert gray[0].shape == (3, 20, 30) and (gray[0] == gray[0][:1]).all() and not (gray[0] == out[0]).all()
    np.testing.assert_array_equal(gray[1], mask)


PIPELINE = [step("random_resized_crop", size=24), step("hflip"), step("rotation", degrees=30), step("color_jitter")]


def random_scene(seed=0):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (40, 50, 3), np.uint8)
    mask = rng.integers(0, 4, (40, 50), np.uint8)
    return image, mask, np.array([[5, 5, 30, 30], [20, 10, 45, 38]], np.float32), np.array([1, 2]), np.zeros(2, bool)


def same(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_randomness_follows_python_random():
    transform, scene = DenseTransform(PIPELINE, "segmentation"), random_scene()

    def seeded(seed):
        random.seed(seed)
        return transform(*scene)

    assert same(seeded(11), seeded(11))
    assert not any(same(seeded(11), seeded(seed)) for seed in range(5))


def test_the_steps_draw_independently():
    """Every transform draws from one generator in turn: two flips at p = 0.5 flip apart too."""
    image = np.zeros((2, 2, 3), np.uint8)
    image[0, 0] = 255
    flipped = [
        run([step("hflip"), step("vflip")], (image, None, *NO_BOXES), seed, "detection")[0] for seed in range(64)
    ]
    assert {tuple(np.argwhere(out[0] == 255)[0]) for out in flipped} == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_pickled_transform_gives_the_same_output():
    transform, scene = DenseTransform(PIPELINE, "segmentation"), random_scene()
    copy = pickle.loads(pickle.dumps(transform))
    random.seed(3)
    expected = transform(*scene)
    random.seed(3)
    assert same(expected, copy(*scene))


# required parameters of the catalog's steps, for building each one
REQUIRED = {"size": 16, "degrees": 30.0}


@pytest.mark.parametrize("name", augmentations.names())
def test_every_catalog_step_is_built_or_refused_by_name(name):
    params = catalog_params(name, **REQUIRED)
    if name in BUILDERS:
        DenseTransform([Step(name, params)], "detection")
    else:
        with pytest.raises(ValueError, match=repr(name)):
            DenseTransform([step("hflip"), Step(name, params)], "detection")


def test_refused_steps():
    """What has no box- and mask-aware form: normalize runs on the device, the rest mix or erase."""
    refused = {"normalize", "mixup", "cutmix", "random_erasing", "auto_augment", "rand_augment", "trivial_augment"}
    assert set(augmentations.names()) - set(BUILDERS) == refused


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_take_the_catalog_parameters(name):
    """The recipe's normalized parameters, every one, are what each builder receives."""
    builder = list(inspect.signature(BUILDERS[name]).parameters)[2:]  # after A and fill_mask
    assert builder == list(inspect.signature(augmentations.get(name).function).parameters)


def test_unknown_task_and_missing_mask():
    with pytest.raises(ValueError, match="'classification'"):
        DenseTransform([], "classification")
    image, _, boxes, labels, crowd = random_scene()
    with pytest.raises(ValueError, match="mask"):
        DenseTransform([], "segmentation")(image, None, boxes, labels, crowd)


def test_no_framework_and_no_call_home():
    """Importing the module loads nothing heavy; running a transform loads albumentations without
    torch (the Paddle backend must not load it) and without asking PyPI for a newer version."""
    code = """
import sys, os, urllib.request
calls = []
urllib.request.OpenerDirector.open = lambda self, *a, **k: calls.append(a)
import runner.data.steps.dense as dense
print(sorted(m for m in ("albumentations", "cv2", "torch") if m in sys.modules))
import numpy as np
dense.DenseTransform([], "detection")(np.zeros((4, 4, 3), np.uint8), None, np.zeros((0, 4)), [], [])
print("torch" in sys.modules, calls, "NO_ALBUMENTATIONS_UPDATE" in os.environ, "albumentations.pytorch" in sys.modules)
"""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    assert out.stdout.splitlines() == ["[]", "False [] False False"]


@pytest.mark.parametrize("size", [5, 16, 30])
def test_steps_mean_what_the_classification_steps_mean(size):
    """Each step does to the image what the classification step of that name does (geometry.py)."""
    image = np.random.default_rng(size).integers(0, 256, (20, 27, 3), np.uint8)
    chw = image.transpose(2, 0, 1)

    def apply(*steps):
        return run(steps, (image, None, *NO_BOXES), 0, "detection")[0]

    # the centre window, placed at floor((side - size) / 2) where torchvision rounds half to even
    (left, right, top, bottom), y, x = centre_offsets(20, 27, size)
    crop = apply(step("center_crop", size=size))
    padded = np.pad(chw, ((0, 0), (top, bottom), (left, right)))
    windows = [padded[:, y - dy : y - dy + size, x - dx : x - dx + size] for dy in (0, 1) for dx in (0, 1)]
    assert any(np.array_equal(crop, window) for window in windows)
    np.testing.assert_array_equal(apply(step("hflip", p=1.0)), chw[:, :, ::-1])
    np.testing.assert_array_equal(apply(step("vflip", p=1.0)), chw[:, ::-1])
    np.testing.assert_array_equal(apply(step("hflip", p=0.0), step("vflip", p=0.0)), chw)
    (h, w), resized = resized_shape(20, 27, size), apply(step("resize", size=size))
    assert resized.shape[1] == h and abs(resized.shape[2] - w) <= 1  # torchvision truncates, albumentations rounds
    assert apply(step("random_resized_crop", size=size)).shape == (3, size, size)
    window = apply(step("random_crop", size=size, padding=3))
    assert window.shape == (3, size, size)
    if size <= 20 + 6:  # smaller than the padded image: one of its size x size windows
        padded = np.pad(chw, ((0, 0), (3, 3), (3, 3)))
        views = np.lib.stride_tricks.sliding_window_view(padded, (3, size, size))[0]
        assert (views == window).all(axis=(2, 3, 4)).any()
    gray = apply(step("grayscale", p=1.0))
    np.testing.assert_allclose(gray[0], pixels.Grayscale(1.0)(chw)[0], atol=1)
