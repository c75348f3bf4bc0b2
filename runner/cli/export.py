"""`runner export RUN_DIR... [--checkpoint best|last|PATH] [--format onnx|native] [--opset N] [--out DIR]`:
write each run's network for use outside training, checked against the framework before it counts."""

from pathlib import Path

from runner.cli.arguments import TRUST, UsageError, exists, run_dir
from runner.deploy.contract import OPSET

HELP = (
    "Write a run's network as ONNX (or TorchScript / a Paddle inference model) with its preprocessing "
    "and class names, checked by onnxruntime against the framework on validation images."
)
EXAMPLE = "runner export runs/quickstart-20260101-120000"


def add_arguments(parser) -> None:
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories (`runner run` prints each)")
    parser.add_argument(
        "--checkpoint",
        default="best",
        metavar="best|last|PATH",
        help="best: the one runner eval scores (default); last: the newest; or a checkpoint inside the run",
    )
    parser.add_argument(
        "--format",
        choices=["onnx", "native"],
        default="onnx",
        help="onnx (default): RUN_DIR/export/model.onnx; native: TorchScript or paddle.jit.save, "
        "in RUN_DIR/export-native",
    )
    parser.add_argument("--opset", type=int, default=OPSET, metavar="N", help=f"ONNX opset version (default {OPSET})")
    parser.add_argument("--out", metavar="DIR", help="the folder to write (default RUN_DIR/export)")
    parser.add_argument("--trust", action="store_true", help=TRUST)


def handle(args) -> int:
    from runner.deploy.exporting import export  # the frameworks: only once a run is exported

    targets = [Path(word) for word in args.runs]
    for target in targets:
        if not exists(target) or not target.is_dir():
            raise UsageError(f"{target} is not a run directory; give one that `runner run` printed (`runner runs`)")
    if len(targets) > 1 and (args.out or args.checkpoint not in ("best", "last")):
        raise UsageError("--out and a checkpoint's path name one run's export; give one RUN_DIR with them")
    if not 7 <= args.opset <= 23:
        raise UsageError(f"--opset {args.opset} is outside the opsets the exporters write (7 to 23; default {OPSET})")
    out = Path(args.out) if args.out else None
    for target in targets:
        export(run_dir(target), args.checkpoint, args.format, args.opset, out, args.trust)
    return 0
