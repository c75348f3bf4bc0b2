"""A recipe's sweep params as Optuna suggestions, and a trial's values as recipe overrides.
Choices are typed like the value they replace, so Optuna's plots treat numbers as numbers."""

import optuna

from runner.recipe.search_space import Dist, key_path, parse, typed


def distributions(recipe: dict) -> dict[str, Dist]:
    """The sweep's params (`recipe`: normalized and checked), choices typed like their key."""
    out = {}
    for key, spec in recipe["sweep"]["params"].items():
        dist, _ = parse(spec)
        current = recipe
        for part in key_path(str(key)):
            current = current[part]
        out[str(key)] = typed(dist, current)
    return out


def optuna_distributions(dists: dict[str, Dist]) -> dict[str, optuna.distributions.BaseDistribution]:
    """What Optuna records for each param: a study that recorded others searches another space."""
    out = {}
    for key, d in dists.items():
        if d.kind == "choice":
            out[key] = optuna.distributions.CategoricalDistribution(list(d.choices))
        elif d.kind == "int":
            out[key] = optuna.distributions.IntDistribution(int(d.low), int(d.high), log=d.log, step=int(d.step or 1))
        else:
            out[key] = optuna.distributions.FloatDistribution(d.low, d.high, log=d.log)
    return out


def suggest(trial: optuna.Trial, dists: dict[str, Dist]) -> dict:
    values = {}
    for key, d in dists.items():
        if d.kind == "choice":
            values[key] = trial.suggest_categorical(key, list(d.choices))
        elif d.kind == "int":
            values[key] = trial.suggest_int(key, int(d.low), int(d.high), step=int(d.step or 1), log=d.log)
        else:
            values[key] = trial.suggest_float(key, d.low, d.high, log=d.log)
    return values


def grid(dists: dict[str, Dist]) -> dict[str, list]:
    return {key: list(d.grid()) for key, d in dists.items()}


def grid_size(dists: dict[str, Dist]) -> int:
    size = 1
    for values in grid(dists).values():
        size *= len(values)
    return size


def overrides(values: dict) -> list[str]:
    """{'optim.lr': 0.0031} -> ['optim.lr=0.0031'], as `runner run` takes them."""
    return [f"{key}={_text(value)}" for key, value in values.items()]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)  # a list's choices are text already
