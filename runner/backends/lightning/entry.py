"""The Lightning backend's entry points, as runner.backends calls them."""

from runner.backends.lightning.dryrun import dry_run
from runner.backends.lightning.evaluate import evaluate
from runner.backends.lightning.inference import load_for_inference
from runner.backends.lightning.insight import sight
from runner.backends.lightning.train import train

__all__ = ["dry_run", "evaluate", "load_for_inference", "sight", "train"]
