"""The Lightning backend's detection adapter: a torchvision detector, trained on the sum of the
losses it returns, and scored with torchmetrics' MeanAveragePrecision (COCO's mAP, through
pycocotools). Targets travel as one dict per image: boxes (x0, y0, x1, y1 pixels), labels (class
indices from 0), crowd flags and the image's id; the detector's label 0 is the background, so
classes are shifted by one on the way in and out. Crowd regions are never trained on; scoring
treats them as COCO does (a detection inside one is neither right nor wrong)."""

import torch
from torchmetrics.detection import MeanAveragePrecision

from runner.backends.inference import Detected
from runner.backends.lightning.dense_networks import detector
from runner.recipe.compile import Program
from runner.run.dense_scores import DetectionResult


def _map(per_class: bool = False) -> MeanAveragePrecision:
    return MeanAveragePrecision(box_format="xyxy", iou_type="bbox", class_metrics=per_class, backend="pycocotools")


class Detection:
    def __init__(self, program: Program):
        self.program = program
        self.metrics = {"map": _map()}

    def network(self) -> torch.nn.Module:
        return detector(self.program)

    def training(self, net, x: torch.Tensor, targets: list[dict]) -> tuple[torch.Tensor, dict]:
        wanted = [{"boxes": t["boxes"][~t["crowd"]], "labels": t["labels"][~t["crowd"]] + 1} for t in targets]
        losses = net(list(x), wanted)
        return sum(losses.values()), {}

    def validation(self, net, x: torch.Tensor, targets: list[dict]) -> dict:
        self.metrics["map"].update(predictions(net, x), truths(targets))
        return {}

    def epoch_end(self) -> dict:
        found = self.metrics["map"]
        if not found.update_called:
            return {}
        scores = found.compute()
        found.reset()
        return {
            "val_map": float(scores["map"]),
            "val_map50": float(scores["map_50"]),
            "val_map75": float(scores["map_75"]),
        }

    def tally(self, classes: int) -> "DetectionTally":
        return DetectionTally(classes)

    def add(self, tally: "DetectionTally", net, x: torch.Tensor, targets: list[dict]) -> None:
        tally.add(predictions(net, x), truths(targets), [(int(t["image_id"]), t["scale"]) for t in targets])

    def predict(self, net, x: torch.Tensor) -> list[Detected]:
        return [
            Detected(p["boxes"].cpu().numpy(), p["labels"].cpu().numpy(), p["scores"].cpu().numpy())
            for p in predictions(net, x)
        ]


def coco_figures(found: dict) -> dict:
    """map, map50 and map75 of torchmetrics' MeanAveragePrecision.compute()."""
    return {"map": float(found["map"]), "map50": float(found["map_50"]), "map75": float(found["map_75"])}


def predictions(net, x: torch.Tensor) -> list[dict]:
    """The detector's boxes, scores and class indices (from 0) for each image of a batch."""
    found = net(list(x))
    # Label 0 is the background: FCOS's and RetinaNet's sigmoid heads may still return it.
    kept = [p["labels"] > 0 for p in found]
    return [
        {"boxes": p["boxes"][k].float(), "scores": p["scores"][k].float(), "labels": p["labels"][k] - 1}
        for p, k in zip(found, kept)
    ]


def truths(targets: list[dict]) -> list[dict]:
    return [{"boxes": t["boxes"], "labels": t["labels"], "iscrowd": t["crowd"].long()} for t in targets]


class DetectionTally:
    """An evaluation's detections: mAP figures with AP per class, and every detection kept for
    COCO's results format (image ids and category ids as the annotation file gives them)."""

    kind = "detection"

    def __init__(self, classes: int):
        self.map, self.classes, self.images, self.detections = _map(per_class=True), classes, 0, []
        self.category_ids = list(range(1, classes + 1))  # replaced by the data's own ids when known

    def add(self, found: list[dict], truth: list[dict], images: list[tuple[int, tuple[float, float]]]) -> None:
        """A batch's detections and truths (in the pixels the network saw), and each image's id and
        scale back to its own pixels, in which the results file gives the boxes."""
        self.map.update(found, truth)
        self.images += len(found)
        for (image_id, (sx, sy)), p in zip(images, found):
            for box, score, label in zip(p["boxes"].tolist(), p["scores"].tolist(), p["labels"].tolist()):
                x0, y0, x1, y1 = box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy
                self.detections.append(
                    {
                        "image_id": image_id,
                        "category_id": self.category_ids[label],
                        "bbox": [round(v, 2) for v in (x0, y0, x1 - x0, y1 - y0)],
                        "score": round(score, 5),
                    }
                )

    def result(self, names: tuple[str, ...]) -> DetectionResult:
        found = self.map.compute()
        scores = coco_figures(found)
        ap = dict(zip(found["classes"].reshape(-1).tolist(), found["map_per_class"].reshape(-1).tolist()))
        per_class = {name: (None if ap.get(i, -1) < 0 else ap[i]) for i, name in enumerate(names)}
        return DetectionResult(scores, per_class, self.images, self.detections)

    def write(self, out, checkpoint, split: str, names: tuple[str, ...] | None) -> dict:
        names = tuple(names or (str(i) for i in range(self.classes)))
        return self.result(names).write(out, checkpoint, split, names)

    table = staticmethod(DetectionResult.table)
