"""`runner report`: a run directory seen as pages a person reads. A run's page shows its recipe and
provenance, its curves, then what its task's predictions show (tasks.py): for a classifier the
confusion matrix with per-class figures, sample predictions and the worst mistakes, and
calibration; for a detector or segmenter AP or IoU per class, and its boxes or masks beside the
true ones. A comparison page lays several runs side by side. Pages are static HTML with PNG
images beside them, drawn with matplotlib (Agg): they open from file:// on a machine with no
network.

May import runner.backends (to load a run's network, as `runner eval` does), runner.run,
runner.data, runner.recipe and runner.catalog; a framework only through runner.backends.
"""
