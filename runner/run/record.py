"""A run directory read back as what it says of its run: its recipe, provenance, epochs, summary
and status, for `runner runs` and `runner report`. Only the directory's own files are read, with
the bounded reader and no framework; a file that is missing or damaged (a run still going, one
from an older runner) leaves its part empty and adds a one-line warning, never an error."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from runner.recipe import load, reading
from runner.recipe.errors import RecipeInvalid
from runner.run import activity, layout


@dataclass
class RunRecord:
    path: Path
    resolved: dict = field(default_factory=dict)  # the recipe as run (resolved.yaml)
    provenance: dict = field(default_factory=dict)
    summary: dict | None = None
    rows: list[dict] = field(default_factory=list)  # metrics.csv, numbers as floats, blanks as None
    overrides: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def get(self, *keys, default=None):
        """A value of the resolved recipe by its key path, or `default`."""
        value = self.resolved
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    @property
    def name(self) -> str:
        return str(self.get("name", default=self.path.name))

    @property
    def epochs_done(self) -> int:
        return len(self.rows)

    @property
    def status(self) -> str:
        """finished, running, failed (with its reason) or interrupted (stopped, or killed)."""
        if self.summary is not None:
            return "finished"
        return activity.state(self.path) or "interrupted"

    def best(self, metric: str | None = None) -> float | None:
        """The summary's best score, or (for an unfinished run) the best of metrics.csv's column."""
        if metric is None and self.summary is not None and isinstance(self.summary.get("best"), (int, float)):
            return float(self.summary["best"])
        monitor = self.get("train", "checkpoint", "monitor", default="val_acc")
        metric = metric or monitor
        values = [r[metric] for r in self.rows if isinstance(r.get(metric), float)]
        if not values:
            return None
        mode = self.get("train", "checkpoint", "mode", default="max") if metric == monitor else None
        lower = mode == "min" if mode else metric.endswith("loss")
        return min(values) if lower else max(values)


def is_run_dir(path: Path) -> bool:
    return (Path(path) / layout.RESOLVED).is_file()


def read(path: Path) -> RunRecord:
    """The record of the run directory at `path` (which must hold resolved.yaml)."""
    record = RunRecord(Path(path))
    record.resolved = _part(record, layout.RESOLVED, _yaml) or {}
    record.provenance = _part(record, layout.PROVENANCE, reading.read_json) or {}
    summary = _part(record, layout.SUMMARY, reading.read_json, quiet=True)
    record.summary = summary if isinstance(summary, dict) else None
    record.rows = _part(record, layout.METRICS, _table) or []
    overrides = _part(record, layout.OVERRIDES, lambda p: reading.read_text(p, reading.RECIPE), quiet=True)
    record.overrides = [line for line in (overrides or "").splitlines() if line]
    return record


def _part(record: RunRecord, name: str, parse, quiet: bool = False):
    path = record.path / name
    if not path.exists():
        if not quiet:
            record.warnings.append(f"{name} is missing")
        return None
    try:
        return parse(path)
    except (OSError, ValueError, csv.Error) as e:
        record.warnings.append(f"{name} cannot be read ({str(e).splitlines()[0] if str(e) else type(e).__name__})")
        return None


def _yaml(path: Path) -> dict:
    """The resolved recipe as the loader reads any recipe: values as their text."""
    try:
        data, _ = load.parse(reading.read_text(path, reading.RECIPE), str(path))
    except RecipeInvalid as e:
        raise ValueError(e.errors[0].problem) from None
    return data if isinstance(data, dict) else {}


def _table(path: Path) -> list[dict]:
    rows = csv.DictReader(io.StringIO(reading.read_text(path, reading.TABLE)))
    return [{k: _number(v) for k, v in row.items() if k is not None} for row in rows]


def _number(text: str | None) -> float | None | str:
    if text in (None, ""):
        return None
    try:
        return float(text)
    except ValueError:
        return text
