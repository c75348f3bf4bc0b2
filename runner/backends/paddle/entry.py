"""The Paddle backend's entry points, as runner.backends calls them."""

from runner.backends.paddle.dryrun import dry_run
from runner.backends.paddle.evaluate import evaluate
from runner.backends.paddle.export import export_native, export_onnx, run_native
from runner.backends.paddle.inference import load_for_inference
from runner.backends.paddle.insight import sight
from runner.backends.paddle.train import train

__all__ = ["dry_run", "evaluate", "export_native", "export_onnx", "run_native", "load_for_inference", "sight", "train"]
