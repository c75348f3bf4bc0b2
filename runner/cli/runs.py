"""`runner runs [DIR] [--sort METRIC]`: a table of the run directories under a log directory,
newest first, read from their own files only (no framework is imported)."""

from pathlib import Path

from runner.cli.arguments import UsageError
from runner.run import record

HELP = "List the runs under a log directory (default runs/): backend, data, epochs, best score, status."
EXAMPLE = "runner runs runs/ --sort val_acc"
COLUMNS = ("run", "started", "backend", "dataset", "backbone", "epochs", "best", "status")


def add_arguments(parser) -> None:
    parser.add_argument("dir", nargs="?", default="runs", metavar="DIR", help="a log.dir (default: runs)")
    parser.add_argument(
        "--sort",
        metavar="METRIC",
        help="order by this metrics.csv column's best value (val_acc, val_loss, ...), best first",
    )


def handle(args) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory; give the log.dir your runs went to (default: runs)")
    runs = [record.read(p) for p in sorted(root.iterdir()) if p.is_dir() and record.is_run_dir(p)]
    if not runs:
        print(f"no runs under {root}; `runner run RECIPE` makes one")
        return 0
    runs.sort(key=lambda r: str(r.provenance.get("started", "")), reverse=True)
    if args.sort:
        lower = args.sort.endswith("loss")
        runs.sort(key=lambda r: _order(r.best(args.sort), lower))
    print(table([row(r, args.sort) for r in runs], f"best {args.sort}" if args.sort else "best"))
    return 0


def row(run: record.RunRecord, metric: str | None) -> tuple[str, ...]:
    best = run.best(metric)
    epochs = run.get("train", "epochs", default="?")
    return (
        run.path.name,
        str(run.provenance.get("started", "?")).replace("+00:00", "Z"),
        str(run.get("backend", default="?")),
        str(run.get("data", "dataset", default="?")),
        str(run.get("model", "backbone", default="?")),
        f"{run.epochs_done}/{epochs}",
        "-" if best is None else f"{best:.4f}",
        run.status.split(":", 1)[0],  # a failure's reason is in its report
    )


def table(rows: list[tuple[str, ...]], best: str = "best") -> str:
    columns = [best if c == "best" else c for c in COLUMNS]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _order(value: float | None, lower: bool) -> tuple[bool, float]:
    """Best first; runs without the metric last."""
    if value is None:
        return True, 0.0
    return False, value if lower else -value
