"""`runner predict`'s answers as text: a table to read, JSON (a list of records: path, predictions,
and the mask file where one was written) or CSV (one row per image and rank) for programs; and the
file they go to, written whole or not at all."""

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runner.deploy.answers import TASKS, Answer, ranked


@dataclass(frozen=True)
class Record:
    path: str
    answer: Answer
    mask: str | None = None  # the PNG written for it (predict --masks)


def table(records: list[Record], task: str) -> str:
    """One row per image: its path, then each class with its probability (or share of pixels)."""
    cells = [[r.path, *(f"{c} {s:.1%}" for c, s in r.answer.ranked), *([r.mask] if r.mask else [])] for r in records]
    ranks = max((len(r.answer.ranked) for r in records), default=0)
    masks = ["mask"] if any(r.mask for r in records) else []
    header = ["path", *(f"top {k + 1}" for k in range(ranks)), *masks]
    rows = [header, *cells]
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows) + "\n"


def as_json(records: list[Record], task: str) -> str:
    out = [
        {"path": r.path, "predictions": ranked(r.answer, task), **({"mask": r.mask} if r.mask else {})} for r in records
    ]
    return json.dumps(out, indent=2) + "\n"


def as_csv(records: list[Record], task: str) -> str:
    text = io.StringIO()
    rows = csv.writer(text, lineterminator="\n")
    masks = any(r.mask for r in records)
    boxes = task == "detection"  # each row a box: its corners in the image's pixels
    corners = ["x0", "y0", "x1", "y1"] if boxes else []
    rows.writerow(["path", "rank", "class", TASKS[task].score, *corners, *(["mask"] if masks else [])])
    for r in records:
        for rank, (c, s) in enumerate(r.answer.ranked, 1):
            box = [f"{v:.2f}" for v in r.answer.boxes[rank - 1]] if boxes else []
            rows.writerow([r.path, rank, c, f"{s:.6f}", *box, *([r.mask or ""] if masks else [])])
    return text.getvalue()


FORMATS: dict[str, Callable[[list[Record], str], str]] = {"table": table, "json": as_json, "csv": as_csv}


def write(path: Path, text: str) -> None:
    """`text` into `path`, through a temporary file in its folder renamed over it, so a reader (or
    an interrupted run) never sees half of it; OSError when the folder refuses."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the answers from others sharing the folder
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
