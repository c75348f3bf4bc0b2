"""`runner eval RUN_DIR|CKPT [--split val|test] [--trust]`: score a run's best checkpoint (or the
one named) and write eval/<checkpoint>-<split>.json."""

import json
from pathlib import Path

from runner import backends
from runner.cli.arguments import TRUST, UsageError, run_dir
from runner.recipe.stages import compile_file
from runner.run import checkpoint_hashes

HELP = (
    "Score a run's best checkpoint (or CKPT): top-1/top-5, per-class accuracy, confusion matrix; "
    "printed and written to RUN_DIR/eval/."
)
EXAMPLE = "runner eval runs/quickstart-20260101-120000 --split val"


def add_arguments(parser) -> None:
    parser.add_argument("target", metavar="RUN_DIR|CKPT", help="a run directory, or a checkpoint inside one")
    parser.add_argument(
        "--split",
        choices=["val", "test"],
        default="val",
        help="val: the run's validation images (default); test: the dataset's test split",
    )
    parser.add_argument("--trust", action="store_true", help=TRUST)


def handle(args) -> int:
    target = Path(args.target)
    path = run_dir(target if target.is_dir() else target.parent.parent)
    if args.trust:
        checkpoint_hashes.trust_unrecorded()
    if target.is_dir():
        checkpoint = _best_checkpoint(path)
    elif target.parent != path / "checkpoints" or target.suffix not in (".ckpt", ".pdparams"):
        raise UsageError(
            f"{target} is not a checkpoint inside a run directory; runner eval loads "
            "only RUN_DIR/checkpoints/*.ckpt (or *.pdparams) written by runner run"
        )
    else:
        checkpoint = target
    recipe, program = compile_file(str(path / "resolved.yaml"), ["data.val_fraction=0"] if args.split == "test" else [])
    if args.split == "test" and not program.dataset.has_test_split:
        raise UsageError(f"{recipe.data['data']['dataset']} has no test split; use --split val")
    out = path / "eval" / f"{checkpoint.stem}-{args.split}.json"
    print(backends.evaluate(recipe, program, checkpoint, args.split, out))
    print(f"wrote {out}")
    return 0


def _best_checkpoint(path: Path) -> Path:
    summary = path / "summary.json"
    best = json.loads(summary.read_text()).get("best_checkpoint") if summary.is_file() else None
    for candidate in (best, path / "checkpoints" / "last.ckpt", path / "checkpoints" / "last.pdparams"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise UsageError(f"{path} has no checkpoint yet (checkpoints/ is empty)")
