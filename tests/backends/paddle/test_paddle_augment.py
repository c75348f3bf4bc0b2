"""The Paddle backend's augmentation steps: every step registered for paddle is built, each does
what its recipe meaning says on whole batches and on single images, the file-backed split matches
the in-memory path, and deterministic steps give the Lightning backend's pixels."""

import pickle
import random

import numpy as np
import paddle
import pytest

from runner.backends.paddle.augment import BUILDERS, batched, build_pipeline, split_pipeline
from runner.backends.paddle.augment_boxes import RandomErasing
from runner.backends.paddle.augment_colour import ColorJitter, Grayscale
from runner.backends.paddle.augment_geometry import (
    Flip,
    RandomCrop,
    RandomResizedCrop,
    Rotation,
    rotate,
)
from runner.backends.paddle.mixing import CutMix, Mixup
from runner.catalog import augmentations
from runner.data.steps.per_image import SAMPLE_BUILDERS, sample_step
from runner.recipe.specs import Step
from tests.backends.paddle.batches import DEVICE_ONLY, close, images, pil, program, required, same


@pytest.mark.parametrize("name", augmentations.names("paddle"))
def test_every_step_registered_for_paddle_is_built_batched_and_per_image(tmp_path, name):
    assert name in BUILDERS and (name in SAMPLE_BUILDERS or name in DEVICE_ONLY)
    paddle.seed(0)
    p = program(tmp_path, (name, required(name)))
    x, y = images(), paddle.arange(8) % 4
    out, target = build_pipeline(p, "train")(paddle.to_tensor(x), y)
    size = required(name).get("size", 16)
    assert out.dtype == paddle.float32 and out.shape[0] == 8 and min(out.shape[2:]) == size
    if augmentations.get(name).info.get("batch"):
        assert target.shape == [8, 4] and close(target.sum(1), np.ones(8))
    else:
        assert target is y
    sample, device = split_pipeline(p, "train")
    sample = pickle.loads(pickle.dumps(sample))  # it travels to the DataLoader workers
    done = np.stack([sample(pil(image)) for image in x])
    assert done.dtype == np.uint8 and device(paddle.to_tensor(done), y)[0].shape == out.shape


def test_lightning_only_and_unknown_steps_are_refused_clearly(tmp_path):
    assert set(BUILDERS) == set(augmentations.names("paddle"))
    with pytest.raises(NotImplementedError, match="'sharpen' is not registered"):
        batched(None, [Step("sharpen", {})])
    for name in set(augmentations.names()) - set(augmentations.names("paddle")):
        p = program(tmp_path, (name, {}), backend="lightning")
        with pytest.raises(NotImplementedError, match="lightning backend only"):
            build_pipeline(p, "train")
        with pytest.raises(NotImplementedError, match="lightning backend only"):
            sample_step(Step(name, {}))


def test_a_seeded_run_repeats_its_draws(tmp_path):
    p = program(
        tmp_path,
        ("random_resized_crop", {"size": 12}),
        ("hflip", {}),
        ("color_jitter", {}),
        ("random_erasing", {}),
        ("mixup", {}),
    )
    sample = split_pipeline(p, "train")[0]  # workers draw from Python's random, seeded per worker

    def draws():
        paddle.seed(7)
        random.seed(7)
        out, target = build_pipeline(p, "train")(paddle.to_tensor(images()), paddle.arange(8) % 4)
        return out, target, np.stack([sample(pil(image)) for image in images()])

    assert all(same(a, b) for a, b in zip(draws(), draws()))


def test_random_crop_keeps_shape_and_draws_a_window_per_image():
    paddle.seed(0)
    x = paddle.arange(16 * 16, dtype="float32").reshape([1, 1, 16, 16]).expand([64, 1, 16, 16])
    out = RandomCrop(16, padding=4)(x).numpy()
    padded = np.pad(x.numpy()[0, 0], 4)
    windows = [(t, left) for t in range(9) for left in range(9)]
    drawn = {next(w for w in windows if same(padded[w[0] : w[0] + 16, w[1] : w[1] + 16], o[0])) for o in out}
    assert out.shape == (64, 1, 16, 16) and len(drawn) > 20  # 64 draws from 81 windows


def test_flips_with_p_1_equal_paddle_flip_and_p_0_is_identity():
    x = paddle.rand([4, 3, 5, 7])
    assert same(Flip(3, 1.0)(x), paddle.flip(x, [3])) and same(Flip(2, 1.0)(x), paddle.flip(x, [2]))
    assert same(Flip(3, 0.0)(x), x)
    paddle.seed(0)
    flipped = Flip(3, 0.5)(x[:1].expand([32, 3, 5, 7])).numpy()
    assert 4 < sum(same(f, flipped[0]) for f in flipped) < 28  # a coin per image


def test_random_resized_crop_size_identity_box_and_per_image_boxes():
    paddle.seed(0)
    x = paddle.rand([1, 3, 16, 16]).expand([16, 3, 16, 16])
    assert RandomResizedCrop(7)(x).shape == [16, 3, 7, 7]
    assert close(RandomResizedCrop(16, scale=(1.0, 1.0), ratio=(1.0, 1.0))(x), x, atol=1e-6)  # the whole image
    crops = RandomResizedCrop(16, scale=(0.1, 0.5))(x).numpy()
    assert len({tuple(c.flatten()[:4].tolist()) for c in crops}) >= 12  # boxes are whole pixels, so some repeat


def test_rotation_by_zero_is_identity_a_quarter_turn_is_exact_and_angles_differ_per_image():
    paddle.seed(0)
    x = paddle.rand([3, 3, 10, 14])
    assert close(Rotation(0.0)(x), x, atol=1e-5)
    quarter = rotate(x[:, :, :, :10], paddle.full([3], 90.0)).numpy()  # square: a quarter turn is exact
    assert close(quarter, np.rot90(x.numpy()[:, :, :, :10], 1, (2, 3)), atol=1e-5)
    turned = Rotation(180.0)(x[:1].expand([8, 3, 10, 14])).numpy()
    assert len({round(float(t.sum()), 3) for t in turned}) == 8


def test_color_jitter_is_identity_at_zero_and_draws_a_factor_per_image():
    paddle.seed(0)
    x = paddle.rand([6, 3, 9, 7])
    assert ColorJitter(0, 0, 0, 0)(x) is x
    grey = paddle.full([8, 3, 4, 4], 0.5)
    out = ColorJitter(brightness=0.4, contrast=0, saturation=0)(grey).numpy()
    factors = out[:, 0, 0, 0] / 0.5
    assert close(out, factors.reshape(8, 1, 1, 1) * grey.numpy())
    assert factors.min() >= 0.6 and factors.max() <= 1.4 and len(set(factors.tolist())) == 8
    jittered = ColorJitter(0.4, 0.4, 0.4, 0.1)(paddle.rand([8, 3, 4, 4]))
    assert float(jittered.min()) >= 0 and float(jittered.max()) <= 1


def test_grayscale_gives_equal_channels_of_the_luma():
    x = paddle.rand([4, 3, 5, 5])
    out, (r, g, b) = Grayscale(1.0)(x).numpy(), x.numpy().transpose(1, 0, 2, 3)
    luma = 0.2989 * r + 0.587 * g + 0.114 * b
    assert out.shape == (4, 3, 5, 5) and all(close(out[:, c], luma) for c in range(3))
    assert same(Grayscale(0.0)(x), x)


def test_random_erasing_zeros_one_box_of_the_expected_area():
    paddle.seed(0)
    x = paddle.ones([64, 3, 32, 32])
    out = RandomErasing(1.0, scale=(0.02, 0.33))(x).numpy()
    zero = out[:, 0] == 0
    fraction = zero.mean((1, 2))
    assert (fraction > 0).all() and fraction.min() >= 0.015 and fraction.max() <= 0.36
    rows, cols = zero.any(2).sum(1), zero.any(1).sum(1)
    assert same(rows * cols, zero.sum((1, 2))) and same(out[:, 0], out[:, 2])  # a rectangle, in every channel
    assert same(RandomErasing(0.0)(x), x)


def test_mixup_blends_images_and_labels_by_the_same_weight():
    paddle.seed(0)
    values = np.arange(1, 9, dtype=np.float32) / 8
    x = paddle.to_tensor(values).reshape([8, 1, 1, 1]).expand([8, 3, 4, 4])
    y = np.arange(8)
    out, target = Mixup(num_classes=8, alpha=0.4)(x, paddle.to_tensor(y))
    target = target.numpy()
    lam = target[y, y]
    assert close(target.sum(1), np.ones(8)) and close(target[y, np.roll(y, 1)], 1 - lam)
    assert close(out.numpy()[:, 0, 0, 0], lam * values + (1 - lam) * np.roll(values, 1))
    assert (0 < lam).all() and (lam < 1).all() and len(np.unique(lam)) == 8


def test_cutmix_pastes_a_box_and_mixes_labels_by_area():
    paddle.seed(0)
    x = paddle.arange(8, dtype="float32").reshape([8, 1, 1, 1]).expand([8, 3, 16, 16])
    y = np.arange(8)
    out, target = CutMix(num_classes=8, alpha=1.0)(x, paddle.to_tensor(y))
    soft, own = target.numpy(), (out.numpy()[:, 0] == x.numpy()[:, 0]).mean((1, 2))
    assert close(soft.sum(1), np.ones(8)) and close(soft[y, y], own) and close(soft[y, np.roll(y, 1)], 1 - own)
    assert (own < 1).any()
    _, mixed = CutMix(num_classes=8)(out, target)  # soft labels in, soft labels out
    assert close(mixed.sum(1), np.ones(8))
