"""The Lightning backend's segmentation adapter: logits per pixel, per-pixel cross-entropy with the
ignored pixels left out, and a pixel confusion matrix (torchmetrics', summed across processes)
turned into mIoU and pixel accuracy by the scores both backends share."""

import torch
import torch.nn.functional as F
from torchmetrics.classification import MulticlassConfusionMatrix

from runner.backends.lightning.dense_networks import segmenter
from runner.data.padding import padded_side
from runner.recipe.compile import Program
from runner.run.dense_scores import IGNORE, SegmentationTally, segmentation_scores


def pixel_loss(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Cross-entropy averaged over the pixels that count; 0 for a batch with none (all crowd or
    padding), where torch's own mean divides by zero and would stop the run as non-finite. The
    Paddle backend's loss means the same."""
    total = F.cross_entropy(logits, masks, ignore_index=IGNORE, reduction="sum")
    return total / (masks != IGNORE).sum().clamp(min=1)


class Segmentation:
    def __init__(self, program: Program):
        self.program = program
        classes = program.num_classes or 2  # counted from the data before a network is built
        self.metrics = {"confusion": MulticlassConfusionMatrix(classes, ignore_index=IGNORE, validate_args=False)}

    def network(self) -> torch.nn.Module:
        return segmenter(self.program)

    def training(self, net, x: torch.Tensor, masks: torch.Tensor) -> tuple[torch.Tensor, dict]:
        return pixel_loss(net(x), masks), {}

    def validation(self, net, x: torch.Tensor, masks: torch.Tensor) -> dict:
        logits = net(x)
        self.metrics["confusion"].update(logits.argmax(1), masks)
        return {"val_loss": pixel_loss(logits, masks)}

    def epoch_end(self) -> dict:
        confusion = self.metrics["confusion"]
        if not confusion.update_called:
            return {}
        found = segmentation_scores(confusion.compute().cpu().numpy())
        confusion.reset()
        return {"val_miou": found["miou"], "val_pixel_acc": found["pixel_acc"]}

    def tally(self, classes: int) -> SegmentationTally:
        return SegmentationTally(classes)

    def add(self, tally: SegmentationTally, net, x: torch.Tensor, masks: torch.Tensor) -> None:
        logits = net(x).float()
        loss = float(F.cross_entropy(logits, masks, ignore_index=IGNORE, reduction="sum"))
        tally.add(logits.argmax(1).cpu().numpy(), masks.cpu().numpy(), loss)

    def predict(self, net, x: torch.Tensor) -> list:
        """Each image's class per pixel, int64 (H, W), the batch padded as training pads it."""
        height, width = x.shape[2:]
        x = F.pad(x, (0, padded_side(width) - width, 0, padded_side(height) - height))
        return list(net(x)[:, :, :height, :width].argmax(1).cpu().numpy())
