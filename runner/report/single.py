"""One run's page, RUN_DIR/report/index.html: the header (recipe, result, status, provenance),
the curves of its task's metrics, then what the run's best checkpoint predicts on the validation
images, in the sections of its task (runner.report.tasks): for a classifier the confusion matrix,
samples and worst mistakes, Grad-CAM, feature maps and calibration; for a detector or segmenter
AP or IoU per class, samples and worst images, and feature maps. A part the run directory cannot
give (no metrics yet, no checkpoint, data not on this machine) is marked missing with its reason,
and the reason is returned as a warning."""

from pathlib import Path

from runner.backends.inference import Inference
from runner.recipe import reading
from runner.recipe.errors import RecipeInvalid, RunFailed
from runner.report import figures, page
from runner.report.tasks import TASKS, ReportTask, panels, task_of
from runner.run import layout, record

SAMPLES = 32  # sample predictions, and as many worst mistakes


def build(run_dir: Path, out: Path | None = None, samples: int = SAMPLES) -> tuple[Path, list[str]]:
    """Write the page and its images into `out` (default RUN_DIR/report); its path and warnings."""
    run = record.read(run_dir)
    out = out or Path(run_dir) / "report"
    out.mkdir(parents=True, exist_ok=True)
    warnings = list(run.warnings)
    task = TASKS[task_of(run)]
    sections = [header(run), curves(run, out, warnings)]
    inference, predictions = _predictions(run_dir, task, samples, warnings)
    if inference is None:
        why = "needs the run's best checkpoint and its validation images: " + warnings[-1]
        for anchor, title in task.sections:
            sections.append(page.section(anchor, title, page.missing(why)))
    else:
        sections += task.shown(inference, predictions, out, samples)
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
        ["task", task_of(run)],
        # a classifier's network is its backbone; a detector's or segmenter's its arch, on a backbone or not
        *[[key, run.get("model", key)] for key in ("arch", "backbone") if run.get("model", key, default="")],
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
    name = figures.curves({run.name: run.rows}, panels([task_of(run)]), out / "curves.png")
    return page.section("curves", "Curves", page.image(name, "training curves"))


def _predictions(run_dir: Path, task: ReportTask, samples: int, warnings: list[str]) -> tuple[Inference | None, object]:
    """The best checkpoint, loaded as `runner eval` loads it, and its predictions; None with a warning."""
    from runner import backends

    try:
        inference = backends.load_for_inference(Path(run_dir))
        return inference, task.gather(inference, samples)
    except (RunFailed, RecipeInvalid, OSError, ValueError, NotImplementedError) as e:
        warnings.append(f"no predictions: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
        return None, None
