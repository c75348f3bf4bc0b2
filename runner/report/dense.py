"""A detection or segmentation run's sections, one Look (runner.report.looks) per task: the
per-class scores from the backend's evaluation (what `runner eval` prints), samples and the worst
images from the Inference's per-image predictions, and the feature maps. Grad-CAM and calibration
explain one class per image, which these tasks do not give: their sections say so. A backend whose
Inference cannot predict the task yet (no `predict`) gets its sections marked missing, naming it."""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.backends.inference import Inference
from runner.data import dense, order
from runner.data.pipeline import device_start
from runner.data.steps.dense import DenseTransform
from runner.report import dense_figures, insight, page
from runner.report.looks import Judged, Look
from runner.report.predictions import SEED

LIMIT = 1_000  # validation images judged for the worst ones; a larger split is sampled
BATCH = 16  # images predicted at once, all of one size
TILE = 128  # pixels per side of each picture: room for boxes and their labels
GRADCAM = (
    "Left out: Grad-CAM shows where a classifier looks for the one class it gives an image, and a "
    "detector's boxes or a segmenter's pixels have no such class."
)
CALIBRATION = (
    "Left out: calibration compares a classifier's confidence in each image's class with its accuracy, "
    "and this task gives no one class per image."
)


def sections(look: Look) -> tuple[tuple[str, str], ...]:
    """(anchor, heading) of the sections, in order."""
    return (
        ("classes", look.heading),
        ("samples", "Samples"),
        ("gradcam", "Grad-CAM"),
        ("features", "Feature maps"),
        ("calibration", "Calibration"),
    )


@dataclass(frozen=True)
class Seen:
    image: np.ndarray  # uint8 (3, H, W) through the eval steps before normalize
    target: dict  # in the same pixels
    prediction: object  # what Inference.predict gave
    judged: Judged


@dataclass
class Found:
    images: int  # in the validation split
    tally: object | None  # the backend's evaluation of them, None with `unscored`
    unscored: str
    judged: int  # images judged: all, or a seeded sample of LIMIT
    picked: list[Seen] | None  # the seeded samples shown; None with `unpredicted`
    worst: list[Seen]  # as many of the judged images with a mistake, the worst first
    unpredicted: str = ""


def gather(look: Look, inference: Inference, samples: int) -> Found:
    """The evaluation, and each validation image (as the network sees it, its target in the same
    pixels) predicted and judged, keeping `samples` seeded ones and the `samples` worst."""
    from runner import backends

    program = inference.program
    found, program = dense.split(program)
    steps, task = program.augment.stage("eval"), program.task.name
    val = dense.DenseSamples(found.val, task, DenseTransform(steps[: device_start(steps)], task), found.ignore_index)
    try:
        tally, unscored = backends.evaluate(inference, "val"), ""
    except NotImplementedError as e:
        tally, unscored = None, f"the {program.backend} backend cannot score {task} yet ({e})"
    if tally is not None and tally.kind != task:  # a backend whose evaluation counts classes of images
        tally, unscored = None, f"the {program.backend} backend cannot score {task} yet (it counts {tally.kind})"
    chosen = order.sample(len(val), LIMIT, SEED)
    if inference.predict is None:
        why = f"the {program.backend} backend cannot predict {task} images yet (its Inference has no predict)"
        return Found(len(val), tally, unscored, len(chosen), None, [], why)
    shown = set(np.random.default_rng(SEED).choice(len(chosen), min(samples, len(chosen)), replace=False).tolist())
    picked, worst, classes = [], [], len(inference.classes)
    for k, (image, target, prediction) in enumerate(predicted(inference, val, chosen)):
        seen = Seen(image, target, prediction, look.judge(prediction, target, classes))
        if k in shown:
            picked.append(seen)
        if seen.judged.badness > 0:  # a min-heap of the worst; on a tie the earlier image stays
            heapq.heappush(worst, (seen.judged.badness, -k, seen))
            if len(worst) > samples:
                heapq.heappop(worst)
    worst = [seen for _, _, seen in sorted(worst, key=lambda w: (-w[0], -w[1]))]
    return Found(len(val), tally, unscored, len(chosen), picked, worst)


def predicted(inference: Inference, samples: dense.DenseSamples, indices) -> Iterator[tuple]:
    """(image, target, prediction) of each of `indices`, in order, predicted in batches of images
    of one size."""
    batch = []
    for i in indices:
        image, target = samples[int(i)]
        if batch and (len(batch) == BATCH or batch[0][0].shape != image.shape):
            yield from _predict(inference, batch)
            batch = []
        batch.append((image, target))
    if batch:
        yield from _predict(inference, batch)


def _predict(inference: Inference, batch: list[tuple]) -> Iterator[tuple]:
    found = inference.predict(np.stack([image for image, _ in batch]))
    for (image, target), prediction in zip(batch, found):
        yield image, target, prediction


def shown(look: Look, inference: Inference, found: Found, out: Path, samples: int) -> list[str]:
    classes = inference.classes
    if found.tally is None:
        scored = [page.missing(found.unscored)]
    else:
        scored = look.scored(found.tally, classes, found.images, out)
    parts = [page.section("classes", look.heading, *scored)]
    if found.picked is None:
        parts += [
            page.section("samples", "Samples", page.missing(found.unpredicted)),
            page.section("gradcam", "Grad-CAM", page.missing(GRADCAM)),
            page.section("features", "Feature maps", page.missing(found.unpredicted)),
        ]
    else:
        parts += _pictures(look, inference, found, out)
    return [*parts, page.section("calibration", "Calibration", page.missing(CALIBRATION))]


def _pictures(look: Look, inference: Inference, found: Found, out: Path) -> list[str]:
    """The samples and worst images section, then Grad-CAM's note and the feature maps."""
    from runner import backends

    sampled = f", themselves a seeded sample of {found.images}" if found.judged < found.images else ""
    on = f"Shown: {len(found.picked)} of the {found.judged} validation images, a seeded choice{sampled}."
    parts = [page.paragraph(f"{look.samples_text} {on}")]
    parts.append(page.image(_mosaic(look, inference, found.picked, out / "samples.png"), "sample predictions"))
    parts += ["<h3>Worst mistakes</h3>", page.paragraph(look.worst_text)]
    if found.worst:
        parts.append(page.image(_mosaic(look, inference, found.worst, out / "mistakes.png"), "worst mistakes"))
    else:
        parts.append(page.paragraph(look.none_wrong))
    features = (
        insight.features(backends.sight(inference, found.picked[0].image[None], None), out)
        if found.picked
        else page.section("features", "Feature maps", page.missing("no validation images"))
    )
    gradcam = page.section("gradcam", "Grad-CAM", page.missing(GRADCAM))
    return [page.section("samples", "Samples", *parts), gradcam, features]


def _mosaic(look: Look, inference: Inference, seen: list[Seen], path: Path) -> str:
    classes = inference.classes
    drawn = [look.draw(s.image, s.prediction, s.target, classes, TILE) for s in seen]
    colours = look.palette(len(classes))
    legend = [(classes[c], colours[c]) for c in look.legend(classes)]
    return dense_figures.pairs(drawn, [s.judged.title for s in seen], [s.judged.colour for s in seen], legend, path)
