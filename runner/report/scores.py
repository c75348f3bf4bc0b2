"""What a page says of a classifier's predictions: the confusion matrix, per-class precision,
recall and F1, the most frequent confusions, and calibration (a reliability table and the
expected calibration error). Plain NumPy on (labels, probabilities)."""

from dataclasses import dataclass

import numpy as np

CALIBRATION_BINS = 15  # equal-width confidence bins, as Guo et al. (2017) report ECE


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """counts[true, predicted]."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


@dataclass(frozen=True)
class PerClass:
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # true images of each class


def per_class(counts: np.ndarray) -> PerClass:
    """Precision, recall and F1 of each class from a confusion matrix (0 where undefined, as
    scikit-learn's zero_division=0)."""
    hits = counts.diagonal().astype(float)
    predicted, support = counts.sum(axis=0), counts.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(hits), where=total > 0)
    return PerClass(precision, recall, f1, support)


def top_confusions(counts: np.ndarray, n: int = 10) -> list[tuple[int, int, int]]:
    """(true, predicted, count) of the most frequent mistakes, most first."""
    off = counts.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:n]
    pairs = [(*np.unravel_index(i, off.shape), int(off.flat[i])) for i in order]
    return [(int(t), int(p), c) for t, p, c in pairs if c > 0]


@dataclass(frozen=True)
class Calibration:
    edges: np.ndarray  # bin edges, CALIBRATION_BINS + 1
    confidence: np.ndarray  # mean confidence of each bin's predictions (nan where empty)
    accuracy: np.ndarray  # their accuracy (nan where empty)
    count: np.ndarray
    ece: float  # expected calibration error: sum over bins of |accuracy - confidence| * share


def calibration(labels: np.ndarray, probabilities: np.ndarray, bins: int = CALIBRATION_BINS) -> Calibration:
    confidence, predicted = probabilities.max(axis=1), probabilities.argmax(axis=1)
    correct = (predicted == labels).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bins are (low, high]; a confidence of exactly 0 cannot occur for a softmax.
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    count = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, bins) / count
        accuracy = np.bincount(index, correct, bins) / count
    gaps = np.where(count > 0, np.abs(accuracy - mean_confidence), 0.0)
    ece = float((gaps * count).sum() / max(len(labels), 1))
    return Calibration(edges, mean_confidence, accuracy, count, ece)


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
