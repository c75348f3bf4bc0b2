"""The Lightning backend's task adapters: for each task (runner.catalog.tasks), its network, its
loss, the metrics a run logs and its share of an evaluation, plugged into the one generic
RecipeModule. Each adapter offers network(), training(net, x, target), validation(net, x,
target), epoch_end(), tally(), add(tally, net, x, target) and predict(net, x) (what
runner.backends.inference.Inference.predict returns for a prepared batch); `metrics` holds the torchmetrics
objects the module registers, so they follow it to its device and sum across processes."""

import torch
import torch.nn.functional as F

from runner.backends.lightning.detection import Detection
from runner.backends.lightning.networks import build_network
from runner.backends.lightning.segmentation import Segmentation
from runner.recipe.compile import Program
from runner.run.scores import Tally


class Classification:
    """A backbone with one output per class; cross-entropy, with label smoothing in training only
    (val_loss is the plain cross-entropy `runner eval` reports, on both backends); accuracy."""

    def __init__(self, program: Program):
        self.program, self.smoothing = program, program.loop.label_smoothing
        self.metrics = {}

    def network(self) -> torch.nn.Module:
        return build_network(self.program)

    def training(self, net, x: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """The loss to minimise, and the other training metrics. With soft targets (mixup, cutmix)
        a prediction counts as right when it names the heaviest label."""
        logits = net(x)
        loss = F.cross_entropy(logits, target, label_smoothing=self.smoothing)
        labels = target.argmax(1) if target.is_floating_point() else target
        return loss, {"train_acc": (logits.argmax(1) == labels).float().mean()}

    def validation(self, net, x: torch.Tensor, labels: torch.Tensor) -> dict:
        logits = net(x)
        return {"val_loss": F.cross_entropy(logits, labels), "val_acc": (logits.argmax(1) == labels).float().mean()}

    def epoch_end(self) -> dict:
        return {}

    def tally(self, classes: int) -> Tally:
        return Tally(classes)

    def add(self, tally: Tally, net, x: torch.Tensor, labels: torch.Tensor) -> None:
        """Add a batch to an evaluation's counts (top-k hits, confusion matrix, summed loss)."""
        logits = net(x).float()
        ranked = logits.topk(tally.top, dim=1).indices
        tally.add(ranked.cpu().numpy(), labels.cpu().numpy(), float(F.cross_entropy(logits, labels, reduction="sum")))

    def predict(self, net, x: torch.Tensor) -> list:
        """Each image's class probabilities, float32 (classes,)."""
        return list(F.softmax(net(x).float(), 1).cpu().numpy())


# Task name (the catalog's) -> adapter class.
ADAPTERS = {"classification": Classification, "detection": Detection, "segmentation": Segmentation}
