"""`runner eval RUN_DIR|CKPT [--split val|test] [--trust]`: score a run's best checkpoint (or the
one named), say which it scored, and write eval/<checkpoint>-<split>.json."""

from pathlib import Path

from runner.cli.arguments import TRUST, UsageError, exists, run_dir
from runner.recipe.stages import compile_file
from runner.run import checkpoint_choice, layout

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
    from runner import backends  # the data layer and, later, a framework: only when scoring

    target = Path(args.target)
    if not exists(target):
        raise UsageError(f"{target} does not exist; give a run directory (`runner run` prints it) or a checkpoint")
    in_checkpoints = target.parent.name == layout.CHECKPOINTS and target.suffix in layout.CHECKPOINT_SUFFIXES
    if not target.is_dir() and not in_checkpoints:
        raise UsageError(
            f"{target} is not a checkpoint inside a run directory; runner eval loads "
            "only RUN_DIR/checkpoints/*.ckpt (or Paddle's *.safetensors) written by runner run"
        )
    path = run_dir(target if target.is_dir() else target.parent.parent)
    program = compile_file(str(path / layout.RESOLVED))[1]
    if args.split == "test" and not program.data.info.has_test_split:
        raise UsageError(
            f"{program.data.dataset} has no test split: its one split is the training set, from which this run "
            f"held out {program.data.val_fraction:.0%} as its validation images; use --split val to score those"
        )
    if target.is_dir():
        checkpoint, why = checkpoint_choice.for_scoring(path, program.loop.monitor)
    else:
        checkpoint, why = checkpoint_choice.inside(path, target), "the checkpoint named"
    print(f"scoring {checkpoint} ({why}) on the {args.split} split")
    inference = backends.load_for_inference(path, checkpoint, trust=args.trust, program=program)
    out = layout.eval_result(path, checkpoint, args.split)
    tally = backends.evaluate(inference, args.split)
    result = tally.write(out, checkpoint, args.split, inference.classes)
    print(tally.table(result))
    print(f"wrote {out}")
    return 0
