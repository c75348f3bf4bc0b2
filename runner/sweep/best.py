"""`runner sweep --best`: the sweep's recipe with the best trial's values in place and without its
sweep section, as a file `runner run` takes."""

from pathlib import Path

import optuna

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.recipe.stages import Recipe, load_recipe
from runner.recipe.sweep_fit import without_sweep
from runner.recipe.yaml_writer import dump
from runner.sweep import space, table

HEADER = "# Written by `runner sweep --best`"


def write(recipe: Recipe, study: optuna.Study, out: Path) -> Path:
    """best.yaml from the sweep's recipe (as read back) and its study."""
    top = table.best(study)
    if top is None:
        raise RunFailed(f"no trial of study {study.study_name!r} has completed yet; see runner sweep --status")
    if out.is_dir() or (out.exists() and not _ours(out)):
        raise RunFailed(f"{out} exists and was not written by runner sweep --best; give --output another path")
    kept = [o for o in recipe.overrides if not o.startswith("sweep.")]  # a storage URL may hold a password
    values = space.overrides(top.params)
    best = load_recipe(recipe.path, [*kept, *values], text=recipe.text, fit=False)
    metric = best.data["sweep"]["metric"]
    text = (
        f"{HEADER} from trial {top.number} of study {study.study_name!r} ({metric} {top.value:.4f}).\n"
        f"# Its values: {' '.join(values)}\n"
        f"# Run: runner run {out}\n" + dump(without_sweep(best.data))
    )
    try:
        out.write_text(text)
    except OSError as e:
        raise RunFailed(f"--output: cannot write {out} ({e.strerror or e}); give a path in a writable folder") from None
    return out


def _ours(path: Path) -> bool:
    """Whether an existing file is one --best wrote (so writing it again loses nothing)."""
    try:
        return reading.read_text(path, reading.RECIPE).startswith(HEADER)
    except (OSError, ValueError, reading.Unreadable):
        return False
