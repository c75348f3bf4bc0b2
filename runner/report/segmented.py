"""The report's look at a segmenter: IoU per class and the pixel confusion matrix as `runner eval`
scores them, each image's predicted classes laid over it beside its true mask, and the worst
images by their own IoU (the mean over the classes in the image's prediction or its truth)."""

from pathlib import Path

import numpy as np

from runner.report import dense_figures, figures, overlays, page, tiles
from runner.report.looks import Drawn, Judged, Look
from runner.run.dense_scores import confusion, segmentation_scores


def image_iou(predicted: np.ndarray, mask: np.ndarray, classes: int) -> float:
    """Mean IoU of one image, over the classes present in its prediction or its mask (ignored
    pixels left out): 1.0 when every pixel is right."""
    return segmentation_scores(confusion(predicted, mask, classes))["miou"]


def judge(predicted: np.ndarray, target: dict, classes: int) -> Judged:
    iou = image_iou(predicted, target["mask"], classes)
    return Judged(1.0 - iou, f"IoU {iou:.2f}", "black")


def draw(image: np.ndarray, predicted: np.ndarray, target: dict, classes: tuple[str, ...], size: int) -> Drawn:
    picture, colours = tiles.tile(image.transpose(1, 2, 0), size), palette(len(classes))
    return Drawn(
        overlays.mask(picture, overlays.resized(predicted, size), colours),
        overlays.mask(picture, overlays.resized(target["mask"], size), colours),
    )


def palette(classes: int) -> np.ndarray:
    """Each class's colour, the background's (class 0, never painted) grey."""
    colours = overlays.colours(classes)
    colours[0] = overlays.BACKGROUND
    return colours


def scored(tally, classes: tuple[str, ...], images: int, out: Path) -> list[str]:
    result = tally.result(classes)
    per_class, support = result["per_class_iou"], result["support"]
    rows = [[name, "-" if per_class[name] is None else per_class[name], support[name]] for name in classes]
    matrix = np.asarray(result["confusion_matrix"], dtype=np.int64)
    bars = dense_figures.bars(
        classes, [per_class[name] for name in classes], palette(len(classes)), "IoU", out / "per_class.png"
    )
    return [
        page.paragraph(
            f"The best checkpoint's classes for the {result['pixels']:,} pixels of {images} validation images, "
            f"scored as runner eval scores them: mIoU {result['miou']:.4f}, pixel accuracy "
            f"{result['pixel_acc']:.4f}. A class in neither the truth nor the prediction has no IoU (-)."
        ),
        page.table(["class", "IoU", "pixels"], rows),
        page.image(bars, "IoU per class"),
        "<h3>Pixel confusion matrix</h3>",
        page.paragraph("Rows are the true class of each pixel, columns the predicted one."),
        page.image(figures.confusion(matrix, classes, out / "confusion.png"), "pixel confusion matrix"),
    ]


LOOK = Look(
    heading="Per-class IoU",
    scored=scored,
    judge=judge,
    draw=draw,
    palette=palette,
    legend=lambda classes: list(range(1, len(classes))),
    samples_text=(
        "The best checkpoint's class for each pixel laid over the image (left) beside the true mask (right), in "
        "each class's colour; the background and ignored pixels are left uncoloured."
    ),
    worst_text="The images with the lowest IoU of their own.",
    none_wrong="Every pixel of every image has its true class.",
)
