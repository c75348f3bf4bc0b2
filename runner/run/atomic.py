"""Files that are complete or absent: written to a temporary name in the same folder, flushed
and fsynced, then renamed into place (a rename within one filesystem is atomic), so a crash,
a kill or a full disk never leaves half a checkpoint under a name a later run would trust."""

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from runner.recipe.errors import RunFailed


def write(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """Write `path` with fill(file); on failure the old file (if any) is left untouched."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except BaseException as e:  # a stop signal included: no temporary file outlives the write
        tmp.unlink(missing_ok=True)
        if not isinstance(e, (OSError, RuntimeError)):  # torch.save reports a failed write as a RuntimeError
            raise
        full = getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
        reason = "the disk is full" if full else getattr(e, "strerror", None) or str(e).splitlines()[0]
        raise RunFailed(
            f"cannot write {path} ({reason}); "
            f"the checkpoints already in {path.parent} are intact; free space or fix the "
            f"folder, then `runner resume {path.parent.parent}`"
        ) from None


def write_text(path: Path, text: str) -> None:
    write(path, lambda f: f.write(text.encode()))


def link(path: Path, target: str) -> None:
    """Point the symlink `path` at `target` (a name in the same folder), replacing it atomically."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        tmp.symlink_to(target)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # gone once renamed; left only by a stop in between


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX needs the directory entry fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
