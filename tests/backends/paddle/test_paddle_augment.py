"""The Paddle backend's augmentation steps: every step registered for paddle is built, each does
what its recipe meaning says on whole batches and on single images, the file-backed split matches
the in-memory path, and deterministic steps give the Lightning backend's pixels."""
import inspect
import pickle
import random

import numpy as np
import paddle
import pytest
from PIL import Image

from runner.catalog import augmentations
from runner.backends.paddle import augment_sample_geometry as sample_geometry
from runner.backends.paddle import augment_sample_pixels as sample_pixels
from runner.backends.paddle.augment import BUILDERS, build_pipeline, build_step, split_pipeline
from runner.backends.paddle.augment_boxes import RandomErasing
from runner.backends.paddle.augment_colour import ColorJitter, Grayscale, Normalize, adjust_hue, blend
from runner.backends.paddle.augment_geometry import (CenterCrop, Flip, RandomCrop, RandomResizedCrop, Resize, Rotation,
                                            resized_crop, rotate)
from runner.backends.paddle.mixing import CutMix, Mixup
from runner.data.steps.per_image import SAMPLE_BUILDERS, sample_step
from runner.recipe.stages import compile_file
from runner.recipe.yaml_writer import dump

REQUIRED = {"size": 12, "degrees": 30.0}  # values for parameters without a default
DEVICE_ONLY = ("normalize", "mixup", "cutmix")  # never run in a worker


def program(tmp_path, *steps, backend: str = "paddle"):
    """The compiled Program of a synthetic recipe whose augment.train is `steps` ((name, params))."""
    recipe = {
        "schema_version": 1, "name": "paddle_augment_test", "backend": backend,
        "model": {"backbone": "simple_cnn"},
        "data": {"dataset": "synthetic", "num_classes": 4, "image_size": 16, "channels": 3,
                 "train_size": 64, "val_size": 16, "batch_size": 8},
        "augment": {"train": [{"name": n, **p} for n, p in steps], "eval": [{"name": "normalize"}]},
        "optim": {"name": "adam", "lr": 0.001},
    }
    (tmp_path / "recipe.yaml").write_text(dump(recipe))
    return compile_file(str(tmp_path / "recipe.yaml"))[1]


def images(n=8, c=3, h=16, w=16, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, c, h, w), dtype=np.uint8)


def pil(x: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(x.transpose(1, 2, 0)))


def close(a, b, atol=1e-6) -> bool:
    return np.allclose(np.asarray(a), np.asarray(b), atol=atol)


def same(a, b) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b))


def required(name: str) -> dict:
    signature = inspect.signature(augmentations.get(name).function)
    return {p: REQUIRED[p] for p, v in signature.parameters.items() if v.default is inspect.Parameter.empty}


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
    with pytest.raises(NotImplementedError, match="'sharpen'"):
        build_step(None, {"name": "sharpen"})
    for name in set(augmentations.names()) - set(augmentations.names("paddle")):
        p = program(tmp_path, (name, {}), backend="lightning")
        with pytest.raises(NotImplementedError, match="lightning backend only"):
            build_pipeline(p, "train")
        with pytest.raises(NotImplementedError, match="lightning backend only"):
            sample_step({"name": name})


def test_a_seeded_run_repeats_its_draws(tmp_path):
    p = program(tmp_path, ("random_resized_crop", {"size": 12}), ("hflip", {}), ("color_jitter", {}),
                ("random_erasing", {}), ("mixup", {}))
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
    windows = [(t, l) for t in range(9) for l in range(9)]
    drawn = {next(w for w in windows if same(padded[w[0]:w[0] + 16, w[1]:w[1] + 16], o[0])) for o in out}
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
        ref = adjust_hue(batched, paddle.to_tensor([factor])) if kind == 3 else \
            blend(batched, paddle.to_tensor([kind]), paddle.to_tensor([factor]))
        assert close(sample_pixels.adjust(f, kind, factor), ref[0], atol=1e-5)
    grey = sample_pixels.Grayscale(1.0)(x)
    assert same(grey[0], grey[2]) and close(grey / 255, Grayscale(1.0)(batched)[0], atol=0.5 / 255)
    erased = [sample_pixels.RandomErasing(1.0)(np.full((3, 32, 32), 9, np.uint8)) for _ in range(32)]
    fraction = np.array([(e[0] == 0).mean() for e in erased])
    assert fraction.min() >= 0.015 and fraction.max() <= 0.36


def test_file_backed_split_puts_normalize_and_later_steps_on_the_device(tmp_path):
    paddle.seed(0)
    p = program(tmp_path, ("hflip", {}), ("center_crop", {"size": 12}), ("normalize", {}),
                ("random_erasing", {}), ("cutmix", {}))
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
    [("resize", {"size": 11})], [("resize", {"size": 24})], [("center_crop", {"size": 12})],
    [("resize", {"size": 24}), ("center_crop", {"size": 21})],
    [("normalize", {})], [("normalize", {"mean": [0.5, 0.4, 0.3], "std": [0.2, 0.25, 0.3]})],
    [("hflip", {"p": 1.0})], [("vflip", {"p": 1.0})], [("grayscale", {"p": 1.0})], [("rotation", {"degrees": 0.0})],
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
        torch.from_numpy(x), torch.from_numpy(y))
    # interpolation (resize, rotation's grid_sample) differs in the last float32 bits, the rest not at all
    assert ours.shape == list(theirs.shape) and close(ours, theirs.numpy(), atol=1e-5)


def test_random_steps_at_fixed_draws_give_lightnings_pixels():
    torch = pytest.importorskip("torch")
    from runner.backends.lightning import augment_colour as lc, augment_geometry as lg

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

