"""The Lightning backend's entry points, as runner.backends calls them."""

from runner.backends.lightning.dryrun import dry_run
from runner.backends.lightning.evaluate import evaluate
from runner.backends.lightning.export import export_native, export_onnx, run_native
from runner.backends.lightning.inference import load_for_inference
from runner.backends.lightning.insight import sight
from runner.backends.lightning.train import train

__all__ = ["dry_run", "evaluate", "export_native", "export_onnx", "run_native", "load_for_inference", "sight", "train"]
