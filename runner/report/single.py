"""One run's page, RUN_DIR/report/index.html: the header (recipe, result, status, provenance),
the curves, then what the run's best checkpoint predicts on the validation images: confusion
matrix and per-class figures, samples and the worst mistakes, and calibration. A part the run
directory cannot give (no metrics yet, no checkpoint, data not on this machine) is marked
missing with its reason, and the reason is returned as a warning."""

from pathlib import Path

import numpy as np

from runner.backends.inference import Inference
from runner.recipe import reading
from runner.recipe.errors import RecipeInvalid, RunFailed
from runner.report import figures, insight, page, scores
from runner.report.predictions import SEED, Predictions, predict
from runner.run import layout, record

SAMPLES = 32  # sample predictions, and as many worst mistakes
LIMIT = 10_000  # validation images predicted; a larger split is sampled
PREDICTED = (
    ("confusion", "Confusion matrix"),
    ("samples", "Samples"),
    ("gradcam", "Grad-CAM"),
    ("features", "Feature maps"),
    ("calibration", "Calibration"),
)


def build(run_dir: Path, out: Path | None = None, samples: int = SAMPLES) -> tuple[Path, list[str]]:
    """Write the page and its images into `out` (default RUN_DIR/report); its path and warnings."""
    run = record.read(run_dir)
    out = out or Path(run_dir) / "report"
    out.mkdir(parents=True, exist_ok=True)
    warnings = list(run.warnings)
    sections = [header(run), curves(run, out, warnings)]
    inference, predictions = _predictions(run_dir, warnings)
    if predictions is None:
        why = "needs the run's best checkpoint and its validation images: " + warnings[-1]
        for anchor, title in PREDICTED:
            sections.append(page.section(anchor, title, page.missing(why)))
    else:
        sections += predicted(inference, predictions, out, samples)
    index = out / "index.html"
    index.write_text(page.document(f"{run.name}: runner report", sections, warnings))
    return index, warnings


def header(run: record.RunRecord) -> str:
    summary = run.summary or {}
    seconds = sum(r["seconds"] for r in run.rows if isinstance(r.get("seconds"), float))
    facts = [
        ["status", run.status],
        ["backend", run.get("backend", default="?")],
        ["dataset", run.get("data", "dataset", default="?")],
        ["backbone", run.get("model", "backbone", default="?")],
        ["epochs", f"{run.epochs_done} of {run.get('train', 'epochs', default='?')}"],
        ["training time", f"{seconds:.1f} s"],
        # Lightning also logs each metric as <name>_epoch: the same number twice
        *[[k, v] for k, v in summary.items() if isinstance(v, float) and not k.endswith("_epoch")],
        ["best checkpoint", summary.get("best_checkpoint") or "-"],
        ["started", run.provenance.get("started", "?")],
        ["overrides", " ".join(run.overrides) or "none"],
    ]
    provenance = run.provenance
    git = provenance.get("git") or {}
    packages = provenance.get("packages") or {}
    hardware = provenance.get("hardware") or {}
    made = [
        ["commit", f"{git.get('commit', '?')}{' (uncommitted changes)' if git.get('dirty') else ''}" if git else "-"],
        ["python", provenance.get("python", "?")],
        *[[name, version] for name, version in packages.items() if version],
        *[[k, ", ".join(v) if isinstance(v, list) else v] for k, v in hardware.items()],
    ]
    try:
        resolved = reading.read_text(run.path / layout.RESOLVED, reading.RECIPE)
    except (OSError, ValueError):
        resolved = "(resolved.yaml cannot be read)"
    return (
        f'<header id="header"><h1>{page.escape(run.name)}</h1>'
        + page.paragraph(str(run.get("description", default="")), muted=True)
        + page.table(["", ""], facts)
        + "<details><summary>provenance</summary>"
        + page.table(["", ""], made)
        + "</details>"
        + page.details("resolved recipe", resolved)
        + "</header>"
    )


def curves(run: record.RunRecord, out: Path, warnings: list[str]) -> str:
    if not run.rows:
        return page.section("curves", "Curves", page.missing("metrics.csv has no epochs yet"))
    name = figures.curves({run.name: run.rows}, out / "curves.png")
    return page.section("curves", "Curves", page.image(name, "training curves"))


def predicted(inference: Inference, p: Predictions, out: Path, samples: int) -> list[str]:
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
    shown = np.sort(np.random.default_rng(SEED).choice(len(p.labels), min(samples, len(p.labels)), replace=False))
    wrong = np.flatnonzero(p.predicted != p.labels)
    worst = wrong[np.argsort(-p.confidence[wrong], kind="stable")][:samples]
    sample_parts = [page.image(_grid(p, shown, classes, out / "samples.png"), "sample predictions")]
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
    looked = insight.sections(inference, p, shown, worst, classes, out)
    return [confusion, page.section("samples", "Samples", *sample_parts), *looked, calibrated]


def per_class_table(counts: np.ndarray, classes: tuple[str, ...]) -> str:
    pc = scores.per_class(counts)
    rows = [[c, pc.precision[i], pc.recall[i], pc.f1[i], int(pc.support[i])] for i, c in enumerate(classes)]
    return page.table(["class", "precision", "recall", "F1", "images"], rows)


def _grid(p: Predictions, chosen: np.ndarray, classes: tuple[str, ...], path: Path) -> str:
    titles = [f"{classes[p.labels[i]]} → {classes[p.predicted[i]]} {p.confidence[i]:.0%}" for i in chosen]
    right = [bool(p.labels[i] == p.predicted[i]) for i in chosen]
    return figures.grid([p.image(int(i)) for i in chosen], titles, right, path)


def _predictions(run_dir: Path, warnings: list[str]) -> tuple[Inference | None, Predictions | None]:
    """The best checkpoint, loaded as `runner eval` loads it, and its predictions; None with a warning."""
    from runner import backends

    try:
        inference = backends.load_for_inference(Path(run_dir))
        return inference, predict(inference, LIMIT)
    except (RunFailed, RecipeInvalid, OSError, ValueError, NotImplementedError) as e:
        warnings.append(f"no predictions: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
        return None, None
