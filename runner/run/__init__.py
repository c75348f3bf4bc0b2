"""A run's bookkeeping, the same on both backends: the run directory, atomic writes, the record
of checkpoints and the choice of one to resume from, the epoch log, scores, the non-finite stop
and interrupts.

May import: runner.recipe, runner.catalog, numpy and the standard library. Never runner.data,
the backends or a deep-learning framework.
"""
