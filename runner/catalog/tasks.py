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

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

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
)

TASKS = {task.name: task for task in (CLASSIFICATION,)}
