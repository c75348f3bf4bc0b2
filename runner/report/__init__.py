"""`runner report`: a run directory seen as pages a person reads. A run's page shows its recipe and
provenance, its curves, the confusion matrix with per-class figures, sample predictions and the
worst mistakes, and calibration; a comparison page lays several runs side by side. Pages are
static HTML with PNG images beside them, drawn with matplotlib (Agg): they open from file://
on a machine with no network.

May import runner.backends (to load a run's network, as `runner eval` does), runner.run,
runner.data, runner.recipe and runner.catalog; a framework only through runner.backends.
"""
