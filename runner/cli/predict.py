"""`runner predict MODEL INPUTS... [--top-k K] [--batch-size B] [--format table|json|csv] [--out FILE]
[--masks DIR]`: an exported model's answers for image files, folders and glob patterns, on onnxruntime
alone (no deep-learning framework is imported, so it starts in a fraction of a second). Files that
are not images are listed on stderr with the reason and the exit status is 1; the others are
still answered."""

import sys
from pathlib import Path

from runner.cli.arguments import UsageError, exported_model
from runner.recipe.errors import RunFailed

HELP = "Predict image files with an exported model (.onnx, or a run directory): top classes per image."
# runner.deploy.formats.FORMATS' names, written out here so that every other verb starts without
# numpy (runner.deploy's modules are imported when predict runs); a test holds the two equal.
FORMATS = ("table", "json", "csv")
EXAMPLE = "runner predict runs/quickstart-20260101-120000/export/model.onnx photos/ 'more/**/*.jpg' --top-k 3"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", help="an .onnx file written by runner export, or a run directory")
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="image files, folders (every file below) or quoted glob patterns"
    )
    parser.add_argument("--top-k", type=int, default=5, help="classes to show per image, best first (default 5)")
    parser.add_argument("--batch-size", type=int, default=32, help="images per onnxruntime call (default 32)")
    parser.add_argument("--format", choices=list(FORMATS), default="table", help="table (default), json or csv")
    parser.add_argument("--out", metavar="FILE", help="write the answers to FILE instead of printing them")
    parser.add_argument(
        "--masks", metavar="DIR", help="segmentation: write each image's class-index mask as a PNG under DIR"
    )


def handle(args) -> int:
    from runner.deploy import formats, inputs
    from runner.deploy.answers import Answer
    from runner.deploy.predict import predictions
    from runner.deploy.session import ModelError

    if args.top_k < 1 or args.batch_size < 1:
        raise UsageError("--top-k and --batch-size take a whole number of 1 or more")
    model = exported_model(args.model)
    if args.masks and model.contract.task != "segmentation":
        raise UsageError(f"--masks writes segmentation masks; {args.model} is a {model.contract.task} model")
    files, skipped = inputs.find(args.inputs)
    records = {}  # file index -> formats.Record
    for s in skipped:
        print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
    if not files:
        raise UsageError("found no file to predict; give image files, folders or glob patterns")
    try:
        for outcome in predictions(model, files, args.batch_size, args.top_k):
            if outcome.answer is None:
                skipped.append(inputs.Skipped(str(outcome.path), outcome.reason))
                print(f"skipped {outcome.path}: {outcome.reason}", file=sys.stderr)
                continue
            mask = _write_mask(Path(args.masks), outcome) if args.masks else None
            # Only the ranked classes are kept: a thousand masks held until the end would fill memory.
            answer = Answer(outcome.answer.ranked, boxes=outcome.answer.boxes)
            records[outcome.index] = formats.Record(str(outcome.path), answer, mask)
    except ModelError as e:
        raise RunFailed(str(e)) from None
    text = formats.FORMATS[args.format]([records[i] for i in sorted(records)], model.contract.task)
    if args.out:
        try:
            formats.write(Path(args.out), text)
        except OSError as e:
            raise UsageError(f"cannot write {args.out} ({e.strerror or e})") from None
    else:
        sys.stdout.write(text)
    summary = f"predicted {len(records)} image{'s' * (len(records) != 1)}"
    print(
        summary + (f", skipped {len(skipped)}" if skipped else "") + (f"; wrote {args.out}" if args.out else ""),
        file=sys.stderr,
    )
    return 1 if skipped else 0


def _write_mask(folder: Path, outcome) -> str:
    from runner.deploy.masks import mask_path, write_mask

    path = mask_path(folder, outcome.path)
    try:
        write_mask(path, outcome.answer.mask)
    except OSError as e:
        raise UsageError(f"cannot write {path} ({e.strerror or e})") from None
    return str(path)
