"""Which checkpoint a command uses. A resume starts from the newest (by optimizer step, from its
file name) whose SHA-256 matches the run's record; with --trust, the newest that is recorded or at
least loads. A newer file that is truncated, corrupt or (without --trust) unrecorded, as a write
cut short leaves it, is reported and passed over; with none usable, the resume stops rather than
quietly starting from scratch. `runner eval` scores the best checkpoint the summary names, and
says which it scored and why."""

import re
import sys
from collections.abc import Callable
from pathlib import Path

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes, layout

STEP = re.compile(r"step=(\d+)")


def newest_usable(
    folder: Path, pattern: str, trust: bool = False, loads: Callable[[Path], bool] = lambda path: True
) -> Path:
    """The newest checkpoint in `folder` matching `pattern` that its run recorded, or (with
    `trust`) that `loads`; each newer one is set aside as `*.passed-over`, with the reason."""
    found = sorted(
        (p for p in folder.glob(pattern) if STEP.search(p.name) and not p.is_symlink()),
        key=lambda p: int(STEP.search(p.name).group(1)),
        reverse=True,
    )
    for path in found:
        if checkpoint_hashes.is_recorded(path) or (trust and loads(path)):
            return path
        # Renamed, not deleted: it is out of the way of the checkpoint the resumed run writes next.
        aside = path.with_name(path.name + ".passed-over")
        path.rename(aside)
        why = (
            "it does not load"
            if trust
            else f"incomplete or changed since it was written (its SHA-256 does not match {folder / layout.HASHES})"
        )
        print(f"passing over {path}: {why}; kept as {aside.name}", file=sys.stderr)
    raise RunFailed(
        f"{folder.parent} has no complete checkpoint to resume from; start it again with "
        f"`runner run {folder.parent / layout.RESOLVED}`"
    )


def for_scoring(run_dir: Path, monitor: str) -> tuple[Path, str]:
    """The checkpoint `runner eval RUN_DIR` scores, and why: the best by `monitor` that
    summary.json names (looked up in the run's own checkpoints/), else the newest."""
    summary, why = _summary(run_dir), ""
    best = layout.checkpoint_named(run_dir, summary.get("best_checkpoint") if summary else None)
    if best is not None and best.is_file():
        return best, f"the best by {monitor}"
    if summary is None:
        why = "the run has no summary.json (it has not finished)"
    elif best is None:
        why = "summary.json names no best checkpoint (no validation had run)"
    else:
        why = f"the best checkpoint summary.json names, {best.name}, is not in {best.parent}"
    for name in layout.LAST.values():
        last = layout.checkpoints(run_dir) / name
        if last.is_file():
            return last, f"the newest checkpoint: {why}"
    raise RunFailed(f"{run_dir} has no checkpoint yet ({layout.CHECKPOINTS}/ is empty)")


def _summary(run_dir: Path) -> dict | None:
    path = Path(run_dir) / layout.SUMMARY
    if not path.exists():  # a device or FIFO exists, and the read below refuses it
        return None
    try:
        summary = reading.read_json(path)
    except (OSError, ValueError) as e:
        raise RunFailed(
            f"{path} cannot be read ({e}); score a checkpoint by name: "
            f"runner eval {layout.checkpoints(run_dir)}/last.ckpt"
        ) from None
    if not isinstance(summary, dict):
        raise RunFailed(f"{path} is not a run summary (a JSON object)")
    return summary
