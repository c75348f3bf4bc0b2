"""Tasks: what a model learns to do from each image. A task names its target, the metrics a run
logs each epoch (with which direction is better), its loss and the recipe keys that configure
it. Registry entries say which tasks they serve (`tasks=`), and each backend has one adapter per
task (head, loss, metrics) plugged into its one generic training driver."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str  # as metrics.csv, summary.json and train.checkpoint.monitor write it
    better: str  # "max" or "min"
    doc: str


@dataclass(frozen=True)
class Task:
    name: str
    doc: str
    target: str  # what each image is labelled with
    metrics: tuple[Metric, ...]  # logged every epoch, in metrics.csv's column order
    loss: str
    loss_params: tuple[str, ...]  # the recipe keys that configure the loss
    monitor: str  # the metric that ranks checkpoints unless the recipe names another
    network_key: str  # the model key naming the whole network: backbone (a classifier) or arch
    refused: tuple[tuple[str, str], ...] = ()  # (backend, why) for each backend that cannot run it

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

    def ranking(self, monitor: str, mode: str) -> tuple[str, str]:
        """The checkpoint monitor and mode a recipe's (which may say auto) come to; a monitor the
        task lacks (which checks/loop.py reports) keeps an auto mode as max."""
        monitor = self.monitor if monitor == "auto" else monitor
        if mode == "auto":
            mode = self.metric(monitor).better if monitor in self.metric_names else "max"
        return monitor, mode

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)


CLASSIFICATION = Task(
    "classification",
    "One class per image.",
    target="one class index per image (soft labels after mixup or cutmix)",
    metrics=(
        Metric("train_loss", "min", "cross-entropy over the epoch's training batches, label smoothing included"),
        Metric("train_acc", "max", "share of training images whose top class is their (heaviest) label"),
        Metric("val_loss", "min", "cross-entropy over the validation images, without label smoothing"),
        Metric("val_acc", "max", "share of validation images whose top class is their label"),
    ),
    loss="cross-entropy",
    loss_params=("train.label_smoothing",),
    monitor="val_acc",
    network_key="backbone",
)

# The mask value of pixels that count for no class: crowd regions, padding, and whatever value a
# mask folder's ignore_index names (it is mapped to this one when read).
IGNORE_INDEX = 255

SEGMENTATION = Task(
    "segmentation",
    "One class per pixel (semantic segmentation).",
    target="a class index per pixel, 0 the background; pixels at data's ignore_index count nowhere",
    metrics=(
        Metric("train_loss", "min", "per-pixel cross-entropy over the epoch's training batches"),
        Metric("val_loss", "min", "per-pixel cross-entropy over the validation images"),
        Metric("val_miou", "max", "mean over classes of intersection over union, from the epoch's confusion matrix"),
        Metric("val_pixel_acc", "max", "share of validation pixels given their class"),
    ),
    loss="per-pixel cross-entropy, ignore_index pixels left out",
    loss_params=(),
    monitor="val_miou",
    network_key="arch",
)

# PaddleDetection 2.6, the newest on the package index, needs numpy < 2 and opencv <= 4.6 (so it
# cannot share an environment with torch) and fails under paddle 3.3 with dtype-promotion errors.
PADDLE_DETECTION = (
    "paddle has no detector this runner can build: PaddleDetection 2.6 needs numpy < 2 and "
    "opencv <= 4.6, and its losses fail under paddle 3.3"
)

DETECTION = Task(
    "detection",
    "Boxes around objects, each with a class (object detection).",
    target="boxes (x0, y0, x1, y1 in pixels), each with a class",
    metrics=(
        Metric("train_loss", "min", "sum of the detector's losses (box regression and classification)"),
        Metric("val_map", "max", "COCO mAP over IoU thresholds 0.50:0.95 on the validation images"),
        Metric("val_map50", "max", "COCO mAP at IoU 0.50"),
        Metric("val_map75", "max", "COCO mAP at IoU 0.75"),
    ),
    loss="the detector's own losses, summed",
    loss_params=(),
    monitor="val_map",
    network_key="arch",
    refused=(("paddle", PADDLE_DETECTION),),
)

TASKS = {task.name: task for task in (CLASSIFICATION, DETECTION, SEGMENTATION)}
