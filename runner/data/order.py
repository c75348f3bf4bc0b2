"""The order a run reads its data in, the same on both backends: each epoch's training order is
a permutation drawn from (seed, epoch) alone, so a resumed run reads the epochs it has left as a
run that never stopped would, and the two backends read the same images in the same order.
Each of several processes takes every world-th image of that order."""

import numpy as np


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """A permutation of range(n) for `epoch` of a run seeded `seed`."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def training_share(n: int, seed: int, epoch: int, rank: int = 0, world: int = 1) -> np.ndarray:
    """The indices process `rank` of `world` trains on in `epoch`: every world-th of the epoch's
    order, the same number for every process (n // world)."""
    return epoch_order(n, seed, epoch)[rank::world][: n // world]


def evaluation_share(n: int, rank: int = 0, world: int = 1) -> np.ndarray:
    """The indices process `rank` of `world` evaluates, in order: every process gets as many
    (the first few repeated when n does not divide), as gathering the results needs."""
    return np.resize(np.arange(n), -(-n // world) * world)[rank::world]


def sample(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Up to `limit` of range(n), in order, drawn with `seed`: the same images on every report or
    export of a run (all of them when there are no more than `limit`)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))
