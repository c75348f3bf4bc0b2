"""Hyper-parameter sweeps (`runner sweep`): a recipe's `sweep:` section run as an Optuna study.

folder.py lays out the sweep's directory; study.py opens the study in its storage (SQLite in that
directory, or any SQLAlchemy URL); space.py turns the recipe's params into Optuna's suggestions
and trial overrides; budget.py counts the trials so that every process sharing a study stops at
exactly its budget; trial.py trains one trial as a normal run; worker.py is the loop a process
runs; table.py, best.py and plots.py read a study back.

May import runner.report, runner.backends and everything below them, and Optuna; the command
line imports this package only for `runner sweep`.
"""
