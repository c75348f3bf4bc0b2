"""train.stop_on_nonfinite: a run whose training loss turns NaN or infinite stops at that step
with exit status 1, naming the epoch, the optimizer step, the last good checkpoint and the fix;
set to false, the same run goes on to its last epoch."""

import csv
import os
import re
import subprocess
import sys

import pytest

from runner.recipe.stages import compile_file
from runner.run.nonfinite import last_checkpoint, message
from tests.conftest import ROOT

SMOKE = ROOT / "recipes/smoke/synthetic.yaml"
# Decoupled weight decay at lr 100 x decay 1.0 multiplies every weight by 1 - 100 = -99 each
# step, so the logits overflow to inf, and the loss to NaN, about ten steps in: past the first
# epochs of two steps (64 images, batches of 32), so a checkpoint exists when it happens.
DIVERGING = (
    "data.train_size=64",
    "data.val_size=32",
    "train.epochs=8",
    "optim.name=adamw",
    "optim.lr=100",
    "optim.weight_decay=1.0",
)
STOPPED = re.compile(
    r"training loss is (nan|inf) at epoch (\d+)/8, optimizer step (\d+); "
    r"last good checkpoint: (\S+)(?: \((\S+)\))?; fix: lower optim.lr .*train.grad_clip.*warm-up.*"
    r"or set train.stop_on_nonfinite: false"
)


def program(*overrides):
    """The smoke recipe compiled with `overrides` (key.path=value)."""
    return compile_file(str(SMOKE), list(overrides))[1]


def run(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", "run", str(SMOKE), *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_a_diverging_run_stops_at_the_step_naming_the_last_good_checkpoint(tmp_path, backend):
    result = run(tmp_path, *DIVERGING, f"backend={backend}")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    found = STOPPED.search(result.stderr)
    assert found, result.stderr[-3000:]
    epoch, step, named = int(found[2]), int(found[3]), tmp_path / found[4]
    path = tmp_path / result.stdout.splitlines()[0].removeprefix("run dir: ")
    assert named.is_file() and named.parent == path / "checkpoints" and named.name.startswith("last")
    assert found[5] is None or named.resolve() == path / "checkpoints" / found[5]  # what last.ckpt links
    rows = list(csv.DictReader((path / "metrics.csv").open()))
    # every epoch before the one that failed finished, and the step is one of the failing epoch's
    assert [int(r["epoch"]) for r in rows] == list(range(epoch - 1)) and epoch > 1
    assert int(rows[-1]["step"]) < step <= int(rows[-1]["step"]) + 2
    assert not (path / "summary.json").exists()


@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_stop_on_nonfinite_false_lets_the_same_run_finish(tmp_path, backend):
    result = run(tmp_path, *DIVERGING, f"backend={backend}", "train.stop_on_nonfinite=false")
    assert result.returncode == 0, result.stderr[-3000:]
    path = tmp_path / result.stdout.splitlines()[0].removeprefix("run dir: ")
    losses = [r["train_loss"] for r in csv.DictReader((path / "metrics.csv").open())]
    assert len(losses) == 8 and {"nan", "inf"} & set(losses)  # it did go non-finite, and ran on
    assert (path / "summary.json").is_file()


def test_the_message_names_the_newest_last_checkpoint(tmp_path):
    p = program()
    assert message(float("inf"), 1, 5, 1, last_checkpoint(tmp_path), p) == (
        "training loss is inf at epoch 1/5, optimizer step 1; last good checkpoint: none yet; "
        "fix: lower optim.lr (now 0.003), set train.grad_clip (1.0, say) or add a warm-up "
        "(schedule.warmup_epochs: 1, say); or set train.stop_on_nonfinite: false to let the run go on"
    )
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for age, name in enumerate(["last.pdopt", "best-epoch=2.safetensors", "last.safetensors", "last-v1.ckpt"]):
        (folder / name).write_bytes(b"")
        os.utime(folder / name, ns=(age, 10**9 - age))  # the first named is the newest
    assert last_checkpoint(tmp_path) == folder / "last.safetensors"
    (folder / "epoch=3-step=00000008.ckpt").write_bytes(b"")
    (folder / "last.ckpt").symlink_to("epoch=3-step=00000008.ckpt")  # Lightning's save_last="link"
    assert last_checkpoint(tmp_path) == folder / "last.ckpt"
    assert f"last good checkpoint: {folder / 'last.ckpt'} (epoch=3-step=00000008.ckpt); fix:" in message(
        float("nan"), 5, 8, 9, folder / "last.ckpt", p
    )
    clipped = program("train.grad_clip=0.5", "schedule.warmup_steps=10")
    assert "fix: lower optim.lr (now 0.003) or a smaller train.grad_clip (now 0.5); or set" in message(
        float("nan"), 2, 5, 9, None, clipped
    )


def test_lightning_guard_stops_before_the_step_that_would_spoil_the_weights(tmp_path):
    import lightning.pytorch as pl
    import torch

    from runner.backends.lightning.guards import guards
    from runner.run.nonfinite import NonFiniteLoss

    class Diverging(pl.LightningModule):
        """Four batches an epoch; the loss of the eighth batch of the run is NaN."""

        def __init__(self):
            super().__init__()
            self.layer, self.seen = torch.nn.Linear(2, 1), 0

        def training_step(self, batch, batch_idx):
            self.seen += 1
            loss = self.layer(batch[0]).pow(2).mean()
            return loss * float("nan") if self.seen == 8 else loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

        def train_dataloader(self):
            data = torch.utils.data.TensorDataset(torch.randn(8, 2))
            return torch.utils.data.DataLoader(data, batch_size=2)

    assert guards(program("train.stop_on_nonfinite=false"), tmp_path) == []
    model = Diverging()
    trainer = pl.Trainer(
        max_epochs=3,
        accumulate_grad_batches=2,
        accelerator="cpu",
        devices=1,
        callbacks=guards(program("train.epochs=3"), tmp_path),
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    with pytest.raises(NonFiniteLoss) as stopped:
        trainer.fit(model)
    # batch 8 = epoch 2's fourth, which completes its second optimizer step: step 2 + 2; and the
    # NaN never reached the weights
    assert "training loss is nan at epoch 2/3, optimizer step 4; last good checkpoint: none yet" in str(stopped.value)
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_paddle_guard_counts_on_from_a_resumed_run(tmp_path):
    import numpy as np
    import paddle

    from runner.backends.paddle.guards import guards
    from runner.run.nonfinite import NonFiniteLoss

    class Loss(paddle.nn.Layer):
        """The loss of the seventh batch of this fit is NaN."""

        def __init__(self):
            super().__init__()
            self.seen = 0

        def forward(self, out, label):
            self.seen += 1
            loss = ((out - label) ** 2).mean()
            return loss * float("nan") if self.seen == 7 else loss

    class Data(paddle.io.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            return np.full([2], i, "float32"), np.zeros([1], "float32")

    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (folder / "state.json").write_text('{"epoch": 5, "step": 10}')  # the Recorder's, after 5 epochs
    (folder / "last.safetensors").write_bytes(b"")
    assert guards(program("train.stop_on_nonfinite=false"), tmp_path) == []
    net = paddle.nn.Linear(2, 1)
    model = paddle.Model(net)
    model.prepare(paddle.optimizer.SGD(0.01, parameters=net.parameters()), Loss())
    with pytest.raises(NonFiniteLoss) as stopped:
        model.fit(
            Data(),
            batch_size=2,
            epochs=3,
            verbose=0,
            shuffle=False,
            accumulate_grad_batches=2,
            callbacks=guards(program("train.epochs=8"), tmp_path),
        )
    assert (
        f"training loss is nan at epoch 7/8, optimizer step 14; last good checkpoint: {folder / 'last.safetensors'};"
    ) in str(stopped.value)
