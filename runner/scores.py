"""Classification scores from a confusion matrix and top-k hits, shared by both backends'
`runner eval`, and the table it prints."""
import numpy as np

TABLE_CLASSES = 20  # beyond this many classes the table lists the weakest ones only
MATRIX_CLASSES = 12  # the confusion matrix is printed up to this many classes (always in the JSON)


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
    lines = [f"{result['images']} images: " + ", ".join(
        f"{k} {result[k]:.4f}" for k in result if k.startswith("top")) + f", loss {result['loss']:.4f}"]
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
        lines += [f"  {name:<{width}}" + "".join(f"{v:>{cell}}" for v in row)
                  for name, row in zip(result["classes"], matrix)]
    return "\n".join(lines)
