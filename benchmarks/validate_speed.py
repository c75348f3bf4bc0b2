"""Time `runner validate` against LightningCLI `--print_config` on an equivalent config.

Both are timed as whole processes (interpreter start-up and imports included),
because that is what a user waits for: one warm-up run, then the median, min and
max wall time of N runs each. The LightningCLI side is a throwaway module with
typed LightningModule / LightningDataModule signatures mirroring
recipes/resnet18_cifar10.yaml, plus a matching YAML config.

Run from the repo root:  .venv/bin/python benchmarks/validate_speed.py [--runs N]
(or `make bench`). Needs `jsonargparse[signatures]` for the LightningCLI side.
Exits non-zero only if a timed command fails; the target is reported, not enforced.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECIPE = "recipes/resnet18_cifar10.yaml"
TARGET_S = 0.25

CLI_MODULE = """\
import lightning.pytorch as pl
from lightning.pytorch.cli import LightningCLI


class Model(pl.LightningModule):
    def __init__(self, backbone: str = "resnet18", num_classes: int = 10, stem: str = "cifar",
                 pretrained: bool = False, optimizer: str = "sgd", lr: float = 0.2,
                 momentum: float = 0.9, nesterov: bool = True, weight_decay: float = 5e-4,
                 decay_norm_and_bias: bool = False, schedule: str = "onecycle",
                 warmup_epochs: int = 1, label_smoothing: float = 0.1, epochs: int = 30,
                 channels_last: bool = True):
        super().__init__()
        self.save_hyperparameters()


class DataModule(pl.LightningDataModule):
    def __init__(self, dataset: str, root: str, download: bool = True, batch_size: int = 256,
                 num_workers: int = 4, train_augment: list[str] = ["random_crop", "hflip", "normalize"],
                 eval_augment: list[str] = ["normalize"]):
        super().__init__()


if __name__ == "__main__":
    LightningCLI(Model, DataModule)
"""

CLI_CONFIG = """\
seed_everything: 42
model: {backbone: resnet18, num_classes: 10, stem: cifar, pretrained: false, optimizer: sgd,
        lr: 0.2, momentum: 0.9, nesterov: true, weight_decay: 5.0e-4, decay_norm_and_bias: false,
        schedule: onecycle, warmup_epochs: 1, label_smoothing: 0.1, epochs: 30, channels_last: true}
data: {dataset: cifar10, root: data, download: true, batch_size: 256, num_workers: 4,
       train_augment: [random_crop, hflip, normalize], eval_augment: [normalize]}
trainer: {max_epochs: 30, precision: bf16-mixed, accelerator: auto, devices: auto,
          num_nodes: 1, strategy: auto}
"""


def run_once(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"FAILED (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return elapsed


def time_command(cmd, runs):
    run_once(cmd)  # warm-up: fills the OS page cache and writes .pyc files
    return [run_once(cmd) for _ in range(runs)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    # Checked up front so a missing extra reads as a setup problem, not a benchmark failure.
    probe = subprocess.run(
        [sys.executable, "-c", "import jsonargparse, docstring_parser, typeshed_client"], capture_output=True
    )
    if probe.returncode != 0:
        sys.exit(
            "LightningCLI needs `jsonargparse[signatures]`: "
            f"{sys.executable} -m pip install 'jsonargparse[signatures]>=4.27.7'"
        )

    runner_times = time_command([sys.executable, "-m", "runner", "validate", RECIPE], args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        script, cfg = Path(tmp, "cli_equiv.py"), Path(tmp, "config.yaml")
        script.write_text(CLI_MODULE)
        cfg.write_text(CLI_CONFIG)
        cli_times = time_command(
            [sys.executable, str(script), "fit", "--config", str(cfg), "--print_config"], args.runs
        )

    rows = [("runner validate", runner_times), ("LightningCLI --print_config", cli_times)]
    print(f"{args.runs} runs each after 1 warm-up, whole-process wall time (s)")
    print(f"{'command':<30}{'median':>9}{'min':>9}{'max':>9}")
    for name, times in rows:
        print(f"{name:<30}{statistics.median(times):>9.3f}{min(times):>9.3f}{max(times):>9.3f}")
    runner_med, cli_med = statistics.median(runner_times), statistics.median(cli_times)
    print(f"ratio LightningCLI / runner (median): {cli_med / runner_med:.1f}x")
    verdict = "met" if runner_med <= TARGET_S else "NOT met"
    print(f"target: runner validate median <= {TARGET_S} s: {verdict} ({runner_med:.3f} s)")


if __name__ == "__main__":
    main()
