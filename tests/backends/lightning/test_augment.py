"""The Lightning backend's augmentation steps: every registered step is built, each one does what
its recipe meaning says on whole batches, the file-backed split matches the in-memory path, and
the steps run on one intra-op thread."""

import inspect
from types import SimpleNamespace

import pytest
import torch
import torchvision.transforms.v2.functional as TF
from torchvision.transforms import v2

from runner.backends.lightning.augment import BUILDERS, build_pipeline, split_pipeline
from runner.backends.lightning.augment_boxes import RandomErasing
from runner.backends.lightning.augment_colour import ColorJitter, Grayscale, Normalize, adjust_hue, blend
from runner.backends.lightning.augment_geometry import (
    CenterCrop,
    Flip,
    RandomCrop,
    RandomResizedCrop,
    Resize,
    Rotation,
    resized_crop,
    rotate,
)
from runner.backends.lightning.mixing import CutMix, Mixup
from runner.backends.lightning.sample_transforms import SAMPLE_BUILDERS, PerImage, policy
from runner.catalog import augmentations
from runner.recipe.stages import compile_file

RECIPE = """\
schema_version: 1
name: augment_test
model:
  backbone: simple_cnn
data:
  dataset: synthetic
  num_classes: 4
  image_size: 16
  channels: {channels}
  train_size: 64
  val_size: 16
  batch_size: 8
augment:
  train:
{train}
  eval:
    - name: normalize
optim:
  name: adam
  lr: 0.001
"""
REQUIRED = {"size": 12, "degrees": 30.0}  # values for parameters without a default
DEVICE_ONLY = ("normalize", "mixup", "cutmix")  # never run in a worker


def step_yaml(name: str, **params) -> str:
    lines = [f"    - name: {name}"]
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            lines += [f"      {key}:"] + [f"        - {v}" for v in value]
        else:
            lines.append(f"      {key}: {value}")
    return "\n".join(lines)


def program(tmp_path, *steps, channels: int = 3):
    """The compiled Program of a synthetic recipe whose augment.train is `steps` ((name, params))."""
    path = tmp_path / "recipe.yaml"
    path.write_text(RECIPE.format(channels=channels, train="\n".join(step_yaml(n, **p) for n, p in steps)))
    return compile_file(str(path))[1]


def images(n=8, c=3, h=16, w=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, c, h, w), generator=g, dtype=torch.uint8)


def required(name: str) -> dict:
    signature = inspect.signature(augmentations.get(name).function)
    return {p: REQUIRED[p] for p, v in signature.parameters.items() if v.default is inspect.Parameter.empty}


@pytest.mark.parametrize("name", augmentations.names("lightning"))
def test_every_registered_step_is_built_batched_and_per_image(tmp_path, name):
    assert name in BUILDERS and (name in SAMPLE_BUILDERS or name in DEVICE_ONLY)
    torch.manual_seed(0)
    p = program(tmp_path, (name, required(name)))
    x, y = images(), torch.arange(8) % 4
    out, target = build_pipeline(p, "train")(x, y)
    size = required(name).get("size", 16)
    assert out.dtype == torch.float32 and out.shape[0] == 8 and min(out.shape[2:]) == size
    if augmentations.get(name).info.get("batch"):
        assert target.shape == (8, 4) and torch.allclose(target.sum(1), torch.ones(8))
    else:
        assert target is y
    sample, device = split_pipeline(p, "train")
    done = torch.stack([sample(image) for image in x])
    assert done.dtype == torch.uint8
    assert device(done, y)[0].shape == out.shape


def test_random_crop_keeps_shape_and_draws_a_window_per_image():
    torch.manual_seed(0)
    x = torch.arange(16 * 16, dtype=torch.float32).view(1, 1, 16, 16).expand(64, 1, 16, 16)
    out = RandomCrop(16, padding=4)(x)
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(x[0, 0], [4] * 4)
    windows = {(t, left) for t in range(9) for left in range(9)}
    drawn = {next(w for w in windows if torch.equal(padded[w[0] : w[0] + 16, w[1] : w[1] + 16], o[0])) for o in out}
    assert len(drawn) > 20  # 64 draws from 81 windows


def test_flips_with_p_1_equal_torch_flip_and_p_0_is_identity():
    x = torch.rand(4, 3, 5, 7)
    assert torch.equal(Flip(3, 1.0)(x), torch.flip(x, [3]))
    assert torch.equal(Flip(2, 1.0)(x), torch.flip(x, [2]))
    assert torch.equal(Flip(3, 0.0)(x), x)


def test_resize_and_center_crop_match_torchvision_sizes_and_pixels():
    x = torch.rand(2, 3, 10, 14)
    for size in (5, 8, 20):
        assert Resize(size)(x).shape[2:] == (size, int(size * 14 / 10))
        assert torch.allclose(Resize(size)(x), v2.Resize(size)(x), atol=1e-6)
    for size in (5, 8, 12):
        assert CenterCrop(size)(x).shape[2:] == (size, size)
        assert torch.equal(CenterCrop(size)(x), v2.CenterCrop(size)(x))


def test_random_resized_crop_size_identity_box_and_per_image_boxes():
    torch.manual_seed(0)
    x = torch.rand(1, 3, 16, 16).expand(16, 3, 16, 16)
    assert RandomResizedCrop(7)(x).shape == (16, 3, 7, 7)
    whole = RandomResizedCrop(16, scale=(1.0, 1.0), ratio=(1.0, 1.0))(x)
    assert torch.allclose(whole, x, atol=1e-6)
    crops = RandomResizedCrop(16, scale=(0.1, 0.5))(x)
    assert len({tuple(c.flatten()[:4].tolist()) for c in crops}) >= 12  # boxes are whole pixels, so some repeat
    # upscaling a box is torchvision's bilinear resize away from the box's edges
    t, left, h, w = torch.tensor([3, 0]), torch.tensor([5, 2]), torch.tensor([10, 12]), torch.tensor([8, 14])
    ours = resized_crop(x[:2], t, left, h, w, 24)
    ref = torch.stack(
        [TF.resized_crop(x[i], int(t[i]), int(left[i]), int(h[i]), int(w[i]), [24, 24]) for i in range(2)]
    )
    assert torch.allclose(ours[..., 3:-3, 3:-3], ref[..., 3:-3, 3:-3], atol=1e-5)


def test_rotation_by_zero_is_identity_and_matches_torchvision_at_fixed_angles():
    torch.manual_seed(0)
    x = torch.rand(3, 3, 10, 14)
    assert torch.allclose(Rotation(0.0)(x), x, atol=1e-5)
    angles = torch.tensor([30.0, -70.0, 90.0])
    ref = torch.stack(
        [TF.rotate(x[i], float(a), interpolation=v2.InterpolationMode.BILINEAR) for i, a in enumerate(angles)]
    )
    assert torch.allclose(rotate(x, angles), ref, atol=1e-5)
    quarter = rotate(x[:, :, :, :10], torch.full((3,), 90.0))  # square images: a quarter turn is exact
    assert torch.allclose(quarter, torch.rot90(x[:, :, :, :10], 1, [2, 3]), atol=1e-5)
    turned = Rotation(180.0)(x[:1].expand(8, 3, 10, 14))
    assert len({round(float(t.sum()), 3) for t in turned}) == 8  # an angle per image


def test_color_jitter_is_identity_at_zero_and_each_blend_matches_torchvision():
    torch.manual_seed(0)
    x = torch.rand(6, 3, 9, 7)
    assert torch.equal(ColorJitter(0, 0, 0, 0)(x), x)
    f = torch.rand(6) * 2
    for kind, reference in enumerate((TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation)):
        ref = torch.stack([reference(x[i], float(f[i])) for i in range(6)])
        assert torch.allclose(blend(x, torch.full((6,), kind), f), ref, atol=1e-6)
    shift = torch.tensor([0.1, -0.3, 0.5, -0.5, 0.25, 0.0])
    ref = torch.stack([TF.adjust_hue(x[i], float(shift[i])) for i in range(6)])
    assert torch.allclose(adjust_hue(x, shift), ref, atol=1e-5)


def test_color_jitter_draws_a_factor_per_image():
    torch.manual_seed(0)
    x = torch.full((8, 3, 4, 4), 0.5)
    out = ColorJitter(brightness=0.4, contrast=0, saturation=0)(x)
    factors = out[:, 0, 0, 0] / 0.5
    assert torch.allclose(out, factors.view(8, 1, 1, 1) * x)
    assert factors.min() >= 0.6 and factors.max() <= 1.4 and len(set(factors.tolist())) == 8
    jittered = ColorJitter(0.4, 0.4, 0.4, 0.1)(torch.rand(8, 3, 4, 4))
    assert jittered.min() >= 0 and jittered.max() <= 1


def test_grayscale_gives_equal_channels_of_torchvision_luma():
    x = torch.rand(4, 3, 5, 5)
    out = Grayscale(1.0)(x)
    assert out.shape == x.shape and torch.equal(out[:, 0], out[:, 1]) and torch.equal(out[:, 1], out[:, 2])
    assert torch.allclose(out, TF.rgb_to_grayscale(x, num_output_channels=3), atol=1e-6)
    assert torch.equal(Grayscale(0.0)(x), x)


def test_random_erasing_zeros_one_box_of_the_expected_area():
    torch.manual_seed(0)
    x = torch.ones(64, 3, 32, 32)
    out = RandomErasing(1.0, scale=(0.02, 0.33))(x)
    zero = out[:, 0] == 0
    fraction = zero.float().mean((1, 2))
    assert (fraction > 0).all() and fraction.min() >= 0.015 and fraction.max() <= 0.36
    rows, cols = zero.any(2).sum(1), zero.any(1).sum(1)
    assert torch.equal(rows * cols, zero.sum((1, 2)))  # a rectangle
    assert torch.equal(out[:, 0], out[:, 2])  # every channel
    assert torch.equal(RandomErasing(0.0)(x), x)


def test_mixup_blends_images_and_labels_by_the_same_weight():
    torch.manual_seed(0)
    values = torch.arange(1, 9, dtype=torch.float32) / 8
    x, y = values.view(8, 1, 1, 1).expand(8, 3, 4, 4), torch.arange(8)
    out, target = Mixup(num_classes=8, alpha=0.4)(x, y)
    lam = target[torch.arange(8), y]
    assert torch.allclose(target.sum(1), torch.ones(8))
    assert torch.allclose(target[torch.arange(8), y.roll(1)], 1 - lam)
    assert torch.allclose(out[:, 0, 0, 0], lam * values + (1 - lam) * values.roll(1), atol=1e-6)
    assert (0 < lam).all() and (lam < 1).all() and lam.unique().numel() == 8


def test_cutmix_pastes_a_box_and_mixes_labels_by_area():
    torch.manual_seed(0)
    x, y = torch.arange(8, dtype=torch.float32).view(8, 1, 1, 1).expand(8, 3, 16, 16), torch.arange(8)
    out, target = CutMix(num_classes=8, alpha=1.0)(x, y)
    assert torch.allclose(target.sum(1), torch.ones(8))
    own = (out[:, 0] == x[:, 0]).float().mean((1, 2))
    assert torch.allclose(target[torch.arange(8), y], own)
    assert torch.allclose(target[torch.arange(8), y.roll(1)], 1 - own)
    assert (own < 1).any()
    _, mixed = CutMix(num_classes=8)(out, target)  # soft labels in, soft labels out
    assert torch.allclose(mixed.sum(1), torch.ones(8))


@pytest.mark.parametrize(
    "name,params",
    [
        ("auto_augment", {"policy": "cifar10"}),
        ("rand_augment", {"num_ops": 2, "magnitude": 9}),
        ("trivial_augment", {}),
    ],
)
def test_policies_keep_shape_and_dtype(name, params):
    torch.manual_seed(0)
    for c in (1, 3):
        x = images(c=c)
        out = PerImage(policy(name, **params))(x.float() / 255)
        assert out.shape == x.shape and out.dtype == torch.float32 and 0 <= out.min() <= out.max() <= 1
        assert policy(name, **params)(x[0]).dtype == torch.uint8


def test_file_backed_split_puts_normalize_and_later_steps_on_the_device(tmp_path):
    torch.manual_seed(0)
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
    assert [type(t) for t in sample.transforms] == [v2.RandomHorizontalFlip, v2.CenterCrop]
    p = program(tmp_path, ("center_crop", {"size": 12}), ("normalize", {}))
    x, y = images(), torch.arange(8) % 4
    sample, device = split_pipeline(p, "train")
    split, labels = device(torch.stack([sample(image) for image in x]), y)
    whole, _ = build_pipeline(p, "train")(x, y)
    assert torch.equal(split, whole) and labels is y
    p = program(tmp_path, ("center_crop", {"size": 12}), ("mixup", {}))
    sample, device = split_pipeline(p, "train")
    assert [type(s) for s in device.steps] == [Mixup]
    x = torch.stack([sample(image) for image in images()])
    assert torch.equal(
        split_pipeline(program(tmp_path, ("center_crop", {"size": 12})), "train")[1](x, y)[0], x.float() / 255
    )


def test_the_module_runs_the_right_pipeline_after_transfer(tmp_path):
    from runner.backends.lightning.module import RecipeModule

    p = program(tmp_path, ("center_crop", {"size": 12}), ("normalize", {}), ("mixup", {}))
    x, y = images(), torch.arange(8) % 4
    for file_backed in (False, True):
        model = RecipeModule(p, file_backed=file_backed)
        model._trainer = SimpleNamespace(training=True)
        batch = torch.stack([split_pipeline(p, "train")[0](i) for i in x]) if file_backed else x
        out, target = model.on_after_batch_transfer((batch, y), 0)
        assert out.shape == (8, 3, 12, 12) and target.shape == (8, 4)
        model._trainer = SimpleNamespace(training=False)
        out, target = model.on_after_batch_transfer((images(), y), 0)
        assert out.shape == (8, 3, 16, 16) and target is y


def test_the_steps_run_on_one_thread_and_the_training_step_keeps_its_threads(tmp_path):
    """runner/data/pipeline.py's policy, through the module as training calls it: torch's intra-op
    threads are 1 inside every batched step and back to the caller's count after the batch."""
    from runner.backends.lightning.module import RecipeModule

    p = program(tmp_path, ("hflip", {}), ("normalize", {}))
    seen, before = [], torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        for file_backed in (False, True):
            model = RecipeModule(p, file_backed=file_backed)
            model._trainer = SimpleNamespace(training=True)
            model.train_pipeline.steps.append(lambda x: seen.append(torch.get_num_threads()) or x)
            model.on_after_batch_transfer((images(), torch.arange(8) % 4), 0)
            assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == [1, 1]
