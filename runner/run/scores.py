"""Classification scores from a confusion matrix and top-k hits, shared by both backends'
`runner eval`, and the table it prints."""

import json
from pathlib import Path

import numpy as np

TABLE_CLASSES = 20  # beyond this many classes the table lists the weakest ones only
MATRIX_CLASSES = 12  # the confusion matrix is printed up to this many classes (always in the JSON)


TOP_K = (1, 5)


class Tally:
    """Counts over the batches of an evaluation: each batch gives its labels, the classes ranked
    by score (the first `top` of them) and its summed loss, as numpy arrays and a float."""

    kind = "classification"

    def __init__(self, classes: int):
        self.classes = classes
        self.ks = [k for k in TOP_K if k <= classes]
        self.top = max(self.ks)
        self.confusion = np.zeros((classes, classes), dtype=np.int64)
        self.hits, self.loss_sum = dict.fromkeys(self.ks, 0), 0.0

    def add(self, ranked: np.ndarray, labels: np.ndarray, loss_sum: float) -> None:
        labels = labels.reshape(-1)
        for k in self.ks:
            self.hits[k] += int((ranked[:, :k] == labels[:, None]).any(axis=1).sum())
        np.add.at(self.confusion, (labels, ranked[:, 0]), 1)
        self.loss_sum += loss_sum

    def write(self, out: Path, checkpoint: Path, split: str, names: tuple[str, ...] | None) -> dict:
        """The scores as eval/<checkpoint>-<split>.json holds them; class names default to indices."""
        names = list(names) if names else [str(i) for i in range(self.classes)]
        result = {
            "checkpoint": str(checkpoint),
            "split": split,
            **scores(self.confusion, self.hits, self.loss_sum, names),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        return result

    @staticmethod
    def table(result: dict) -> str:
        return table(result)


def scores(confusion: np.ndarray, topk_hits: dict[int, int], loss_sum: float, classes: list[str]) -> dict:
    """confusion[true, predicted] counts; topk_hits[k] images whose label is among the top k."""
    total = int(confusion.sum())
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return {
        "images": total,
        "loss": loss_sum / max(total, 1),
        **{f"top{k}": hits / max(total, 1) for k, hits in sorted(topk_hits.items())},
        "per_class": {name: float(a) for name, a in zip(classes, per_class)},
        "support": {name: int(n) for name, n in zip(classes, confusion.sum(axis=1))},
        "confusion_matrix": confusion.tolist(),
        "classes": list(classes),
    }


def table(result: dict) -> str:
    lines = [
        f"{result['images']} images: "
        + ", ".join(f"{k} {result[k]:.4f}" for k in result if k.startswith("top"))
        + f", loss {result['loss']:.4f}"
    ]
    shown = list(result["per_class"].items())
    if len(shown) > TABLE_CLASSES:
        lines.append(f"the 10 weakest of {len(shown)} classes (every class is in the JSON):")
        shown = sorted(shown, key=lambda kv: kv[1])[:10]
    width = max(len(name) for name, _ in shown)
    lines.append(f"  {'class':<{width}}  accuracy  images")
    lines += [f"  {name:<{width}}  {acc:8.4f}  {result['support'][name]:6d}" for name, acc in shown]
    if len(result["classes"]) <= MATRIX_CLASSES:
        matrix = result["confusion_matrix"]
        cell = max(5, len(str(max(max(row) for row in matrix))) + 1)
        lines.append("confusion matrix (rows: true class; columns: predicted class, by index)")
        lines.append(f"  {'':<{width}}" + "".join(f"{i:>{cell}}" for i in range(len(matrix))))
        lines += [
            f"  {name:<{width}}" + "".join(f"{v:>{cell}}" for v in row) for name, row in zip(result["classes"], matrix)
        ]
    return "\n".join(lines)
