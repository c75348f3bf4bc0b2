"""`runner sweep --best`: the sweep's recipe with the best trial's values in place and without its
sweep section, as a file `runner run` takes."""

from pathlib import Path

from runner.recipe.errors import RunFailed
from runner.recipe.stages import load_recipe
from runner.recipe.sweep_fit import without_sweep
from runner.recipe.yaml_writer import dump
from runner.sweep import folder, space, table
from runner.sweep.study import load

HEADER = "# Written by `runner sweep --best`"


def write(where: Path, out: Path) -> Path:
    record = folder.read(where)
    study = load(record["storage"], record["study"])
    top = table.best(study)
    if top is None:
        raise RunFailed(f"no trial of {where} has completed yet; see `runner sweep --status {where}`")
    if out.exists() and not out.read_text(errors="replace").startswith(HEADER):
        raise RunFailed(f"{out} exists and was not written by runner sweep --best; give --output another path")
    recipe = load_recipe(str(where / folder.RECIPE), [*record["overrides"], *space.overrides(top.params)])
    metric = recipe.data["sweep"]["metric"]
    text = (
        f"{HEADER} from trial {top.number} of study {record['study']!r} ({metric} {top.value:.4f}).\n"
        f"# Its values: {' '.join(space.overrides(top.params))}\n"
        f"# Run: runner run {out}\n" + dump(without_sweep(recipe.data))
    )
    out.write_text(text)
    return out
