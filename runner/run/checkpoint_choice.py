"""Which checkpoint a resume starts from: the newest (by optimizer step, from its file name)
whose SHA-256 matches the run's record. A newer file that is truncated, corrupt or unrecorded
(a write cut short) is reported and passed over; with none usable, the resume stops rather than
quietly starting from scratch."""

import re
import sys
from pathlib import Path

from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes

STEP = re.compile(r"step=(\d+)")


def newest_verified(folder: Path, pattern: str) -> Path:
    found = sorted(
        (p for p in folder.glob(pattern) if STEP.search(p.name) and not p.is_symlink()),
        key=lambda p: int(STEP.search(p.name).group(1)),
        reverse=True,
    )
    for path in found:
        if checkpoint_hashes.is_recorded(path):
            return path
        # Renamed, not deleted: it is out of the way of the checkpoint the resumed run writes next.
        aside = path.with_name(path.name + ".passed-over")
        path.rename(aside)
        print(
            f"passing over {path}: incomplete or changed since it was written (its SHA-256 does not "
            f"match {folder / checkpoint_hashes.RECORD}); kept as {aside.name}",
            file=sys.stderr,
        )
    raise RunFailed(
        f"{folder.parent} has no complete checkpoint to resume from; start it again with "
        f"`runner run {folder.parent / 'resolved.yaml'}`"
    )
