"""The sweep's Optuna study in its storage: opened (created once, joined after), with the recipe's
sampler and pruner, its heartbeat on so that the trials of a process that died are found.

Several processes starting on an empty database race to create Optuna's tables and its version
row; the loser gets a unique-violation or duplicate-table error and simply tries again."""

import time
import warnings
from pathlib import Path

import optuna
import sqlalchemy.exc
from sqlalchemy.engine import make_url

from runner.catalog.search import pruners, samplers
from runner.recipe.errors import RunFailed
from runner.sweep import budget, space

# A process's running trial writes a heartbeat this often; one silent for GRACE_S has died.
RECIPE_ATTR = "runner.recipe"  # the study's recipe, flat: what a joining process must match
HEARTBEAT_S = 10
GRACE_S = 60
ATTEMPTS = 8

SAMPLERS = {
    "tpe": optuna.samplers.TPESampler,
    "random": optuna.samplers.RandomSampler,
    "cmaes": optuna.samplers.CmaEsSampler,
    "qmc": optuna.samplers.QMCSampler,
}
PRUNERS = {
    "median": optuna.pruners.MedianPruner,
    "hyperband": optuna.pruners.HyperbandPruner,
    "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
    "none": optuna.pruners.NopPruner,
}


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return url


def absolute(url: str) -> str:
    """A SQLite file's URL from any working directory (sqlite:///rel.db is relative to this one)."""
    try:
        parsed = make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise RunFailed(f"sweep.storage: {url!r} is not a database URL; e.g. postgresql://user@host:5432/db") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise RunFailed(f"sweep.storage: {url!r} keeps the study in memory only; name a file, sqlite:///sweep.db")
        return parsed.set(database=str(Path(parsed.database).absolute())).render_as_string(hide_password=False)
    return url


def storage(url: str) -> optuna.storages.RDBStorage:
    """Optuna's relational storage at `url`, its tables created when missing."""
    url = absolute(url)
    for attempt in range(ATTEMPTS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # the heartbeat's
                return optuna.storages.RDBStorage(
                    url,
                    heartbeat_interval=HEARTBEAT_S,
                    grace_period=GRACE_S,
                    heartbeat_stale_trial_callback=budget.retry,
                )
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError):
            time.sleep(0.2 * (attempt + 1))  # another process is creating the tables
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.DatabaseError) as e:
            cause = str(getattr(e, "orig", e)).strip().splitlines()[0]
            raise RunFailed(f"cannot reach the sweep's storage {shown(url)}: {cause}") from None
        except (sqlalchemy.exc.NoSuchModuleError, ImportError, ValueError) as e:
            raise RunFailed(f"sweep.storage {shown(url)}: {e}; use sqlite:/// or postgresql://") from None
    raise RunFailed(f"could not create the study's tables in {shown(url)} after {ATTEMPTS} tries")


def open_study(recipe: dict, url: str, name: str, epochs: int) -> optuna.Study:
    """Create the study, or join the one of that name, checking it seeks the same direction."""
    sweep = recipe["sweep"]
    study = optuna.create_study(
        storage=storage(url),
        study_name=name,
        direction=sweep["direction"],
        sampler=sampler(sweep["sampler"], space.distributions(recipe)),
        pruner=pruner(sweep["pruner"], epochs),
        load_if_exists=True,
    )
    created = study.direction.name.lower()
    if created != sweep["direction"]:
        raise RunFailed(
            f"study {name!r} in {shown(url)} was created to {created}, and this sweep would "
            f"{sweep['direction']} {sweep['metric']}; give sweep.study a new name"
        )
    _same_recipe(study, recipe, url)
    return study


def _same_recipe(study: optuna.Study, recipe: dict, url: str) -> None:
    """A process joins a study only with the recipe it began with (overrides applied): trials of
    different experiments must not share one budget or one best. Where each machine keeps its
    runs and data, and the budget, may differ."""
    mine = _flat({k: v for k, v in recipe.items() if k != "log"})
    for key in ("data.root", "sweep.storage", "sweep.trials"):
        mine.pop(key, None)
    known = study.user_attrs.get(RECIPE_ATTR)
    if known is None:
        study.set_user_attr(RECIPE_ATTR, mine)
        return
    differ = sorted(set(known) ^ set(mine) | {k for k in set(known) & set(mine) if known[k] != mine[k]})
    if differ:
        shown_ = "; ".join(
            f"{k}: {known.get(k, 'unset')} in the study, {mine.get(k, 'unset')} here" for k in differ[:3]
        )
        raise RunFailed(
            f"study {study.study_name!r} in {shown(url)} searches another recipe ({shown_}); "
            "continue it with the recipe and overrides it began with, or give sweep.study a new name"
        )


def _flat(value, path=()) -> dict:
    if isinstance(value, dict):
        return {k: v for key, inner in value.items() for k, v in _flat(inner, (*path, str(key))).items()}
    if isinstance(value, list):
        return {k: v for i, inner in enumerate(value) for k, v in _flat(inner, (*path, str(i))).items()}
    return {".".join(path): value}


def load(url: str, name: str) -> optuna.Study:
    """The study of that name, for reading back."""
    try:
        return optuna.load_study(study_name=name, storage=storage(url))
    except KeyError:
        raise RunFailed(f"no study {name!r} in {shown(url)}; `runner sweep RECIPE` starts it") from None


def sampler(section: dict, dists: dict) -> optuna.samplers.BaseSampler:
    params = samplers.get(section["name"]).function(**_params(section))
    if section["name"] == "grid":
        return optuna.samplers.GridSampler(space.grid(dists), **params)
    return SAMPLERS[section["name"]](**params)


def pruner(section: dict, epochs: int) -> optuna.pruners.BasePruner:
    params = pruners.get(section["name"]).function(**_params(section))
    if params.get("max_resource") == 0:
        params["max_resource"] = epochs
    return PRUNERS[section["name"]](**params)


def _params(section: dict) -> dict:
    return {k: v for k, v in section.items() if k != "name"}
