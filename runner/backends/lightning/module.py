"""One generic LightningModule: a backbone, cross-entropy, accuracy, and the compiled optimizer
and learning-rate curve. Batches are augmented on the device after transfer: every step for
in-memory data, normalize and the steps after it for file-backed data (the workers ran the rest)."""

import lightning.pytorch as pl
import torch
import torch.nn.functional as F

from runner.backends.lightning.augment import build_pipeline, split_pipeline
from runner.backends.lightning.networks import build_network
from runner.recipe.compile import Program

NORM_TYPES = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.GroupNorm, torch.nn.LayerNorm)


class Classifier(pl.LightningModule):
    def __init__(self, program: Program, file_backed: bool = False):
        super().__init__()
        self.program, self.file_backed = program, file_backed
        hardware = program.recipe["hardware"]
        self.memory_format = torch.channels_last if hardware["channels_last"] else torch.contiguous_format
        self.net = build_network(program).to(memory_format=self.memory_format)
        if hardware["compile"]:
            self.net = torch.compile(self.net)
        if file_backed:
            self.train_pipeline = split_pipeline(program, "train")[1]
            self.eval_pipeline = split_pipeline(program, "eval")[1]
        else:
            self.train_pipeline = build_pipeline(program, "train")
            self.eval_pipeline = build_pipeline(program, "eval")
        self.smoothing = program.recipe["train"]["label_smoothing"]

    def forward(self, x):
        return self.net(x)

    def on_after_batch_transfer(self, batch, dataloader_idx):
        """(uint8 images, labels) -> (float images, target): labels, or soft labels after mixup/cutmix."""
        x, y = batch
        pipeline = self.train_pipeline if self.trainer.training else self.eval_pipeline
        x, target = pipeline(x, y)
        return x.contiguous(memory_format=self.memory_format), target

    def training_step(self, batch, batch_idx):
        x, target = batch
        logits = self(x)
        loss = F.cross_entropy(logits, target, label_smoothing=self.smoothing)
        # with soft targets, a prediction counts as right when it names the heaviest label
        labels = target.argmax(1) if target.is_floating_point() else target
        acc = (logits.argmax(1) == labels).float().mean()
        self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True, sync_dist=True)
        self.log("train_acc", acc, prog_bar=True, on_step=False, on_epoch=True, sync_dist=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True, sync_dist=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True, sync_dist=True)

    def configure_optimizers(self):
        optim = self.program.recipe["optim"]
        groups = _param_groups(self.net, optim)
        name = optim["name"]
        if name == "sgd":
            opt = torch.optim.SGD(groups, lr=optim["lr"], momentum=optim["momentum"], nesterov=optim["nesterov"])
        elif name in ("adam", "adamw"):
            cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
            opt = cls(groups, lr=optim["lr"], betas=(optim["beta1"], optim["beta2"]), eps=optim["eps"])
        else:
            opt = torch.optim.RMSprop(
                groups, lr=optim["lr"], alpha=optim["alpha"], momentum=optim["momentum"], eps=optim["eps"]
            )
        # A plain function, not the LrCurve object: LambdaLR saves callable objects into the
        # checkpoint, which would then hold more than tensors and could not load weights-only.
        curve = self.program.lr
        schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: curve(step))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


def _param_groups(net, optim):
    """Weight decay on every parameter, or (decay_norm_and_bias: false) not on norms and biases."""
    decay = optim["weight_decay"]
    if optim["decay_norm_and_bias"]:
        return [{"params": list(net.parameters()), "weight_decay": decay}]
    exempt = {id(p) for m in net.modules() if isinstance(m, NORM_TYPES) for p in m.parameters()}
    exempt |= {id(p) for n, p in net.named_parameters() if n.endswith(".bias")}
    params = list(net.parameters())
    return [
        {"params": [p for p in params if id(p) not in exempt], "weight_decay": decay},
        {"params": [p for p in params if id(p) in exempt], "weight_decay": 0.0},
    ]
