"""A sweep's directory, `<log.dir>/<name>-sweep/`: sweep.json (the study's name and storage, the
recipe and overrides it searches), recipe.yaml (the recipe as given), study.db (the default
SQLite storage), one run directory per trial (trial-000, ...), plots/ and best.yaml."""

import json
from pathlib import Path

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.run import atomic

SWEEP = "sweep.json"
RECIPE = "recipe.yaml"
DATABASE = "study.db"
PLOTS = "plots"


def of(recipe: dict) -> Path:
    """Where a recipe's sweep lives (`recipe`: the normalized recipe)."""
    return Path(recipe["log"]["dir"]) / f"{recipe['name']}-sweep"


def storage_url(recipe: dict, folder: Path) -> str:
    return recipe["sweep"]["storage"] or f"sqlite:///{(folder / DATABASE).absolute()}"


def study_name(recipe: dict) -> str:
    return recipe["sweep"]["study"] or recipe["name"]


def trial_folder(number: int) -> str:
    return f"trial-{number:03d}"


def is_sweep(path: Path) -> bool:
    return (Path(path) / SWEEP).is_file()


def make(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunFailed(f"log.dir: cannot create {folder} ({e.strerror or e}); choose a writable directory") from None


def write(folder: Path, recipe, storage: str, study: str) -> None:
    """Record what the sweep searches, so --status, --best and the trials need only the directory
    (the study itself refuses a process that joins with another recipe)."""
    make(folder)
    record = {"study": study, "storage": storage, "recipe": str(recipe.path), "overrides": recipe.overrides}
    try:
        atomic.write_text(folder / RECIPE, recipe.text)
        atomic.write_text(folder / SWEEP, json.dumps(record, indent=2) + "\n")
    except OSError as e:
        raise RunFailed(f"log.dir: cannot write in {folder} ({e.strerror or e}); choose a writable directory") from None


def read(folder: Path) -> dict:
    try:
        record = reading.read_json(Path(folder) / SWEEP)
    except (OSError, ValueError) as e:
        raise RunFailed(f"{folder} is not a sweep's directory ({e}); give the one `runner sweep` printed") from None
    if not isinstance(record, dict) or not {"study", "storage", "overrides"} <= set(record):
        raise RunFailed(f"{Path(folder) / SWEEP} is damaged; run `runner sweep RECIPE` again to rewrite it")
    return record
