"""What one `runner sweep` process does: open (or join) the study, then ask for trials and train
them until the budget is spent, waiting while other processes finish the last ones, and trying
again the trials of processes that died; then draw the study's plots and name the best trial."""

import json
import shlex
import sys
import time
import warnings
from pathlib import Path

import optuna

from runner.recipe.errors import RunFailed
from runner.recipe.stages import Recipe, load_recipe
from runner.sweep import budget, folder, plots, space, table
from runner.sweep.study import absolute, open_study, shown
from runner.sweep.trial import Surplus, Sweep, objective, reason, train

POLL_S = 2.0  # while other processes run the last trials


def sweep(recipe: Recipe, isolate: bool = False) -> int:
    """Run trials of the recipe's study until it has its budget of finished trials."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # runner prints each trial's line itself
    data = recipe.data
    where = folder.of(data)
    url, name = absolute(folder.storage_url(data, where)), folder.study_name(data)
    if not data["sweep"]["storage"]:
        folder.make(where)  # the default storage lives in it
    study = _open(data, url, name)  # an unreachable or mismatched study leaves nothing behind
    folder.write(where, recipe, url, name)
    trials = _budget(data)
    setup = Sweep(recipe, where, name, url, trials, isolate)
    print(f"sweep dir: {where}\nstudy {name!r} in {shown(url)}: {trials} trials, {_summary(data)}", flush=True)
    waiting_said = False
    while True:
        if budget.reclaim(study):
            print("tried again: the trials of a process that is gone", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)  # a process elsewhere that went silent
        done, running, queued = budget.tally(study.get_trials(deepcopy=False))
        if done >= trials:
            break
        if not queued and done + running >= trials:
            if not waiting_said:
                print(f"waiting for {running} running trials of other processes", flush=True)
                waiting_said = True
            time.sleep(POLL_S)
            continue
        try:
            study.optimize(objective(setup), n_trials=1, catch=(Exception,), gc_after_trial=False)
        except KeyboardInterrupt:
            again = shlex.join(["runner", *sys.argv[1:]])
            print(f"sweep stopped; the same command continues it: {again}", flush=True)
            raise
    _end(study, where, data)
    return 0


def _open(data: dict, url: str, name: str) -> optuna.Study:
    return open_study(data, url, name, data["train"]["epochs"])


def _budget(data: dict) -> int:
    trials = data["sweep"]["trials"]
    if data["sweep"]["sampler"]["name"] != "grid":
        return trials
    size = space.grid_size(space.distributions(data))
    if size < trials:
        print(f"the grid has {size} points: the sweep runs {size} trials, not {trials}")
    return min(size, trials)


def _summary(data: dict) -> str:
    s = data["sweep"]
    keys = ", ".join(map(str, s["params"]))
    return f"{s['direction']} {s['metric']} over {keys}; {s['sampler']['name']} sampler, {s['pruner']['name']} pruner"


def _end(study: optuna.Study, where: Path, data: dict) -> None:
    drawn = plots.write(study, where / folder.PLOTS, data["sweep"]["metric"])
    print(table.render(study, data["sweep"]["metric"]))
    if table.best(study) is None:
        raise RunFailed(f"no trial completed; their reasons are above and in `runner sweep --status {where}`")
    if drawn:
        print(f"plots: {where / folder.PLOTS}")
    print(f"best recipe: runner sweep --best {where}")


def run_trial(where: Path, trial_id: int) -> int:
    """--isolate's child: train trial `trial_id` of the sweep in `where`, reporting to its study,
    and leave the result where the parent reads it."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    record = folder.read(where)
    recipe = load_recipe(record["recipe"], record["overrides"], text=(where / folder.RECIPE).read_text(), fit=False)
    study = _open(recipe.data, record["storage"], record["study"])
    trial = optuna.trial.Trial(study, trial_id)
    setup = Sweep(recipe, where, record["study"], record["storage"], recipe.data["sweep"]["trials"])
    try:
        result = train(setup, trial, trial.params)
    except (Surplus, RunFailed, Exception) as e:
        result = {"failure": reason(e)}
    (where / f".trial-{trial.number}.json").write_text(json.dumps(result))
    return 0
