"""The Lightning backend's task adapters: for each task (runner.catalog.tasks), its network head,
its loss and the metrics a run logs, plugged into the one generic RecipeModule."""

import torch
import torch.nn.functional as F

from runner.backends.lightning.networks import build_network
from runner.recipe.compile import Program
from runner.run.scores import Tally


class Classification:
    """A backbone with one output per class; cross-entropy, with label smoothing in training only
    (val_loss is the plain cross-entropy `runner eval` reports, on both backends); accuracy."""

    def __init__(self, program: Program):
        self.program, self.smoothing = program, program.loop.label_smoothing

    def network(self) -> torch.nn.Module:
        return build_network(self.program)

    def training(self, logits: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """The loss to minimise, and the other training metrics. With soft targets (mixup, cutmix)
        a prediction counts as right when it names the heaviest label."""
        loss = F.cross_entropy(logits, target, label_smoothing=self.smoothing)
        labels = target.argmax(1) if target.is_floating_point() else target
        return loss, {"train_acc": (logits.argmax(1) == labels).float().mean()}

    def validation(self, logits: torch.Tensor, labels: torch.Tensor) -> dict:
        return {"val_loss": F.cross_entropy(logits, labels), "val_acc": (logits.argmax(1) == labels).float().mean()}

    def tally(self, tally: Tally, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """Add a batch to an evaluation's counts (top-k hits, confusion matrix, summed loss)."""
        logits = logits.float()
        ranked = logits.topk(tally.top, dim=1).indices
        tally.add(ranked.cpu().numpy(), labels.cpu().numpy(), float(F.cross_entropy(logits, labels, reduction="sum")))


# Task name (the catalog's) -> adapter class.
ADAPTERS = {"classification": Classification}
