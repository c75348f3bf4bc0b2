"""Segmentation means the same on both backends: the same tiny U-Net and smp U-Net (weights copied
across give the same logits), the same per-pixel loss with the ignored pixels left out, the same mIoU and
pixel accuracy from the same predictions, and batches padded the same way; and the shapes
quickstart learns on each."""

import json
import subprocess
import sys

import numpy as np
import paddle
import pytest
import torch
import torch.nn.functional as F

from runner.catalog.tasks import IGNORE_INDEX
from runner.data import padding
from runner.recipe.compile import with_classes
from runner.recipe.stages import compile_file
from runner.run import dense_scores
from tests.backends.paddle.conftest import torch_to_paddle, trainable
from tests.conftest import ROOT

QUICKSTART = ROOT / "recipes/quickstart_segmentation.yaml"


def quickstart(classes: int, *overrides):
    """The shapes quickstart's Program, counted as `classes` classes."""
    return with_classes(compile_file(str(QUICKSTART), list(overrides))[1], classes)


def scene(seed: int = 0, classes: int = 4, shape=(3, 12, 10)):
    """Random logits (N, classes, H, W) and int64 masks (N, H, W) with a band of ignored pixels."""
    rng = np.random.default_rng(seed)
    n, height, width = shape
    logits = rng.normal(size=(n, classes, height, width)).astype("float32")
    masks = rng.integers(0, classes, (n, height, width)).astype("int64")
    masks[0, :3] = IGNORE_INDEX
    masks[1, :, -2:] = IGNORE_INDEX
    return logits, masks


@pytest.mark.parametrize("size", [(16, 16), (13, 11)])  # odd sides: upsampling to an uneven skip
def test_the_tiny_unets_are_one_network(size):
    from runner.backends.lightning.dense_networks import TinyUNet as TorchUNet
    from runner.backends.paddle.dense_networks import TinyUNet as PaddleUNet

    paddle.set_device("cpu")
    torch.manual_seed(0)
    # Training mode: batch statistics carry every layer's output at full strength, where freshly
    # initialised running statistics would let a wrong upsampling through within 1e-4.
    theirs, ours = TorchUNet(3, 5).train(), PaddleUNet(3, 5)
    ours.train()
    counted = sum(int(p.numel()) for p in trainable(ours).values())
    assert counted == sum(p.numel() for p in theirs.parameters()) > 100_000
    torch_to_paddle(theirs, ours)
    x = np.random.default_rng(0).normal(size=(2, 3, *size)).astype("float32")
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    got = ours(paddle.to_tensor(x)).detach().numpy()
    assert got.shape == (2, 5, *size)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("encoder", ["resnet18", "resnet34", "resnet50"])
def test_paddles_unet_is_segmentation_models_pytorchs(encoder):
    import segmentation_models_pytorch as smp

    from runner.backends.paddle.dense_networks import segmenter

    paddle.set_device("cpu")
    torch.manual_seed(0)
    theirs = smp.Unet(encoder_name=encoder, encoder_weights=None, in_channels=3, classes=4).train()
    ours = segmenter(quickstart(4, "backend=paddle", "model.arch=unet", f"model.backbone={encoder}"))
    assert sum(int(p.numel()) for p in trainable(ours).values()) == sum(p.numel() for p in theirs.parameters())
    if encoder != "resnet18":  # the same blocks, deeper: one network's outputs are checked
        return
    torch_to_paddle(theirs, ours)
    ours.train()  # batch statistics, as for the tiny U-Net
    x = np.random.default_rng(0).normal(size=(2, 3, 64, 96)).astype("float32")
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(paddle.to_tensor(x)).detach().numpy(), expected, rtol=1e-3, atol=1e-3)


def test_paddle_builds_every_segmentation_network_the_catalog_gives_it():
    from runner.backends.paddle.dense_networks import ARCHS
    from runner.catalog.models import models

    assert set(ARCHS) == {n for n in models.names("paddle") if "segmentation" in models.get(n).tasks}


def test_the_pixel_loss_is_torchs_cross_entropy_with_ignored_pixels_left_out():
    from runner.backends.paddle.segmentation import PixelCrossEntropy, Segmentation

    paddle.set_device("cpu")
    logits, masks = scene()
    adapter = Segmentation(quickstart(4, "backend=paddle"))
    expected = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(masks), ignore_index=IGNORE_INDEX)
    everywhere = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(np.where(masks == 255, 0, masks)))
    assert float(expected) != pytest.approx(float(everywhere), rel=1e-3)  # the ignored pixels matter here
    loss = PixelCrossEntropy()(paddle.to_tensor(logits), paddle.to_tensor(masks))
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
    # runner eval's per-pixel sum, over the pixels that count
    tally = dense_scores.SegmentationTally(4)
    adapter.add(tally, paddle.to_tensor(logits), paddle.to_tensor(masks))
    summed = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(masks), ignore_index=255, reduction="sum")
    assert tally.loss_sum == pytest.approx(float(summed), rel=1e-5)
    assert tally.matrix.sum() == (masks != IGNORE_INDEX).sum()


def test_both_backends_score_a_batch_with_no_counted_pixel_as_zero_loss():
    """A batch of crowd regions and padding only: no pixel to average over, and no NaN to stop the run."""
    from runner.backends.lightning.segmentation import pixel_loss
    from runner.backends.paddle.segmentation import PixelCrossEntropy

    logits, masks = scene()
    ignored = np.full_like(masks, IGNORE_INDEX)
    assert float(pixel_loss(torch.from_numpy(logits), torch.from_numpy(ignored))) == 0.0
    assert float(PixelCrossEntropy()(paddle.to_tensor(logits), paddle.to_tensor(ignored))) == 0.0
    expected = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(masks), ignore_index=IGNORE_INDEX)
    assert float(pixel_loss(torch.from_numpy(logits), torch.from_numpy(masks))) == pytest.approx(float(expected))


def test_the_paddle_metric_scores_as_the_shared_scores_and_lightnings_metric():
    from runner.backends.lightning.segmentation import Segmentation as LightningSegmentation
    from runner.backends.paddle.segmentation import PixelConfusion, confusion

    paddle.set_device("cpu")
    metric, matrix = PixelConfusion(4), np.zeros((4, 4), np.int64)
    lightning = LightningSegmentation(quickstart(4))
    for seed in range(3):  # the counts of three validation batches add up
        logits, masks = scene(seed)
        predicted = logits.argmax(1)
        counts = confusion(paddle.to_tensor(predicted), paddle.to_tensor(masks), 4).numpy()
        assert counts.tolist() == dense_scores.confusion(predicted, masks, 4).ravel().tolist()
        metric.update(metric.compute(paddle.to_tensor(logits), paddle.to_tensor(masks)).numpy())
        lightning.validation(lambda x: x, torch.from_numpy(logits), torch.from_numpy(masks))
        matrix += dense_scores.confusion(predicted, masks, 4)
    expected = dense_scores.segmentation_scores(matrix)
    miou, pixel_acc = metric.accumulate()
    assert (miou, pixel_acc) == pytest.approx((expected["miou"], expected["pixel_acc"]), rel=1e-12)
    assert lightning.epoch_end() == pytest.approx({"val_miou": miou, "val_pixel_acc": pixel_acc}, rel=1e-6)
    assert 0.1 < miou < 0.5  # random predictions: neither nothing nor everything right


def test_both_backends_pad_a_batch_of_many_sizes_alike():
    from runner.backends.lightning.dense_data import collate_masks

    rng = np.random.default_rng(0)
    sizes = [(5, 7), (8, 4), (6, 6)]
    batch = [(rng.integers(1, 256, (3, *s), dtype=np.uint8), rng.integers(0, 4, s, dtype=np.uint8)) for s in sizes]
    x, y = padding.pad_masks(batch)
    tx, ty = collate_masks(batch)
    assert x.dtype == np.uint8 and y.dtype == np.int64 and x.shape == (3, 3, 32, 32)  # a multiple of 32
    np.testing.assert_array_equal(x, tx.numpy())
    np.testing.assert_array_equal(y, ty.numpy())
    assert (y[0, 5:] == IGNORE_INDEX).all() and (x[0, :, 5:] == 0).all()  # padding counts for no class


def test_both_backends_load_the_same_masks_in_the_same_order(tmp_path):
    from runner.backends.lightning.data import prepare as lightning_data
    from runner.backends.paddle.data import prepare as paddle_data

    paddle.set_device("cpu")
    small = ["data.image_size=32", "data.train_size=40", "data.val_size=12", "data.batch_size=8", "seed=3"]
    small += ["augment.train=[]", "augment.eval=[]", f"data.root={tmp_path}"]  # no random steps
    torch_side = lightning_data(compile_file(str(QUICKSTART), small)[1])
    paddle_side = paddle_data(compile_file(str(QUICKSTART), [*small, "backend=paddle"])[1], 8)
    assert torch_side.classes == paddle_side.classes == ("background", "circle", "square", "triangle")
    for epoch in (0, 1):
        torch_side.train.sampler.set_epoch(epoch)
        paddle_side.train.epoch = epoch
        torch_batches, paddle_batches = list(torch_side.train), list(paddle_side.train)
        assert len(torch_batches) == len(paddle_batches) == 40 // 8
        for (tx, ty), (px, py) in zip(torch_batches, paddle_batches):
            assert py.dtype == paddle.int64
            np.testing.assert_array_equal(py.numpy(), ty.numpy())
            np.testing.assert_allclose(px.numpy(), tx.numpy() / 255, atol=1e-6)  # paddle's stream ends on the device
    assert sum(len(y) for _, y in paddle_side.val) == 12


# The quickstart at a quarter of its pixels: 256 training images of 32x32, 8 per batch, 8 epochs
# (256 steps, as many as the whole quickstart's first 8 epochs); paddle reached mIoU 0.82.
SHORT = ["train.epochs=8", "data.image_size=32", "data.train_size=256", "data.val_size=64", "data.batch_size=8"]


@pytest.mark.slow  # two trainings in subprocesses, 40 to 80 s each on 2 CPU cores
def test_the_shapes_quickstart_learns_on_both_backends(tmp_path):
    scores = {}
    for backend in ("lightning", "paddle"):
        # The scores are what is compared: no TensorBoard log, no run-end report (tested on its own).
        args = [f"backend={backend}", *SHORT, "log.tensorboard=false", "log.report=false"]
        result = subprocess.run(
            [sys.executable, "-m", "runner", "run", str(QUICKSTART), *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        path = tmp_path / result.stdout.splitlines()[-1].removeprefix("run dir: ")
        scores[backend] = json.loads((path / "summary.json").read_text())["val_miou"]
    # the background alone, all a network that learned nothing predicts, scores an mIoU near 0.2
    assert min(scores.values()) >= 0.7, scores
