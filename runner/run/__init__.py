"""A run's bookkeeping, the same on both backends: its lifecycle (open or join the run directory,
announce it, summarise and end the run), the directory's file names (layout.py) and the files
written when it is made, atomic writes, the record of checkpoints and the choice of one to resume
from or score, Python's and NumPy's random state, the validation cadence, the epoch log, scores,
the non-finite stop, interrupts, and the sbatch script that runs a recipe on SLURM.

May import: runner.recipe, runner.catalog, numpy and the standard library (tensorboard's writer
only when a run logs to it). Never runner.data, the backends or a deep-learning framework.
"""
