"""Which checkpoint a command uses. A resume starts from the newest (by optimizer step, from its
file name) whose files' SHA-256 match the run's record and that loads; with --trust, the newest
that loads. A newer one that is truncated, corrupt, not a checkpoint this runner wrote or
(without --trust) unrecorded, as a write cut short leaves it, is reported and passed over; with
none usable, the resume stops rather than quietly starting from scratch. `runner eval` scores the
best checkpoint the summary names (an unfinished run's best so far), says which it scored and why,
and reads nothing outside the run directory."""

import re
import sys
from collections.abc import Callable
from pathlib import Path

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes, layout

STEP = re.compile(r"step=(\d+)")
EPOCH = re.compile(r"epoch=(\d+)")


def newest_usable(
    folder: Path,
    pattern: str,
    trust: bool = False,
    loads: Callable[[Path], bool] = lambda path: True,
    parts: Callable[[Path], list[Path]] = lambda path: [path],
) -> Path:
    """The newest checkpoint in `folder` matching `pattern` whose files (`parts`: the matching one
    first, then any others it is made of) its run recorded (or, with `trust`, any) and that `loads`;
    each newer one is set aside as `*.passed-over`, with the reason. Without hashes.json nothing
    can be told apart, so nothing is touched and the user is pointed at --trust."""
    found = sorted(
        (p for p in folder.glob(pattern) if STEP.search(p.name) and not p.is_symlink()),
        # at equal steps, the generation a run resumes from before the best-score copy
        key=lambda p: (int(STEP.search(p.name).group(1)), not p.name.startswith("best")),
        reverse=True,
    )
    if found and not trust and not (folder / layout.HASHES).is_file():
        raise RunFailed(
            f"{folder / layout.HASHES} is missing, so runner cannot tell the checkpoints this run wrote "
            f"from files put in {folder}; nothing was changed. If you trust every file there, resume "
            f"with --trust: runner resume {folder.parent} --trust"
        )
    for path in found:
        why = _unusable(parts(path), trust, loads)
        if why is None:
            return path
        # Renamed, not deleted: it is out of the way of the checkpoint the resumed run writes next.
        aside = path.with_name(path.name + ".passed-over")
        for part in parts(path)[1:]:
            if part.exists():
                part.rename(part.with_name(part.name + ".passed-over"))
        path.rename(aside)
        print(f"passing over {path}: {why}; kept as {aside.name}", file=sys.stderr)
    raise RunFailed(
        f"{folder.parent} has no complete checkpoint to resume from; start it again with "
        f"`runner run {folder.parent / layout.RESOLVED}`"
    )


def _unusable(files: list[Path], trust: bool, loads: Callable[[Path], bool]) -> str | None:
    """Why a checkpoint (its files, the one `loads` reads first) cannot be resumed from, or None."""
    for path in files if not trust else ():
        expected = checkpoint_hashes.expected(path)
        if expected is None:
            return f"this run did not record {path.name} in {layout.HASHES} (a write cut short, or a file put there)"
        if not path.is_file() or checkpoint_hashes.sha256(path) != expected:
            return f"{path.name} changed since it was written (its SHA-256 does not match {layout.HASHES})"
    if not loads(files[0]):
        return "it does not load: it is damaged, or not a checkpoint this runner wrote"
    return None


def for_scoring(run_dir: Path, monitor: str) -> tuple[Path, str]:
    """The checkpoint `runner eval RUN_DIR` scores, and why: the best by `monitor` that
    summary.json names (looked up in the run's own checkpoints/); for a run without a summary (one
    stopped early) the best checkpoint it kept; else the newest."""
    summary, why = _summary(run_dir), ""
    best = layout.checkpoint_named(run_dir, summary.get("best_checkpoint") if summary else None)
    if summary is None:
        best = _best_kept(run_dir)
        if best is not None:
            return inside(run_dir, best), f"the best by {monitor} so far: the run has not finished"
        why = "the run has no summary.json (it has not finished) and kept no best checkpoint"
    elif best is not None and best.is_file():
        return inside(run_dir, best), f"the best by {monitor}"
    elif best is None:
        why = "summary.json names no best checkpoint (no validation had run)"
    else:
        why = f"the best checkpoint summary.json names, {best.name}, is not in {best.parent}"
    for name in layout.LAST.values():
        last = layout.checkpoints(run_dir) / name
        if last.is_file():
            return inside(run_dir, last), f"the newest checkpoint: {why}"
    raise RunFailed(f"{run_dir} has no checkpoint yet ({layout.CHECKPOINTS}/ is empty)")


def _best_kept(run_dir: Path) -> Path | None:
    """The newest best-score checkpoint the run recorded (a run keeps one; the newest is the best)."""
    kept = [
        p
        for p in layout.checkpoints(run_dir).glob("best-*")
        if p.suffix in layout.CHECKPOINT_SUFFIXES and EPOCH.search(p.name) and checkpoint_hashes.expected(p)
    ]
    return max(kept, key=lambda p: int(EPOCH.search(p.name).group(1)), default=None)


def inside(run_dir: Path, path: Path) -> Path:
    """`path`, once it is known to lie inside the run directory (links followed): nothing outside
    a run is read as part of it."""
    target = path.resolve()
    if not target.is_relative_to(Path(run_dir).resolve()):
        raise RunFailed(
            f"{path} points outside its run directory (to {target}); runner reads only a run's own files "
            "as part of it. Score that file from its own run directory"
        )
    return path


def _summary(run_dir: Path) -> dict | None:
    path = Path(run_dir) / layout.SUMMARY
    if not path.exists():  # a device or FIFO exists, and the read below refuses it
        return None
    try:
        summary = reading.read_json(path)
    except (OSError, ValueError) as e:
        raise RunFailed(
            f"{path} cannot be read ({e}); score a checkpoint by name: "
            f"runner eval {layout.checkpoints(run_dir)}/CHECKPOINT (`ls {layout.checkpoints(run_dir)}` lists them)"
        ) from None
    if not isinstance(summary, dict):
        raise RunFailed(f"{path} is not a run summary (a JSON object)")
    return summary
