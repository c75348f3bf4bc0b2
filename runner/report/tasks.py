"""What a run's page shows of each task (runner.catalog.tasks), in one table: the panel its scores
get among the curves, and the sections made from its best checkpoint's predictions. A page reads
the task its run's resolved recipe names; runs from before `task:` were classifiers."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from runner.backends.inference import Inference
from runner.catalog.tasks import TASKS as CATALOG
from runner.report import classified, dense, detected, segmented
from runner.report.looks import Look
from runner.run.record import RunRecord


@dataclass(frozen=True)
class ReportTask:
    scores_title: str  # the curves' panel of the task's metrics other than its losses
    sections: tuple[tuple[str, str], ...]  # (anchor, heading) of each section made from predictions
    # (inference, samples shown) -> the best checkpoint's predictions on the validation images;
    # raises RunFailed, OSError or ValueError when the images cannot be had
    gather: Callable[[Inference, int], object]
    shown: Callable[[Inference, object, Path, int], list[str]]  # (.., predictions, out, samples) -> sections


def _dense(scores_title: str, look: Look) -> ReportTask:
    return ReportTask(scores_title, dense.sections(look), partial(dense.gather, look), partial(dense.shown, look))


TASKS = {
    "classification": ReportTask("accuracy", classified.SECTIONS, classified.gather, classified.shown),
    "detection": _dense("mAP", detected.LOOK),
    "segmentation": _dense("IoU and pixel accuracy", segmented.LOOK),
}


def task_of(run: RunRecord) -> str:
    return str(run.get("task", default="classification"))


def panels(tasks: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The curves' panels for runs of `tasks`: their losses, their scores (when they share one
    task), the learning rate and the throughput; only the metrics every task logs."""
    names = [CATALOG[t].metric_names for t in tasks]
    shared = [m for m in names[0] if all(m in n for n in names[1:])]
    losses = tuple(m for m in shared if m.endswith("_loss"))
    scores = tuple(m for m in shared if not m.endswith("_loss"))
    found = (
        ("loss", losses),
        (TASKS[tasks[0]].scores_title, scores if len(set(tasks)) == 1 else ()),
        ("learning rate", ("lr",)),
        ("images/s", ("images_per_s",)),
    )
    return tuple((title, columns) for title, columns in found if columns)
