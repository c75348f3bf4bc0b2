"""One trial: the recipe with the trial's values as overrides, trained as a normal run into the
sweep's directory (`trial-007/`, its values in provenance.json and resolved.yaml, so `runner run
trial-007/resolved.yaml` trains it again), its metric reported to the pruner after every
validation. The objective Optuna calls, in this process or (--isolate) in a child process."""

import json
import math
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import optuna

from runner import backends
from runner.recipe.compile import compile_recipe
from runner.recipe.errors import RecipeInvalid, RunFailed
from runner.recipe.stages import Recipe, load_recipe
from runner.recipe.sweep_fit import without_sweep
from runner.run import record
from runner.run.lifecycle import Pruned
from runner.sweep import budget, folder, space


@dataclass
class Sweep:
    """What every trial of one process's sweep shares."""

    recipe: Recipe  # as loaded, with the sweep section
    folder: Path
    study: str
    storage: str
    budget: int
    isolate: bool = False

    @property
    def metric(self) -> str:
        return self.recipe.data["sweep"]["metric"]


class Reporter:
    """A run's watch: each validated value to the trial, and Pruned when the pruner says so."""

    def __init__(self, trial: optuna.Trial, metric: str, pruner: str, epochs: int):
        self.trial, self.metric, self.pruner, self.epochs = trial, metric, pruner, epochs

    def __call__(self, row: dict) -> None:
        value = row.get(self.metric)
        if value is None:
            return  # an epoch without validation
        self.trial.report(float(value), step=row["epoch"])
        if row["epoch"] + 1 < self.epochs and self.trial.should_prune():  # a finished trial stays finished
            raise Pruned(row["epoch"], f"{self.metric} {float(value):.4f}; the {self.pruner} pruner stopped it")


def objective(sweep: Sweep):
    def run(trial: optuna.Trial) -> float:
        budget.claim(trial)
        if budget.surplus(trial.study.get_trials(deepcopy=False), trial.number, sweep.budget):
            trial.set_user_attr(budget.SURPLUS, True)
            raise Surplus()
        run_dir = sweep.folder / folder.trial_folder(trial.number)
        try:
            values = space.suggest(trial, space.distributions(sweep.recipe.data))
            print(f"\ntrial {trial.number}: {' '.join(space.overrides(values))}", flush=True)
            return _judge(trial, isolated(sweep, trial) if sweep.isolate else train(sweep, trial, values))
        except optuna.TrialPruned:
            raise
        except KeyboardInterrupt:  # Ctrl-C: unfinished, failed without a reason; its values go again
            budget.retry(trial.study, trial)
            raise
        except Exception as e:  # RecipeInvalid, RunFailed, a NaN loss, a bug: recorded, and the sweep goes on
            trial.set_user_attr(budget.FAILURE, reason(e))
            print(f"trial {trial.number} failed: {reason(e)}", flush=True)
            raise
        finally:
            if run_dir.is_dir():  # a trial its values made invalid never had one
                trial.set_user_attr(budget.RUN_DIR, str(run_dir))

    return run


def reason(error: Exception) -> str:
    """An error's first line: what a failed trial records."""
    if isinstance(error, RecipeInvalid):
        return str(error.errors[0])
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class Surplus(Exception):
    """The trial came after the budget was claimed; it steps aside unrun."""


def train(sweep: Sweep, trial: optuna.Trial, values: dict) -> dict:
    """Train the trial here; {"value"}, {"pruned"} or {"stopped"} as the run ended."""
    data = sweep.recipe.data
    # The sweep's own overrides (its storage URL, which may hold a password) stay out of the run.
    kept = [o for o in sweep.recipe.overrides if not o.startswith("sweep.")]
    extra = [*space.overrides(values), f"log.dir={sweep.folder}"]
    recipe = load_recipe(sweep.recipe.path, [*kept, *extra], text=sweep.recipe.text, fit=False)
    recipe.data = without_sweep(recipe.data)
    recipe.context = {"sweep": {"study": sweep.study, "trial": trial.number, "params": values}}
    program = compile_recipe(recipe.data, recipe.lines)
    watch = Reporter(trial, sweep.metric, data["sweep"]["pruner"]["name"], program.loop.epochs)
    outcome = backends.train(recipe, program, watch=watch, folder=folder.trial_folder(trial.number))
    if outcome.stopped:
        return {"stopped": outcome.stopped}
    if outcome.pruned:
        return {"pruned": outcome.pruned}
    return {"value": record.read(outcome.path).best(sweep.metric)}


def isolated(sweep: Sweep, trial: optuna.Trial) -> dict:
    """Train the trial in a fresh process (`runner sweep --run-trial`), which reports to the same
    study; its result comes back as a JSON file."""
    answer = sweep.folder / f".trial-{trial.number}.json"
    command = [sys.executable, "-m", "runner", "sweep", str(sweep.folder), "--run-trial", str(trial._trial_id)]
    child = subprocess.Popen(command)
    try:
        child.wait()
    except KeyboardInterrupt:  # the child got the same Ctrl-C: it stops at its epoch's end
        child.wait()
        return {"stopped": signal.SIGINT}
    try:
        result = json.loads(answer.read_text())
    except (OSError, ValueError):
        raise RunFailed("the trial's process ended without a result (see its output above)") from None
    finally:
        answer.unlink(missing_ok=True)
    if "failure" in result:
        raise RunFailed(result["failure"])
    return result


def _judge(trial: optuna.Trial, result: dict) -> float:
    if "stopped" in result:  # at the end of an epoch, as Ctrl-C asked
        raise KeyboardInterrupt
    if "pruned" in result:
        raise optuna.TrialPruned(result["pruned"])
    value = result["value"]
    if value is None or not math.isfinite(value):
        raise RunFailed(f"the trial's metric is {value}; no finite validated value to judge it by")
    return value
