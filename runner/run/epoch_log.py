"""The per-epoch record both backends keep: one row per epoch in metrics.csv, appended to on
resume, and the same figures as one line on the terminal. The columns are the loop's own, then
the metrics of the run's task (runner.catalog.tasks), train ones before validation ones."""

import csv
import io
from pathlib import Path

from runner.catalog.tasks import Task
from runner.recipe import reading
from runner.recipe.errors import RunFailed

LOOP = ("epoch", "step", "seconds", "images_per_s", "lr")


def fields(task: Task) -> tuple[str, ...]:
    return LOOP + task.metric_names


def append(path: Path, row: dict, task: Task) -> None:
    """Write one epoch's row; None (an epoch not validated, say) is written blank."""
    names = fields(task)
    row = {
        k: None if row.get(k) is None else row[k] if isinstance(row[k], int) else round(float(row[k]), 6) for k in names
    }
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=names)
        if new:
            writer.writeheader()
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def drop_from(path: Path, epoch: int) -> None:
    """Remove the rows of `epoch` and later (a resumed run writes them again)."""
    if not path.exists():
        return
    try:
        reader = csv.DictReader(io.StringIO(reading.read_text(path, reading.TABLE), newline=""))
        rows = [r for r in reader if int(r["epoch"]) < epoch]
    except (OSError, ValueError, KeyError, TypeError) as e:  # not ours: a device, too large, damaged
        raise RunFailed(
            f"{path} cannot be read ({e}); move it aside to resume without the earlier epochs' rows"
        ) from None
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def line(row: dict, epochs: int, task: Task) -> str:
    """`epoch 3/20  train_loss 0.4101  ...  2581 img/s  0.2 s`, the epoch counted from 1."""
    shown = [f"epoch {row['epoch'] + 1}/{epochs}"]
    shown += [f"{k} {float(row[k]):.4f}" for k in task.metric_names if row.get(k) is not None]
    return "  ".join(shown + [f"{row['images_per_s']:.0f} img/s", f"{row['seconds']:.1f} s"])
