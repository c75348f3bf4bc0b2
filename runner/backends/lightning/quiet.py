"""Keep the terminal to what a runner user needs: Lightning's start-up banners (available
accelerators, tips for other products, "directory not empty" on resume) are turned down, so a
run prints its run directory, one line per epoch and its result."""

import logging
import warnings

NOISY_LOGGERS = (
    "lightning.pytorch.utilities.rank_zero",
    "lightning.pytorch.accelerators.cuda",
    "lightning.fabric.utilities.seed",
    "lightning.fabric.utilities.distributed",
)
NOISY_WARNINGS = (
    r".*Checkpoint directory .* exists and is not empty.*",  # resume writes into its own run dir
    r".*does not have many workers.*",  # in-memory data needs no worker processes, by design
    r".*number of training batches .* is smaller than the logging interval.*",
    r".*isinstance\(treespec, LeafSpec\)` is deprecated.*",  # inside Lightning, under torch 2.14
)


def configure() -> None:
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for pattern in NOISY_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
