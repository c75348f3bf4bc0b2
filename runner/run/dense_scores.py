"""Segmentation and detection scores, shared by both backends' training logs and `runner eval`: a
confusion matrix over pixels (IoU per class, mIoU, pixel accuracy), and COCO mAP figures with the
detections in COCO's results format. The backends count; this module turns counts into scores."""

import json
from pathlib import Path

import numpy as np

from runner.catalog.tasks import IGNORE_INDEX as IGNORE


def confusion(predicted: np.ndarray, target: np.ndarray, classes: int) -> np.ndarray:
    """confusion[true, predicted] pixel counts, pixels whose target is IGNORE left out."""
    keep = target != IGNORE
    index = target[keep].astype(np.int64) * classes + predicted[keep].astype(np.int64)
    return np.bincount(index, minlength=classes * classes).reshape(classes, classes)


def segmentation_scores(matrix: np.ndarray) -> dict:
    """IoU of each class (intersection over union of its predicted and true pixels), their mean
    over the classes present in the target or the prediction (a class absent from both has no
    IoU), and the share of pixels given their class."""
    hits = matrix.diagonal().astype(np.float64)
    union = matrix.sum(0) + matrix.sum(1) - hits
    iou = np.where(union > 0, hits / np.maximum(union, 1), np.nan)
    present = union > 0
    return {
        "miou": float(iou[present].mean()) if present.any() else 0.0,
        "pixel_acc": float(hits.sum() / max(matrix.sum(), 1)),
        "iou": iou,
    }


class SegmentationTally:
    """Counts over the batches of a segmentation evaluation: the pixel confusion matrix and the
    summed per-pixel loss."""

    kind = "segmentation"

    def __init__(self, classes: int):
        self.classes = classes
        self.matrix = np.zeros((classes, classes), dtype=np.int64)
        self.loss_sum = 0.0

    def add(self, predicted: np.ndarray, target: np.ndarray, loss_sum: float) -> None:
        self.matrix += confusion(predicted, target, self.classes)
        self.loss_sum += loss_sum

    def result(self, names: tuple[str, ...] | None) -> dict:
        """The scores, as the JSON file holds them after its checkpoint and split."""
        names = list(names) if names else [str(i) for i in range(self.classes)]
        found = segmentation_scores(self.matrix)
        pixels = int(self.matrix.sum())
        return {
            "pixels": pixels,
            "loss": self.loss_sum / max(pixels, 1),
            "miou": found["miou"],
            "pixel_acc": found["pixel_acc"],
            "per_class_iou": {n: (None if np.isnan(v) else float(v)) for n, v in zip(names, found["iou"])},
            "support": {n: int(s) for n, s in zip(names, self.matrix.sum(1))},
            "confusion_matrix": self.matrix.tolist(),
            "classes": names,
        }

    def write(self, out: Path, checkpoint: Path, split: str, names: tuple[str, ...] | None) -> dict:
        result = {"checkpoint": str(checkpoint), "split": split, **self.result(names)}
        _write(out, result)
        return result

    @staticmethod
    def table(result: dict) -> str:
        lines = [f"{result['pixels']:,} pixels: mIoU {result['miou']:.4f}, pixel accuracy {result['pixel_acc']:.4f}"]
        width = max(len(n) for n in result["classes"])
        lines.append(f"  {'class':<{width}}     IoU     pixels")
        for name in result["classes"]:
            iou = result["per_class_iou"][name]
            shown = "     -" if iou is None else f"{iou:.4f}"
            lines.append(f"  {name:<{width}}  {shown:>6}  {result['support'][name]:9,d}")
        return "\n".join(lines)


class DetectionResult:
    """A detection evaluation's outcome, as the backend computed it: COCO's mAP figures, AP per
    class, and every detection in COCO's results format (image_id, category_id, bbox as
    [x, y, width, height], score), written beside the scores for COCO's own tools."""

    kind = "detection"

    def __init__(self, scores: dict, per_class: dict, images: int, detections: list[dict]):
        self.scores, self.per_class, self.images, self.detections = scores, per_class, images, detections

    def write(self, out: Path, checkpoint: Path, split: str, names: tuple[str, ...] | None) -> dict:
        results = out.with_name(out.stem + "-detections.json")
        result = {
            "checkpoint": str(checkpoint),
            "split": split,
            "images": self.images,
            **self.scores,
            "per_class_ap": self.per_class,
            "classes": list(names or self.per_class),
            "detections_file": results.name,
        }
        _write(out, result)
        _write(results, self.detections)
        return result

    @staticmethod
    def table(result: dict) -> str:
        lines = [
            f"{result['images']} images: mAP {result['map']:.4f}, mAP50 {result['map50']:.4f}, "
            f"mAP75 {result['map75']:.4f}"
        ]
        width = max([len(n) for n in result["per_class_ap"]] + [5])
        lines.append(f"  {'class':<{width}}      AP")
        for name, ap in result["per_class_ap"].items():
            lines.append(f"  {name:<{width}}  {'     -' if ap is None else f'{ap:.4f}':>6}")
        lines.append(f"detections in COCO results format: {result['detections_file']}")
        return "\n".join(lines)


def _write(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")
