"""`runner report RUN_DIR [RUN_DIR ...] [--out DIR] [--samples N]`: one run's page, or a page
comparing several, or a sweep's page (its trials and plots); the path of the page is printed."""

import importlib.util
from datetime import datetime, timezone
from pathlib import Path

from runner.cli.arguments import UsageError, exists
from runner.run import record
from runner.sweep import folder

HELP = (
    "Write a run's report (curves; confusion matrix, or AP or IoU per class; samples and worst mistakes, "
    "boxes and masks drawn; calibration) to RUN_DIR/report/index.html, or a page comparing several runs."
)
EXAMPLE = (
    "runner report runs/quickstart-20260101-120000\n  runner report runs/a runs/b --out compare/\n"
    "  runner report runs/my-sweep"
)


def add_arguments(parser) -> None:
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="directories `runner run` printed")
    parser.add_argument(
        "--out", metavar="DIR", help="where the page goes (default RUN_DIR/report, or runs/compare-<time>/)"
    )
    parser.add_argument("--samples", type=int, default=32, metavar="N", help="sample images shown (default 32)")


def handle(args) -> int:
    paths = [Path(p) for p in args.run_dirs]
    if len(paths) == 1 and folder.is_sweep(paths[0]):
        if importlib.util.find_spec("optuna") is None:
            raise UsageError(f"{paths[0]} is a sweep: its page needs Optuna, pip install 'runner[sweep]'")
        from runner.sweep import page  # Optuna, matplotlib

        print(f"report: {page.build(paths[0])}")
        return 0
    for path in paths:
        if not exists(path):
            raise UsageError(f"{path} does not exist; give a run directory `runner run` printed")
        if not record.is_run_dir(path):
            raise UsageError(f"{path} is not a run directory (it has no resolved.yaml)")
    if args.samples < 0:
        raise UsageError("--samples takes a count of images, 0 or more")
    out = Path(args.out) if args.out else None
    if len(paths) == 1:
        from runner.report import single  # matplotlib, and a framework once a checkpoint loads

        index, warnings = single.build(paths[0], out, args.samples)
    else:
        from runner.report import compare

        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        index, warnings = compare.build(paths, out or Path("runs") / f"compare-{stamp}")
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"report: {index}")
    return 0


def report_ending(program) -> tuple:
    """What `runner run` and `resume` do once a run has finished: write its report (log.report),
    saying where, or why not; a report that fails never fails the run."""
    if not program.log.report:
        return ()

    def write_report(path: Path, summary: dict) -> None:
        from runner.report import single

        try:
            index, warnings = single.build(path)
        except Exception as e:  # the run itself is done and saved; its page can be made again
            print(
                f"warning: no report ({str(e).splitlines()[0] if str(e) else type(e).__name__}); "
                f"make it with: runner report {path}"
            )
            return
        for warning in warnings:
            print(f"warning: {warning}")
        print(f"report: {index}")

    return (write_report,)
