"""Seconds each sweep trial costs beyond its training: a 10-trial `runner sweep` of the synthetic
smoke recipe beside 10 plain runs of the same recipe, both in one warm process.

The sweep's one param is a choice of a single learning rate (the recipe's own), with the pruner
off, so each trial trains exactly what a plain run trains; what is left is the study's storage
(SQLite in the sweep's directory), sampling, the trial's recipe loading and bookkeeping. Both
sides alternate over --rounds in fresh temporary folders, after a warm-up run that imports the
framework; the figure is the median per-trial difference. Target: at most 1 s per trial on 2
CPU cores. Reported, not enforced. Run from the repo root (or `make bench`):
    .venv/bin/python benchmarks/sweep_overhead.py [--trials N] [--rounds N]
"""

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from runner import backends
from runner.recipe.stages import compile_file, load_recipe
from runner.sweep import worker

ROOT = Path(__file__).resolve().parent.parent
SMOKE = (ROOT / "recipes" / "smoke" / "synthetic.yaml").read_text()
SWEEP = "sweep:\n  params:\n    optim.lr:\n      choice:\n        - 0.003\n  pruner:\n    name: none\n"
SHORT = ["train.epochs=2", "log.report=false"]
TARGET_S = 1.0


def plain(recipe: Path, trials: int) -> float:
    start = time.perf_counter()
    for _ in range(trials):
        backends.train(*compile_file(str(recipe), SHORT))
    return time.perf_counter() - start


def swept(recipe: Path, trials: int) -> float:
    loaded = load_recipe(str(recipe), SHORT)
    loaded.data["sweep"]["trials"] = trials
    start = time.perf_counter()
    worker.sweep(loaded)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    here = os.getcwd()
    plain_s, sweep_s = [], []
    try:
        for round_ in range(args.rounds + 1):
            for side, into in ((plain, plain_s), (swept, sweep_s)):
                with tempfile.TemporaryDirectory() as tmp:
                    os.chdir(tmp)
                    recipe = Path(tmp) / "smoke.yaml"
                    recipe.write_text(SMOKE + SWEEP)
                    with contextlib.redirect_stdout(io.StringIO()):
                        seconds = side(recipe, 1 if round_ == 0 else args.trials)
                    if round_:  # round 0 warms the imports and caches up
                        into.append(seconds)
    finally:
        os.chdir(here)
    per_plain = statistics.median(plain_s) / args.trials
    per_trial = statistics.median(sweep_s) / args.trials
    overhead = per_trial - per_plain
    print(f"{args.trials} runs of recipes/smoke/synthetic.yaml ({' '.join(SHORT)}), median of {args.rounds} rounds")
    print(f"  plain runs in one process   {per_plain:6.2f} s per run")
    print(f"  runner sweep, in-process    {per_trial:6.2f} s per trial")
    verdict = "meets" if overhead <= TARGET_S else "misses"
    print(f"  overhead per trial          {overhead:6.2f} s  ({verdict} the target of {TARGET_S:.1f} s)")


if __name__ == "__main__":
    main()
