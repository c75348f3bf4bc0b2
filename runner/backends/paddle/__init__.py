"""The Paddle backend: a compiled Program trained with paddle.Model. entry.py holds what
runner.backends calls (train, dry_run, load_for_inference, evaluate); tasks.py the task adapters;
model.py the one paddle.Model driver; the rest its data, networks, optimizers, augmentation steps
and callbacks. May import paddle and the framework-free packages; never the Lightning backend.

Paddle's import-time and per-layer notices (no ccache for building C++ extensions, which runner
never builds; batch norm always tracking global statistics) are turned down here, before any
module of this package imports paddle, so a run prints what a runner user needs.
"""

import warnings

for _pattern in (
    r".*No ccache found.*",
    r".*we now always track global mean and variance.*",
    r".*To copy construct from a tensor.*",
):  # paddle.Model re-wraps each batch
    warnings.filterwarnings("ignore", message=_pattern)
