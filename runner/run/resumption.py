"""What `runner resume` may change in a run, decided before any framework loads. The checkpoints
were trained with the recipe provenance.json records; resolved.yaml must still say the same, so
a hand-edited one is refused, naming the keys. A finished run is left as it is. Training longer
is the one change a resume takes, as `train.epochs=N` on its command line: it is written into
resolved.yaml, overrides.txt and provenance.json, so the directory still reproduces the run."""

import json
from pathlib import Path

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.recipe.yaml_writer import dump
from runner.run import atomic, layout

CHANGEABLE = "train.epochs"  # every other key shaped the checkpoints already written


def trained_with(run_dir) -> dict | None:
    """The normalized recipe the run's checkpoints were trained with; None for runs from before
    provenance.json recorded it."""
    try:
        provenance = reading.read_json(run_dir / layout.PROVENANCE)
    except (OSError, ValueError):
        return None
    recorded = provenance.get("resolved") if isinstance(provenance, dict) else None
    return recorded if isinstance(recorded, dict) else None


def check_unedited(run_dir, data: dict) -> None:
    """Refuse a resolved.yaml that no longer says what the checkpoints were trained with."""
    recorded = trained_with(run_dir)
    if recorded is None:
        return
    was, now = dict(_leaves(recorded)), dict(_leaves(data))
    changed = [k for k in sorted(was.keys() | now.keys()) if was.get(k) != now.get(k)]
    if changed:
        shown = "; ".join(f"{k}: {was.get(k)!r} when trained, {now.get(k)!r} now" for k in changed)
        raise RunFailed(
            f"{run_dir / layout.RESOLVED} was edited since the run started ({shown}); the checkpoints "
            f"were trained with the recipe as it was, so put it back. To train longer: "
            f"runner resume {run_dir} {CHANGEABLE}=N; for anything else start a new run: "
            f"runner run {run_dir / layout.RESOLVED} key=value"
        )


def only_changeable(run_dir, overrides: list[str]) -> None:
    for override in overrides:
        key = override.split("=", 1)[0]
        if key != CHANGEABLE:
            raise RunFailed(
                f"{override}: a resume can change only {CHANGEABLE} (the checkpoints were trained with "
                f"the rest); for a different {key}, start a new run: runner run {run_dir / layout.RESOLVED} {override}"
            )


def finished(run_dir, epochs: int) -> dict | None:
    """The run's summary when it has one covering `epochs` epochs: nothing is left to train."""
    try:
        summary = reading.read_json(run_dir / layout.SUMMARY)
    except (OSError, ValueError):
        return None
    done = summary.get("epochs") if isinstance(summary, dict) else None
    return summary if isinstance(done, int) and done >= epochs else None


def longer(recipe, before: int) -> bool:
    """Whether the resume's train.epochs (the run was set to `before`) trains the run longer;
    fewer is refused."""
    epochs = recipe.data["train"]["epochs"]
    if epochs < before:
        raise RunFailed(
            f"{CHANGEABLE}={epochs}: the run is set to train {before} epochs, and a resume can only "
            f"train longer; score what it has with: runner eval {Path(recipe.path).parent}"
        )
    return epochs > before


def record_longer(run_dir, recipe) -> None:
    """Write the raised train.epochs into the run's files, once the resume has its checkpoint; the
    run is no longer finished."""
    override = f"{CHANGEABLE}={recipe.data['train']['epochs']}"
    resolved = run_dir / layout.RESOLVED
    header = "".join(
        line for line in reading.read_text(resolved, reading.RECIPE).splitlines(keepends=True) if line.startswith("#")
    )
    atomic.write_text(resolved, f"{header}# resumed with {override}\n{dump(recipe.data)}")
    with (run_dir / layout.OVERRIDES).open("a") as f:
        f.write(f"{override}\n")
    provenance = reading.read_json(run_dir / layout.PROVENANCE)
    provenance["resolved"] = recipe.data
    provenance["overrides"] = [*provenance.get("overrides", []), override]
    atomic.write_text(run_dir / layout.PROVENANCE, json.dumps(provenance, indent=2) + "\n")
    (run_dir / layout.SUMMARY).unlink(missing_ok=True)


def _leaves(data, prefix: str = ""):
    """(key.path, value) for every scalar and list in nested mappings."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}.")
        else:
            yield path, value
