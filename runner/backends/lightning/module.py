"""One LightningModule for every recipe: the task's network, loss and metrics (its adapter in
tasks.py), the compiled optimizer and learning-rate curve, and the augmentation pipelines, run on
each batch once it is on the device: every step for in-memory data; normalize and the steps after
it for image files, whose DataLoader workers ran the rest."""

import lightning.pytorch as pl
import torch

from runner.backends.lightning.augment import build_pipeline, split_pipeline
from runner.backends.lightning.optim import build_optimizer
from runner.backends.lightning.tasks import ADAPTERS
from runner.recipe.compile import Program


class RecipeModule(pl.LightningModule):
    def __init__(self, program: Program, file_backed: bool = False):
        super().__init__()
        self.program, self.file_backed = program, file_backed
        self.adapter = ADAPTERS[program.task.name](program)
        self.task_metrics = torch.nn.ModuleDict(self.adapter.metrics)  # moved and synced with the module
        hardware = program.hardware
        self.memory_format = torch.channels_last if hardware.channels_last else torch.contiguous_format
        self.net = self.adapter.network().to(memory_format=self.memory_format)
        if hardware.compile:
            self.net = torch.compile(self.net)
        if file_backed:
            self.train_pipeline = split_pipeline(program, "train")[1]
            self.eval_pipeline = split_pipeline(program, "eval")[1]
        else:
            self.train_pipeline = build_pipeline(program, "train")
            self.eval_pipeline = build_pipeline(program, "eval")

    def forward(self, x):
        return self.net(x)

    def on_after_batch_transfer(self, batch, dataloader_idx):
        """(uint8 images, target) -> (float images, target): labels, soft labels after mixup or
        cutmix, masks, or one dict of boxes per image."""
        x, y = batch
        pipeline = self.train_pipeline if self.trainer.training else self.eval_pipeline
        x, target = pipeline(x, y)
        return x.contiguous(memory_format=self.memory_format), target

    def training_step(self, batch, batch_idx):
        x, target = batch
        loss, metrics = self.adapter.training(self.net, x, target)
        size = len(x)  # a detection batch's targets are a list of dicts, which Lightning cannot count
        self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True, sync_dist=True, batch_size=size)
        for name, value in metrics.items():
            self.log(name, value, prog_bar=True, on_step=False, on_epoch=True, sync_dist=True, batch_size=size)
        return loss

    def validation_step(self, batch, batch_idx):
        x, target = batch
        for name, value in self.adapter.validation(self.net, x, target).items():
            self.log(name, value, prog_bar=True, sync_dist=True, batch_size=len(x))

    def on_validation_epoch_end(self):
        """Scores over the whole validation set (mIoU, mAP), from counts summed across processes."""
        for name, value in self.adapter.epoch_end().items():
            self.log(name, value, prog_bar=True)

    def configure_optimizers(self):
        return build_optimizer(self.program, self.net)
