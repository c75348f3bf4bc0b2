"""The report's sections on where the network looks (Grad-CAM on the sample images and the worst
mistakes, for the class it predicted) and what it sees (the first layer's filters, one image's
activations at a few depths), from the backend's `sight`."""

from pathlib import Path

import numpy as np

from runner.backends.inference import Inference, Sight
from runner.report import figures, page
from runner.report.predictions import Predictions

SHOWN = 16  # samples overlaid, then as many of the worst mistakes


def sections(
    inference: Inference, p: Predictions, samples: np.ndarray, worst: np.ndarray, classes, out: Path
) -> list[str]:
    from runner import backends

    chosen = np.concatenate([samples[:SHOWN], worst[:SHOWN]]).astype(int)
    if not len(chosen):
        return [page.section("gradcam", "Grad-CAM", page.missing("no validation images"))]
    images = np.stack([p.network_image(i) for i in chosen])
    sight = backends.sight(inference, images, p.predicted[chosen])
    if sight.heat is None:
        gradcam = page.missing(f"not available for this backbone: {sight.why}")
    else:
        titles = [f"{classes[p.labels[i]]} → {classes[p.predicted[i]]}" for i in chosen]
        right = [bool(p.labels[i] == p.predicted[i]) for i in chosen]
        shown = [image.transpose(1, 2, 0) for image in images]
        gradcam = page.paragraph(
            f"Where the network looks for the class it predicts (Grad-CAM on layer {sight.layer}, "
            f"for {images.shape[2]}x{images.shape[3]} inputs): the first {len(samples[:SHOWN])} samples, "
            f"then the {len(worst[:SHOWN])} worst mistakes."
        ) + page.image(figures.grid(shown, titles, right, out / "gradcam.png", heat=sight.heat), "Grad-CAM")
    return [page.section("gradcam", "Grad-CAM", gradcam), features(sight, out)]


def features(sight: Sight, out: Path) -> str:
    """The section of the first layer's filters and one image's activations at a few depths."""
    parts = []
    if sight.filters is not None:
        parts += [
            "<h3>First layer's filters</h3>",
            page.image(figures.filters(sight.filters, out / "filters.png"), "first layer filters"),
        ]
    if sight.depths:
        parts += [
            "<h3>Activations of one image, shallow to deep</h3>",
            page.image(figures.activations(sight.depths, out / "activations.png"), "activations"),
        ]
    shown = parts or [page.missing("this network has no convolution to show")]
    return page.section("features", "Feature maps", *shown)
