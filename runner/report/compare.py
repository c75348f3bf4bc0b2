"""A comparison of several runs on one page: their curves overlaid, their results side by side, and
only the recipe keys whose values differ between them (what was changed between the copies). Runs
of different tasks are compared on the metrics they share (their losses, the learning rate)."""

from pathlib import Path

from runner.catalog.tasks import TASKS
from runner.report import figures, page
from runner.report.tasks import panels, task_of
from runner.run import record


def build(run_dirs: list[Path], out: Path) -> tuple[Path, list[str]]:
    runs = [record.read(p) for p in run_dirs]
    out.mkdir(parents=True, exist_ok=True)
    warnings = [f"{run.path}: {w}" for run in runs for w in run.warnings]
    labels, tasks = _labels(runs), [task_of(run) for run in runs]
    shown = shared_metrics(tasks)
    with_rows = {label: run.rows for label, run in zip(labels, runs) if run.rows}
    curves = (
        page.image(figures.curves(with_rows, panels(tasks), out / "curves.png"), "curves of every run")
        if with_rows
        else page.missing("no run has an epoch in metrics.csv yet")
    )
    mixed = (
        [
            page.paragraph(
                f"These runs learn different tasks ({', '.join(sorted(set(tasks)))}): only the metrics they all log "
                f"are compared ({', '.join(m for m in shown if m != 'best') or 'none'})."
            )
        ]
        if len(set(tasks)) > 1
        else []
    )
    results = [
        [label, task, run.status, f"{run.epochs_done}/{run.get('train', 'epochs', default='?')}"]
        + [_value(run, key) for key in shown]
        for label, task, run in zip(labels, tasks, runs)
    ]
    changed = differences([run.resolved for run in runs])
    diff = (
        page.table(["key", *labels], [[key, *values] for key, values in changed.items()])
        if changed
        else page.missing("the runs' recipes are the same")
    )
    sections = [
        f'<header id="header"><h1>Comparison of {len(runs)} runs</h1>'
        + page.table(["run", "directory"], [[label, str(run.path)] for label, run in zip(labels, runs)])
        + "</header>",
        page.section("curves", "Curves", *mixed, curves),
        page.section("results", "Results", page.table(["run", "task", "status", "epochs", *shown], results)),
        page.section("differences", "Recipe differences", diff),
    ]
    index = out / "index.html"
    index.write_text(page.document("runner report: comparison", sections, warnings))
    return index, warnings


def shared_metrics(tasks: list[str]) -> tuple[str, ...]:
    """The metrics every run's task logs, validation first, then each run's best score (of its own
    monitor) when they share one task."""
    names = [TASKS[t].metric_names for t in tasks]
    shared = [m for m in names[0] if all(m in n for n in names[1:])]
    ordered = sorted(shared, key=lambda m: not m.startswith("val"))  # stable: the catalog's order within
    return (*ordered, *(("best",) if len(set(tasks)) == 1 else ()))


def differences(recipes: list[dict]) -> dict[str, list[str]]:
    """key.path -> each recipe's value, for the keys whose values are not all the same."""
    flat = [dict(_leaves(r)) for r in recipes]
    keys = sorted(set().union(*flat))
    return {k: [f.get(k, "(absent)") for f in flat] for k in keys if len({f.get(k, "(absent)") for f in flat}) > 1}


def _leaves(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


def _labels(runs: list[record.RunRecord]) -> list[str]:
    """Each run's directory name, which is unique where names repeat."""
    return [run.path.name for run in runs]


def _value(run: record.RunRecord, key: str):
    value = (run.summary or {}).get(key)
    if value is None and run.rows:
        value = run.rows[-1].get(key)
    return value if isinstance(value, float) else "-"
