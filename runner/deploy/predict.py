"""Image files -> each one's answer, on onnxruntime: files decoded and prepared a window at a time
by a few threads (Pillow lets go of the GIL while it decodes and resizes) while the network runs,
grouped by prepared shape into batches of at most `batch_size`, and answered by the task's
function. Outcomes come out as batches finish, each carrying its file's index, so that a caller
can write each mask as it comes and keep only the ranked classes."""

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.deploy.answers import TASKS, Answer
from runner.deploy.contract import ONE_IMAGE
from runner.deploy.preprocess import NotAnImage
from runner.deploy.session import Model

THREADS = min(8, os.cpu_count() or 1)


@dataclass(frozen=True)
class Outcome:
    index: int  # the file's place in the list given
    path: Path
    answer: Answer | None  # None when the file was skipped
    reason: str | None = None  # why it was skipped


def predictions(model: Model, files: list[Path], batch_size: int, top_k: int) -> Iterator[Outcome]:
    """Every file's Outcome, in the order its batch finishes (skipped files as they are met)."""
    pending: dict[tuple, list[tuple]] = {}  # prepared shape -> (index, input, its scale)
    for index, (prepared, reason) in enumerate(_prepared(model, files, window=4 * batch_size)):
        if prepared is None:
            yield Outcome(index, files[index], None, reason)
            continue
        group = pending.setdefault(prepared[0].shape, [])
        group.append((index, *prepared))
        # At most a batch's worth of inputs waits: images of many sizes (a network of any input
        # size) run in smaller groups rather than piling up until the end.
        if sum(len(g) for g in pending.values()) >= batch_size or model.contract.task in ONE_IMAGE:
            yield from _run(model, files, pending.pop(max(pending, key=lambda shape: len(pending[shape]))), top_k)
    for group in pending.values():
        yield from _run(model, files, group, top_k)


def _run(model: Model, files: list[Path], group: list, top_k: int) -> Iterator[Outcome]:
    outputs = model.run(np.stack([x for _, x, _ in group]))
    answers = TASKS[model.contract.task].answer(outputs, model.contract.classes, top_k)
    for (index, _, scale), answer in zip(group, answers):
        yield Outcome(index, files[index], answer.in_image(scale))


def _prepared(model: Model, files: list[Path], window: int) -> Iterator[tuple]:
    """Each file's (input, scale), or None and why not, in order; a window of files is decoded ahead."""

    def prepare(path: Path):
        try:
            return model.prepare(path), None
        except NotAnImage as e:
            return None, str(e)

    with ThreadPoolExecutor(THREADS, thread_name_prefix="decode") as pool:
        for start in range(0, len(files), window):
            yield from pool.map(prepare, files[start : start + window])
