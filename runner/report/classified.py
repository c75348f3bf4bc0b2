"""A classification run's sections, from its best checkpoint's predictions on the validation
images: the confusion matrix with per-class figures and the top confusions, samples and the worst
mistakes, Grad-CAM and feature maps, and calibration."""

from pathlib import Path

import numpy as np

from runner.backends.inference import Inference
from runner.report import figures, insight, page, scores
from runner.report.predictions import SEED, Predictions, predict

LIMIT = 10_000  # validation images predicted; a larger split is sampled
SECTIONS = (
    ("confusion", "Confusion matrix"),
    ("samples", "Samples"),
    ("gradcam", "Grad-CAM"),
    ("features", "Feature maps"),
    ("calibration", "Calibration"),
)


def gather(inference: Inference, samples: int) -> Predictions:
    return predict(inference, LIMIT)


def shown(inference: Inference, p: Predictions, out: Path, samples: int) -> list[str]:
    classes = inference.classes
    counts = scores.confusion(p.labels, p.predicted, len(classes))
    figures_of = per_class_table(counts, classes)
    on = f"on {len(p.labels)} validation images" + (
        f" (a seeded sample of {p.total})" if len(p.labels) < p.total else ""
    )
    top = [[f"{classes[t]} → {classes[q]}", c] for t, q, c in scores.top_confusions(counts)]
    confusion = page.section(
        "confusion",
        "Confusion matrix",
        page.paragraph(f"The best checkpoint's predictions {on}; rows are the true class."),
        page.image(figures.confusion(counts, classes, out / "confusion.png"), "confusion matrix"),
        "<h3>Per class</h3>" + figures_of,
        "<h3>Top confusions</h3>"
        + (page.table(["true → predicted", "images"], top) if top else page.paragraph("None: no image was wrong.")),
    )
    chosen = np.sort(np.random.default_rng(SEED).choice(len(p.labels), min(samples, len(p.labels)), replace=False))
    wrong = np.flatnonzero(p.predicted != p.labels)
    worst = wrong[np.argsort(-p.confidence[wrong], kind="stable")][:samples]
    sample_parts = [page.image(_grid(p, chosen, classes, out / "samples.png"), "sample predictions")]
    sample_parts += [
        "<h3>Worst mistakes</h3>",
        page.paragraph("The wrong predictions made with the most confidence."),
        page.image(_grid(p, worst, classes, out / "mistakes.png"), "worst mistakes")
        if len(worst)
        else page.paragraph("No image was predicted wrongly."),
    ]
    calibration = scores.calibration(p.labels, p.probabilities)
    calibrated = page.section(
        "calibration",
        "Calibration",
        page.paragraph(
            f"Expected calibration error {calibration.ece:.4f} over {scores.CALIBRATION_BINS} confidence bins: "
            "how far the confidence the network gives is from the accuracy it has."
        ),
        page.image(figures.reliability(calibration, out / "calibration.png"), "reliability diagram"),
    )
    looked = insight.sections(inference, p, chosen, worst, classes, out)
    return [confusion, page.section("samples", "Samples", *sample_parts), *looked, calibrated]


def per_class_table(counts: np.ndarray, classes: tuple[str, ...]) -> str:
    pc = scores.per_class(counts)
    rows = [[c, pc.precision[i], pc.recall[i], pc.f1[i], int(pc.support[i])] for i, c in enumerate(classes)]
    return page.table(["class", "precision", "recall", "F1", "images"], rows)


def _grid(p: Predictions, chosen: np.ndarray, classes: tuple[str, ...], path: Path) -> str:
    titles = [f"{classes[p.labels[i]]} → {classes[p.predicted[i]]} {p.confidence[i]:.0%}" for i in chosen]
    right = [bool(p.labels[i] == p.predicted[i]) for i in chosen]
    return figures.grid([p.image(int(i)) for i in chosen], titles, right, path)
