"""`runner sweep --status`: the study's trials as a table (number, state, values, metric, run
directory) and its best trial, read from the storage alone."""

import optuna
from optuna.trial import FrozenTrial, TrialState

from runner.sweep import budget


def state(t: FrozenTrial) -> str:
    """What became of a trial, in the sweep's words."""
    if budget.SURPLUS in t.user_attrs:
        return "surplus"
    if t.state == TrialState.FAIL and budget.FAILURE not in t.user_attrs:
        return "unfinished"  # its process died or was stopped; its values were queued again
    return t.state.name.lower()


def best(study: optuna.Study) -> FrozenTrial | None:
    complete = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    if not complete:
        return None
    return study.best_trial


def rows(study: optuna.Study, metric: str) -> tuple[list[str], list[list[str]]]:
    """The header and one row per trial (surplus claims left out)."""
    trials = [t for t in study.get_trials(deepcopy=False) if budget.SURPLUS not in t.user_attrs]
    keys = list(dict.fromkeys(k for t in trials for k in t.params))
    header = ["trial", "state", *keys, metric, "run dir"]
    body = [
        [
            str(t.number),
            state(t),
            *(_text(t.params.get(k)) for k in keys),
            _value(t),
            t.user_attrs.get(budget.RUN_DIR, "-"),
        ]
        for t in trials
    ]
    return header, body


def verdict(study: optuna.Study, metric: str) -> list[str]:
    """How many trials finished, and the best one with its values."""
    done = sum(budget.counts(t) for t in study.get_trials(deepcopy=False))
    lines = [f"{done} finished trials of study {study.study_name!r}"]
    top = best(study)
    if top is None:
        return [*lines, "no trial has completed yet"]
    values = " ".join(f"{k}={_text(v)}" for k, v in top.params.items())
    return [*lines, f"best: trial {top.number}, {metric} {top.value:.4f}: {values}"]


def render(study: optuna.Study, metric: str) -> str:
    header, body = rows(study, metric)
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *body]]
    return "\n".join(lines + verdict(study, metric))


def _value(t: FrozenTrial) -> str:
    if t.state == TrialState.COMPLETE:
        return f"{t.value:.4f}"
    if t.state == TrialState.PRUNED and t.intermediate_values:
        last = max(t.intermediate_values)
        return f"({t.intermediate_values[last]:.4f} at epoch {last + 1})"
    if budget.FAILURE in t.user_attrs:
        return t.user_attrs[budget.FAILURE][:60]
    return "-"


def _text(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
