"""What a batch of the network's outputs says about each of its images, one function per task:
a classifier's most probable classes; a segmenter's classes by the share of pixels they cover, and
its mask; a detector's boxes, most confident first. `runner predict` and `runner serve` print and
send these, so a task added here reaches both."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Answer:
    ranked: list[tuple[str, float]]  # (class name, score), best first, at most top_k of them
    mask: np.ndarray | None = None  # segmentation: the class index of each pixel, (H, W)
    boxes: np.ndarray | None = None  # detection: float32 (len(ranked), 4) x0, y0, x1, y1 of each

    def in_image(self, scale: tuple[float, float] | None) -> "Answer":
        """The answer with its boxes in the image's own pixels, `scale` (x, y) of them per input pixel."""
        if self.boxes is None or scale is None:
            return self
        return Answer(self.ranked, self.mask, self.boxes * np.asarray([*scale, *scale], np.float32))


def classify(outputs: list[np.ndarray], classes: tuple[str, ...], top_k: int) -> list[Answer]:
    (probabilities,) = outputs  # float32 (N, classes)
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :top_k]
    return [Answer([(name(classes, i), float(p[i])) for i in best]) for p, best in zip(probabilities, order)]


def segment(outputs: list[np.ndarray], classes: tuple[str, ...], top_k: int) -> list[Answer]:
    (labels,) = outputs  # int64 (N, H, W)
    answers = []
    for mask in labels:
        shares = np.bincount(mask.ravel(), minlength=len(classes)) / mask.size
        best = [i for i in np.argsort(-shares, kind="stable")[:top_k] if shares[i] > 0]
        answers.append(Answer([(name(classes, i), float(shares[i])) for i in best], mask))
    return answers


def detect(outputs: list, classes: tuple[str, ...], top_k: int) -> list[Answer]:
    answers = []
    for boxes, labels, scores in zip(*outputs):  # per image: (K, 4), (K,), (K,)
        best = np.argsort(-np.asarray(scores), kind="stable")[:top_k]
        ranked = [(name(classes, int(labels[i])), float(scores[i])) for i in best]
        answers.append(Answer(ranked, boxes=np.asarray(boxes, np.float32).reshape(-1, 4)[best]))
    return answers


def name(classes: tuple[str, ...], index) -> str:
    """A class's name; an index the contract has no name for (a graph that disagrees with its
    metadata) is shown as its number rather than failing the whole batch."""
    return classes[index] if 0 <= index < len(classes) else str(int(index))


@dataclass(frozen=True)
class Task:
    score: str  # what the number beside each class is, as json, csv and the HTTP answer name it
    answer: Callable[[list[np.ndarray], tuple[str, ...], int], list[Answer]]


TASKS = {
    "classification": Task("probability", classify),
    "segmentation": Task("share", segment),  # of the image's pixels
    "detection": Task("score", detect),
}


def ranked(answer: Answer, task: str) -> list[dict]:
    """An answer's classes as JSON records: [{"class": "cat", "probability": 0.93}, ...], a
    detection's with its "box": [x0, y0, x1, y1] in the image's pixels."""
    records = [{"class": c, TASKS[task].score: round(s, 6)} for c, s in answer.ranked]
    if answer.boxes is not None:
        for record, box in zip(records, answer.boxes):
            record["box"] = [round(float(v), 2) for v in box]
    return records
