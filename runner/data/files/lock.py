"""One process at a time fetches or extracts a dataset: an advisory lock file in its folder.

Data-parallel ranks, or two runs started together, all prepare the same folder; the first
takes the lock and downloads, the others wait and then find the files present and verified.
The lock (fcntl.flock) is released by the kernel when its holder exits, even when killed, so a
crashed download never blocks the next run. The empty `.lock` file itself is left in place:
removing it would let two processes lock two different files of the same name.
"""

import contextlib
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: downloads are not serialised across processes
    fcntl = None

NAME = ".lock"


@contextlib.contextmanager
def held(folder: Path, what: str, out=None):
    """Hold `folder`'s lock for the block; say so if another process holds it first.
    A folder the lock file cannot be created in (read-only storage) is used without it."""
    try:
        handle = open(folder / NAME, "a")
    except OSError:
        yield
        return
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(
                    f"{what}: waiting for another process that is fetching into {folder}/ (lock {folder / NAME})",
                    file=out or sys.stderr,
                    flush=True,
                )
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError:
                pass  # a file system without locks (some NFS and FUSE mounts): go on unlocked
        yield  # closing the file releases the lock
