"""The check every export passes before it is called done: the exported model, run on the
validation images through the framework-free preprocessing, against the framework's own network
through the run's eval pipeline. A classifier's probabilities may differ by at most TOLERANCE and
its top-1 class must agree on every image; a segmenter's class must agree on every pixel; a
detector must find as many boxes of the same classes in every image, their scores within
TOLERANCE and their corners within TOLERANCE of the image's longer side."""

from dataclasses import asdict, dataclass

import numpy as np

TOLERANCE = 1e-4  # float32 round-off across the two runtimes' kernels stays well below this


@dataclass
class Check:
    images: int
    source: str  # "validation images" or "stand-in images (why)"
    output: str  # the output compared
    max_abs_diff: float  # classification: largest |difference| of a probability
    agreement: float  # share of images (classification: top-1) or pixels (segmentation) that agree
    worst_image: int  # index of the image with the largest difference (or most disagreement)
    worst_diff: float
    tolerance: float = TOLERANCE

    @property
    def passed(self) -> bool:
        return self.max_abs_diff <= self.tolerance and self.agreement == 1.0

    def figures(self) -> dict:
        return {**asdict(self), "passed": self.passed}

    def line(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        if self.output == "detections":
            return (
                f"verified on {self.images} {self.source}: boxes and scores max |diff| {self.max_abs_diff:.2e} "
                f"(tolerance {self.tolerance:.0e}), same detections on {self.agreement:.2%} of images: {verdict}"
            )
        if self.output == "labels":
            return f"verified on {self.images} {self.source}: pixel agreement {self.agreement:.4%}: {verdict}"
        return (
            f"verified on {self.images} {self.source}: {self.output} max |diff| {self.max_abs_diff:.2e} "
            f"(tolerance {self.tolerance:.0e}), top-1 agreement {self.agreement:.2%}: {verdict}"
        )

    def failure(self) -> str:
        return (
            f"the export does not match the framework: {self.output} of image {self.worst_image} differs by "
            f"{self.worst_diff:.3g} (tolerance {self.tolerance:.0e}); agreement {self.agreement:.2%}"
        )


def compare(reference: list, exported: list, task: str, source: str) -> Check:
    """Per-image framework answers against the exported model's: probability vectors (classes,),
    class maps (H, W), or (boxes, labels, scores) of one image."""
    if task == "detection":
        return _detections(reference, exported, source)
    if task == "classification":
        output = "probabilities"
        diffs = [
            float(np.abs(np.asarray(r, np.float64) - np.asarray(e, np.float64)).max())
            for r, e in zip(reference, exported)
        ]
        agree = [int(np.argmax(r)) == int(np.argmax(e)) for r, e in zip(reference, exported)]
        worst = int(np.argmax(diffs))
        return Check(len(diffs), source, output, max(diffs), float(np.mean(agree)), worst, diffs[worst])
    shares = [  # segmentation
        float(np.mean(np.asarray(r) != np.asarray(e))) if np.shape(r) == np.shape(e) else 1.0
        for r, e in zip(reference, exported)
    ]
    worst = int(np.argmax(shares))
    return Check(len(shares), source, "labels", 0.0, 1.0 - float(np.mean(shares)), worst, shares[worst])


def _detections(reference: list, exported: list, source: str) -> Check:
    diffs, agree = [], []
    for (boxes, labels, scores), (e_boxes, e_labels, e_scores) in zip(reference, exported):
        same = len(labels) == len(e_labels) and bool(np.array_equal(labels, e_labels))
        agree.append(same)
        side = max(float(np.max(boxes, initial=1.0)), 1.0)  # the farthest corner: about the image's extent
        diffs.append(
            max(
                float(np.abs(np.asarray(scores) - e_scores).max(initial=0.0)),
                float(np.abs(np.asarray(boxes) - e_boxes).max(initial=0.0)) / side,
            )
            if same
            else float("inf")
        )
    worst = int(np.argmax(diffs))
    return Check(len(diffs), source, "detections", max(diffs), float(np.mean(agree)), worst, diffs[worst])
