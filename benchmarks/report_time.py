"""Seconds to write a run's report beside the training it reports on.

1. A ResNet-18 (CIFAR stem) trained two epochs on generated 32x32 colour images
   (benchmarks/cifar_shaped.yaml, 2048 training and 1024 validation images): one epoch's wall
   seconds (the second, from metrics.csv), then `runner report RUN_DIR --samples 64` as a user
   runs it (a fresh process, imports included) and the page alone in a warm process. Target: the
   page in at most 10 s on 2 CPU cores.
2. The quickstart (`make run`) with and without the report written at its end (log.report),
   alternating, median of --rounds. Target: the report adds at most 10% to the run.
Targets are reported, not enforced. Run from the repo root (or `make bench`):
    .venv/bin/python benchmarks/report_time.py [--rounds N]
"""

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESNET = [
    "model.backbone=resnet18",
    "model.stem=cifar",
    "data.train_size=2048",
    "data.val_size=1024",
    "train.epochs=2",
    "log.report=false",
]


def runner(cwd: Path, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "runner", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"runner {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout


def warm_page(run_dir: Path) -> float:
    """The page alone, in a process that has loaded everything once already."""
    code = (
        "import sys, time; from pathlib import Path; from runner.report import single;"
        "single.build(Path(sys.argv[1]), samples=64); t = time.perf_counter();"
        "single.build(Path(sys.argv[1]), samples=64); print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(run_dir)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        _, out = runner(cwd, "run", str(ROOT / "benchmarks/cifar_shaped.yaml"), *RESNET)
        run_dir = cwd / out.strip().splitlines()[-1].removeprefix("run dir: ")
        epoch = float(list(csv.DictReader((run_dir / "metrics.csv").open()))[-1]["seconds"])
        command, _ = runner(cwd, "report", str(run_dir), "--samples", "64")
        page = warm_page(run_dir)
        print("ResNet-18 (CIFAR stem), 32x32 images, 2048 train / 1024 val, 2 CPU cores")
        print(f"  one training epoch                  {epoch:6.1f} s")
        print(f"  runner report --samples 64          {command:6.1f} s  (target <= 10 s)")
        print(f"  the page alone, warm process        {page:6.1f} s")

        quickstart = str(ROOT / "recipes/quickstart.yaml")
        without, with_report = [], []
        for _ in range(rounds):
            without.append(runner(cwd, "run", quickstart, "log.report=false")[0])
            with_report.append(runner(cwd, "run", quickstart)[0])
        a, b = statistics.median(without), statistics.median(with_report)
        print(f"quickstart (make run), median of {rounds}")
        print(f"  without the report                  {a:6.1f} s")
        print(f"  with the report at its end          {b:6.1f} s  (+{(b - a) / a:.0%}, target <= 10%)")


if __name__ == "__main__":
    main()
