"""`runner sweep RECIPE [key=value...] [--trials N] [--isolate]`: search the recipe's `sweep:`
params with Optuna, one run directory per trial; `--status` and `--best` read a sweep back."""

import argparse
import importlib.util
from pathlib import Path

from runner.cli.arguments import UsageError, exists, one_recipe
from runner.recipe.stages import Recipe, load_recipe

HELP = "Search a recipe's sweep: params with Optuna, each trial a run; --status and --best read the sweep."
EXAMPLE = (
    "runner sweep my.yaml --trials 6\n  runner sweep --status runs/my-sweep\n"
    "  runner sweep --best runs/my-sweep && runner run best.yaml"
)


def add_arguments(parser) -> None:
    parser.add_argument("recipe", metavar="RECIPE|SWEEP_DIR", help="the recipe, or (with --status, --best) its sweep")
    parser.add_argument("args", nargs="*", metavar="key=value", help="overrides of the recipe for every trial")
    parser.add_argument("--trials", type=int, metavar="N", help="the study's budget of trials (default sweep.trials)")
    parser.add_argument("--isolate", action="store_true", help="train each trial in a fresh process")
    parser.add_argument("--status", action="store_true", help="print the sweep's trials and its best one")
    parser.add_argument("--best", action="store_true", help="write the best trial's recipe (see --output)")
    parser.add_argument("--output", default="best.yaml", metavar="PATH", help="where --best writes (default best.yaml)")
    parser.add_argument("--run-trial", type=int, help=argparse.SUPPRESS)  # --isolate's child


def handle(args) -> int:
    if args.trials is not None and args.trials < 1:
        raise UsageError("--trials takes a count of trials, 1 or more")
    if importlib.util.find_spec("optuna") is None:
        raise UsageError("sweeps need Optuna: pip install 'runner[sweep]' (make install includes it)")
    from runner.sweep import worker  # Optuna; a framework only once a trial trains

    if args.run_trial is not None:
        return worker.run_trial(Path(args.recipe), args.run_trial)
    if args.status or args.best:
        return _read_back(args)
    recipe = _sweep_recipe(*one_recipe(args, "sweep"))
    if args.trials:
        recipe.data["sweep"]["trials"] = args.trials
    return worker.sweep(recipe, args.isolate)


def _sweep_recipe(path: str, overrides: list[str]) -> Recipe:
    recipe = load_recipe(path, overrides)
    if "sweep" not in recipe.data:
        raise UsageError(
            f"{path} has no sweep: section; add one naming the keys to search, e.g.\n"
            "sweep:\n  trials: 20\n  params:\n    optim.lr:\n      float:\n        low: 1.0e-4\n"
            "        high: 0.1\n        log: true"
        )
    hardware = recipe.data["hardware"]
    several = isinstance(hardware["devices"], int) and hardware["devices"] > 1
    every_gpu = hardware["devices"] == "auto" and hardware["accelerator"] != "cpu"
    if hardware["num_nodes"] > 1 or several or every_gpu:
        raise UsageError(
            "a sweep trains each trial in one process: set hardware.devices=1 (and num_nodes=1), "
            "and start one `runner sweep` per device to use more"
        )
    return recipe


def _read_back(args) -> int:
    """--status and --best, from a sweep's directory, or from the recipe (and overrides) that
    names its study; a shared study is read from its storage even where no trial ran."""
    from runner.sweep import best, folder, table
    from runner.sweep.study import load

    target = Path(args.recipe)
    if not exists(target):
        raise UsageError(f"{target} does not exist; give a sweep directory or the recipe `runner sweep` ran")
    if target.is_dir():
        if not folder.is_sweep(target):
            raise UsageError(f"{target} is not a sweep directory (no {folder.SWEEP}); `runner sweep RECIPE` makes one")
        record = folder.read(target)
        recipe = load_recipe(str(target / folder.RECIPE), record["overrides"], fit=False)
        url, name = record["storage"], record["study"]
    else:
        recipe = _sweep_recipe(str(target), args.args)
        target = folder.of(recipe.data)
        url, name = folder.storage_url(recipe.data, target), folder.study_name(recipe.data)
    study = load(url, name)
    if args.status:
        print(f"sweep dir: {target}")
        print(table.render(study, recipe.data["sweep"]["metric"]))
    if args.best:
        out = best.write(recipe, study, Path(args.output))
        print(f"best recipe: {out}; run it with: runner run {out}")
    return 0
