"""Learning-rate schedules, shared by both backends as plain functions of the optimizer step.

Each entry returns a `Shape`: the multiplier of the peak learning rate over the steps that follow
the warm-up. Compile wraps it in an `LrCurve` with the derived step counts; the Lightning backend
hands that to LambdaLR and the Paddle backend to LambdaDecay, so both follow the same curve.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated

from runner.catalog.registry import Param, Registry

schedules = Registry("schedule", "schedules")

Gamma = Annotated[float, Param("factor applied at each decay", min=0.0, max=1.0)]


@dataclass(frozen=True)
class Shape:
    # factor(t, n, steps_per_epoch) for step t of the n steps after warm-up
    factor: Callable[[int, int, int], float]
    warmup_start: float = 0.0  # multiplier the linear warm-up starts from
    warmup_fraction: float = 0.0  # warm-up as a fraction of all steps when the recipe sets none
    notes: dict = field(default_factory=dict)


def _constant(t, n, steps_per_epoch):
    return 1.0


def _step(t, n, steps_per_epoch, *, every, gamma):
    return gamma ** (t // (every * steps_per_epoch))


def _multistep(t, n, steps_per_epoch, *, milestones, gamma):
    return gamma ** sum(t >= m * steps_per_epoch for m in milestones)


def _cosine(t, n, steps_per_epoch, *, final):
    progress = min(t / max(n, 1), 1.0)
    return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * progress))


@schedules.register
def constant() -> Shape:
    """Keep the learning rate at its peak after any warm-up."""
    return Shape(_constant)


@schedules.register
def step(step_epochs: Annotated[int, Param("epochs between decays", min=1)] = 30, gamma: Gamma = 0.1) -> Shape:
    """Multiply the learning rate by `gamma` every `step_epochs` epochs."""
    return Shape(partial(_step, every=step_epochs, gamma=gamma))


@schedules.register
def multistep(
    milestones: Annotated[list[int], Param("epochs (after warm-up) at which to decay")],
    gamma: Gamma = 0.1,
) -> Shape:
    """Multiply the learning rate by `gamma` at each milestone epoch."""
    return Shape(partial(_multistep, milestones=tuple(milestones), gamma=gamma))


@schedules.register
def cosine(
    final_lr_ratio: Annotated[float, Param("final learning rate as a fraction of the peak", min=0.0, max=1.0)] = 0.0,
) -> Shape:
    """Cosine annealing from the peak to `final_lr_ratio` x peak at the last step."""
    return Shape(partial(_cosine, final=final_lr_ratio))


@schedules.register
def onecycle(
    pct_start: Annotated[float, Param("share of training spent rising when no warm-up is set", min=0.0, max=0.9)] = 0.3,
    div_factor: Annotated[float, Param("the rise starts at peak / div_factor", min=1.0)] = 25.0,
    final_div_factor: Annotated[float, Param("training ends at start / final_div_factor", min=1.0)] = 1e4,
) -> Shape:
    """One-cycle policy (Smith, 2018): linear rise to the peak, then cosine annealing to near zero."""
    start = 1.0 / div_factor
    return Shape(partial(_cosine, final=start / final_div_factor), warmup_start=start, warmup_fraction=pct_start)
