"""The samplers and pruners a recipe's `sweep:` section may name, with their parameters.

Each entry returns the keyword arguments of the Optuna class of the same meaning; runner.sweep
builds the object. Nothing here imports Optuna, so `runner validate` checks a sweep without it.
"""

from typing import Annotated, Literal

from runner.catalog.registry import Param, Registry

samplers = Registry("sampler", "samplers")
pruners = Registry("pruner", "pruners")

# -1 leaves the seed to each process, so that workers sharing a study do not draw the same points.
Seed = Annotated[int, Param("seed of the sampler's draws; -1 draws a fresh one in each process", min=-1)]
Startup = Annotated[int, Param("trials sampled at random before the model of good trials is used", min=0)]
MinResource = Annotated[int, Param("epochs every trial runs before it can be stopped", min=1)]
Reduction = Annotated[int, Param("share of trials kept at each rung is 1 / this", min=2)]


def _seed(seed: int) -> int | None:
    return None if seed < 0 else seed


@samplers.register
def tpe(
    seed: Seed = -1,
    n_startup_trials: Startup = 10,
    multivariate: Annotated[bool, Param("model the params together, not each on its own")] = False,
) -> dict:
    """Tree-structured Parzen estimator: samples where good trials cluster (Optuna's default)."""
    return {"seed": _seed(seed), "n_startup_trials": n_startup_trials, "multivariate": multivariate}


@samplers.register
def random(seed: Seed = -1) -> dict:
    """Independent uniform (or log-uniform) draws, the baseline every other sampler must beat."""
    return {"seed": _seed(seed)}


@samplers.register
def grid(seed: Seed = -1) -> dict:
    """Every combination of the choice and int values once; the sweep runs at most the grid's size."""
    return {"seed": _seed(seed)}


@samplers.register
def cmaes(seed: Seed = -1, n_startup_trials: Annotated[int, Param("random trials first", min=0)] = 1) -> dict:
    """CMA-ES: an evolution strategy over the int and float params (choice ones are drawn at random)."""
    return {"seed": _seed(seed), "n_startup_trials": n_startup_trials}


@samplers.register
def qmc(
    seed: Seed = -1,
    qmc_type: Annotated[Literal["sobol", "halton"], Param("low-discrepancy sequence")] = "sobol",
    scramble: Annotated[bool, Param("randomise the sequence (needed for several distinct workers)")] = True,
) -> dict:
    """Quasi-Monte Carlo: a low-discrepancy sequence that covers the space more evenly than random."""
    return {"seed": _seed(seed), "qmc_type": qmc_type, "scramble": scramble}


@pruners.register
def median(
    n_startup_trials: Annotated[int, Param("trials that finish before any is pruned", min=0)] = 5,
    n_warmup_steps: Annotated[int, Param("epochs a trial runs before it can be pruned", min=0)] = 0,
    interval_steps: Annotated[int, Param("epochs between pruning checks", min=1)] = 1,
) -> dict:
    """Stop a trial whose best value so far is worse than the median of earlier trials at that epoch."""
    return {"n_startup_trials": n_startup_trials, "n_warmup_steps": n_warmup_steps, "interval_steps": interval_steps}


@pruners.register
def hyperband(
    min_resource: MinResource = 1,
    max_resource: Annotated[int, Param("epochs of a full trial; 0 is train.epochs", min=0)] = 0,
    reduction_factor: Reduction = 3,
) -> dict:
    """Hyperband: several successive-halving brackets, trading many short trials against few long."""
    return {"min_resource": min_resource, "max_resource": max_resource, "reduction_factor": reduction_factor}


@pruners.register
def successive_halving(
    min_resource: MinResource = 1,
    reduction_factor: Reduction = 4,
    min_early_stopping_rate: Annotated[int, Param("rungs skipped before pruning starts", min=0)] = 0,
) -> dict:
    """Successive halving: at each rung of epochs, keep the best 1/reduction_factor of trials."""
    return {
        "min_resource": min_resource,
        "reduction_factor": reduction_factor,
        "min_early_stopping_rate": min_early_stopping_rate,
    }


@pruners.register
def none() -> dict:
    """Never stop a trial early."""
    return {}
