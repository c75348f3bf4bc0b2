"""The report's look at a detector: AP per class as `runner eval` scores it (COCO's), each image's
boxes scoring at least THRESHOLD beside its true boxes, and its mistakes counted as COCO matches
boxes: a detection is right when it overlaps a true box of its class, not yet matched, by IoU
MATCH or more (the best-scored detections match first)."""

from pathlib import Path

import numpy as np

from runner.backends.inference import Detected
from runner.report import dense_figures, overlays, page, tiles
from runner.report.looks import Drawn, Judged, Look

THRESHOLD = 0.5  # the score a box needs to be drawn and judged
MATCH = 0.5  # IoU at which a detection finds a true box (COCO's mAP50)
LABEL = (48, 9)  # pixels a box's label takes on its tile (width, height), at dense_figures.LABEL_POINTS


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(K, M) intersection over union of boxes a (K, 4) and b (M, 4), x0, y0, x1, y1."""
    a, b = np.asarray(a, np.float64).reshape(-1, 4), np.asarray(b, np.float64).reshape(-1, 4)
    low, high = np.maximum(a[:, None, :2], b[None, :, :2]), np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(high - low, 0, None).prod(axis=2)
    area_a, area_b = (np.clip(x[:, 2:] - x[:, :2], 0, None).prod(axis=1) for x in (a, b))
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def errors(found: Detected, target: dict, threshold: float = THRESHOLD) -> tuple[int, int]:
    """(true boxes missed, detections that match none) among the detections scoring `threshold`
    or more; a detection on a crowd region of its class is neither."""
    keep = np.flatnonzero(found.scores >= threshold)
    keep = keep[np.argsort(-found.scores[keep], kind="stable")]
    crowd = np.asarray(target["crowd"], bool)
    truth, truth_labels = np.asarray(target["boxes"]).reshape(-1, 4), np.asarray(target["labels"])
    overlaps = box_iou(found.boxes[keep], truth)
    matched, false = np.zeros(len(truth), bool), 0
    for row, label in zip(overlaps, found.labels[keep]):
        fits = (truth_labels == label) & (row >= MATCH)
        free = fits & ~crowd & ~matched
        if free.any():
            matched[np.flatnonzero(free)[np.argmax(row[free])]] = True
        elif not (fits & crowd).any():
            false += 1
    return int((~matched & ~crowd).sum()), false


def judge(found: Detected, target: dict, classes: int) -> Judged:
    missed, false = errors(found, target)
    if missed or false:
        return Judged(missed + false, f"{missed} missed, {false} false", "red")
    objects = int((~np.asarray(target["crowd"], bool)).sum())
    return Judged(0, f"all {objects} found" if objects else "none to find", "green")


def draw(image: np.ndarray, found: Detected, target: dict, classes: tuple[str, ...], size: int) -> Drawn:
    picture = tiles.tile(image.transpose(1, 2, 0), size)
    colours = palette(len(classes))
    keep, shape = found.scores >= THRESHOLD, image.shape[1:]
    boxes, labels, scores = overlays.scaled(found.boxes[keep], shape, size), found.labels[keep], found.scores[keep]
    truth, truth_labels = overlays.scaled(target["boxes"], shape, size), np.asarray(target["labels"])
    notes, taken = [], []
    for (x0, y0, _, _), c, s in zip(boxes, labels, scores):
        while any(abs(x0 - x) < LABEL[0] and abs(y0 - y) < LABEL[1] for x, y in taken):
            y0 += LABEL[1]  # below a label already there: a detector often gives one box several classes
        taken.append((x0, y0))
        notes.append((x0, y0, f"{classes[c]} {s:.2f}", colours[c]))
    return Drawn(
        overlays.boxes(picture, boxes, colours[labels]), overlays.boxes(picture, truth, colours[truth_labels]), notes
    )


def palette(classes: int) -> np.ndarray:
    return overlays.colours(classes)


def scored(tally, classes: tuple[str, ...], images: int, out: Path) -> list[str]:
    result = tally.result(classes)
    figures = result.scores
    rows = [[name, "-" if ap is None else ap] for name, ap in result.per_class.items()]
    bars = dense_figures.bars(
        classes, [result.per_class[name] for name in classes], palette(len(classes)), "AP", out / "per_class.png"
    )
    return [
        page.paragraph(
            f"The best checkpoint's boxes on {result.images} validation images, scored as runner eval scores them "
            f"(COCO): mAP {figures['map']:.4f} over IoU 0.50:0.95, mAP50 {figures['map50']:.4f}, "
            f"mAP75 {figures['map75']:.4f}. A class with no true box has no AP (-)."
        ),
        page.table(["class", "AP"], rows),
        page.image(bars, "AP per class"),
    ]


LOOK = Look(
    heading="Per-class AP",
    scored=scored,
    judge=judge,
    draw=draw,
    palette=palette,
    legend=lambda classes: list(range(len(classes))),
    samples_text=(
        f"The best checkpoint's boxes scoring at least {THRESHOLD} (left, with class and score) beside the true "
        "boxes (right), in each class's colour."
    ),
    worst_text=f"The images with the most true boxes missed and false boxes (matched at IoU {MATCH}).",
    none_wrong="No image has a missed or a false box.",
)
