"""The Paddle backend's augmentation steps agree with their other forms: each per-image step (the
numpy and PIL steps image-file data runs in workers) with the batched step, the file-backed split
with the in-memory path, and deterministic steps with the Lightning backend's pixels."""

import random

import numpy as np
import paddle
import pytest

from runner.backends.paddle.augment import build_pipeline, split_pipeline
from runner.backends.paddle.augment_boxes import RandomErasing
from runner.backends.paddle.augment_colour import Grayscale, Normalize, adjust_hue, blend
from runner.backends.paddle.augment_geometry import (
    CenterCrop,
    Resize,
    resized_crop,
    rotate,
)
from runner.backends.paddle.mixing import CutMix, Mixup
from runner.data.steps import geometry as sample_geometry
from runner.data.steps import pixels as sample_pixels
from tests.backends.paddle.batches import close, images, pil, program, same


def test_single_image_steps_match_the_batched_ones():
    random.seed(0)
    x = images(n=1, h=10, w=14)[0]
    batched = paddle.to_tensor(x[None].astype(np.float32) / 255)
    resized = sample_geometry.Resize(7)(x) / 255
    assert close(resized, Resize(7)(batched)[0], atol=1.5 / 255)  # PIL resizes uint8 in fixed point
    assert same(sample_geometry.CenterCrop(12)(x), (CenterCrop(12)(batched)[0] * 255).round())
    assert same(sample_geometry.Flip(2, 1.0)(x), x[:, :, ::-1])
    whole = sample_geometry.RandomResizedCrop(10, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    assert same(whole(x[:, :, :10]), x[:, :, :10])
    assert sample_geometry.RandomResizedCrop(7)(x).shape == (3, 7, 7)
    box = paddle.to_tensor([2]), paddle.to_tensor([3]), paddle.to_tensor([6]), paddle.to_tensor([8])
    upscaled = sample_geometry.pil_resize(x, 24, 24, box=(3, 2, 11, 8)) / 255
    # upscaling a box is the batched roi_align's bilinear away from the box's edges
    assert close(upscaled[:, 3:-3, 3:-3], resized_crop(batched, *box, 24)[0, :, 3:-3, 3:-3], atol=1.5 / 255)
    f = x.astype(np.float32) / 255
    assert close(sample_geometry.rotate(f, 30.0), rotate(batched, paddle.to_tensor([30.0]))[0], atol=1e-5)
    for kind, factor in ((0, 1.3), (1, 0.6), (2, 1.7), (3, 0.2)):
        ref = (
            adjust_hue(batched, paddle.to_tensor([factor]))
            if kind == 3
            else blend(batched, paddle.to_tensor([kind]), paddle.to_tensor([factor]))
        )
        assert close(sample_pixels.adjust(f, kind, factor), ref[0], atol=1e-5)
    grey = sample_pixels.Grayscale(1.0)(x)
    assert same(grey[0], grey[2]) and close(grey / 255, Grayscale(1.0)(batched)[0], atol=0.5 / 255)
    erased = [sample_pixels.RandomErasing(1.0)(np.full((3, 32, 32), 9, np.uint8)) for _ in range(32)]
    fraction = np.array([(e[0] == 0).mean() for e in erased])
    assert fraction.min() >= 0.015 and fraction.max() <= 0.36


def test_file_backed_split_puts_normalize_and_later_steps_on_the_device(tmp_path):
    paddle.seed(0)
    p = program(
        tmp_path,
        ("hflip", {}),
        ("center_crop", {"size": 12}),
        ("normalize", {}),
        ("random_erasing", {}),
        ("cutmix", {}),
    )
    sample, device = split_pipeline(p, "train")
    assert [type(s) for s in device.steps] == [Normalize, RandomErasing, CutMix]
    assert [type(s) for s in sample.steps] == [sample_geometry.Flip, sample_geometry.CenterCrop]
    p = program(tmp_path, ("center_crop", {"size": 12}), ("normalize", {}))
    x, y = images(), paddle.arange(8) % 4
    sample, device = split_pipeline(p, "train")
    split, labels = device(paddle.to_tensor(np.stack([sample(pil(image)) for image in x])), y)
    whole, _ = build_pipeline(p, "train")(paddle.to_tensor(x), y)
    assert same(split, whole) and labels is y
    sample, device = split_pipeline(program(tmp_path, ("center_crop", {"size": 12}), ("mixup", {})), "train")
    assert [type(s) for s in device.steps] == [Mixup]
    done = np.stack([sample(pil(image)) for image in x])
    plain = split_pipeline(program(tmp_path, ("center_crop", {"size": 12})), "train")[1]
    assert same(plain(paddle.to_tensor(done), y)[0], done.astype(np.float32) / 255)


# Steps whose output involves no random draw; each must give Lightning's pixels.
DETERMINISTIC = [
    [("resize", {"size": 11})],
    [("resize", {"size": 24})],
    [("center_crop", {"size": 12})],
    [("resize", {"size": 24}), ("center_crop", {"size": 21})],
    [("normalize", {})],
    [("normalize", {"mean": [0.5, 0.4, 0.3], "std": [0.2, 0.25, 0.3]})],
    [("hflip", {"p": 1.0})],
    [("vflip", {"p": 1.0})],
    [("grayscale", {"p": 1.0})],
    [("rotation", {"degrees": 0.0})],
    [("color_jitter", {"brightness": 0.0, "contrast": 0.0, "saturation": 0.0, "hue": 0.0})],
    [("resize", {"size": 12}), ("center_crop", {"size": 12}), ("hflip", {"p": 1.0}), ("normalize", {})],
]


@pytest.mark.parametrize("steps", DETERMINISTIC, ids=lambda steps: "+".join(name for name, _ in steps))
def test_deterministic_steps_give_the_lightning_pipelines_pixels(tmp_path, steps):
    torch = pytest.importorskip("torch")
    from runner.backends.lightning.augment import build_pipeline as lightning_pipeline

    x, y = images(h=16, w=20), np.arange(8) % 4
    ours, _ = build_pipeline(program(tmp_path, *steps), "train")(paddle.to_tensor(x), paddle.to_tensor(y))
    theirs, _ = lightning_pipeline(program(tmp_path, *steps, backend="lightning"), "train")(
        torch.from_numpy(x), torch.from_numpy(y)
    )
    # interpolation (resize, rotation's grid_sample) differs in the last float32 bits, the rest not at all
    assert ours.shape == list(theirs.shape) and close(ours, theirs.numpy(), atol=1e-5)


def test_random_steps_at_fixed_draws_give_lightnings_pixels():
    torch = pytest.importorskip("torch")
    from runner.backends.lightning import augment_colour as lc
    from runner.backends.lightning import augment_geometry as lg

    x = np.random.default_rng(1).random((3, 3, 10, 14), dtype=np.float32)
    px, tx = paddle.to_tensor(x), torch.from_numpy(x)
    assert Resize(10)(px) is px
    for size in (9, 13):  # 13: zero-padded first, as torchvision
        assert same(CenterCrop(size)(px), lg.CenterCrop(size)(tx))
    angles = [30.0, -70.0, 90.0]
    assert close(rotate(px, paddle.to_tensor(angles)), lg.rotate(tx, torch.tensor(angles)), atol=1e-5)
    box = [[3, 0, 1], [5, 2, 0], [7, 10, 9], [8, 12, 14]]  # top, left, height, width per image
    for size in (4, 24):  # down and up
        ours = resized_crop(px, *(paddle.to_tensor(v, dtype="int64") for v in box), size)
        assert close(ours, lg.resized_crop(tx, *(torch.tensor(v) for v in box), size), atol=1e-5)
    f = [0.3, 1.0, 1.8]
    for kind in range(3):
        ours = blend(px, paddle.full([3], kind, "int64"), paddle.to_tensor(f))
        assert close(ours, lc.blend(tx, torch.full((3,), kind), torch.tensor(f)), atol=1e-6)
    shift = [0.1, -0.3, 0.5]
    assert close(adjust_hue(px, paddle.to_tensor(shift)), lc.adjust_hue(tx, torch.tensor(shift)), atol=1e-5)
