"""File checks against a Remote's size and SHA-256, remembered in a `<file>.verified` marker.

Hashing CIFAR's 170 MB archive takes about a second, so an existing file is hashed once: the
marker beside it records the size, modification time and hash that passed, and later runs trust
a file whose size and mtime still match. A folder that cannot hold the marker (read-only
storage) is fine; the file is simply hashed on every run.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from runner.data.files.sources import Remote
from runner.recipe import reading

CHUNK = 1 << 20  # bytes read per step while hashing or downloading


@dataclass(frozen=True)
class Mismatch:
    """A failed check: which one ('size' or 'sha256'), and what was expected and found."""

    check: str
    expected: str
    got: str

    def __str__(self) -> str:
        return f"failed the {self.check} check: expected {self.expected}, got {self.got}"


def compare(remote: Remote, size: int, sha256: str | None) -> Mismatch | None:
    """The first check that fails for a file of this size and hash (None: hash not computed)."""
    if remote.size is not None and size != remote.size:
        return Mismatch("size", f"{remote.size:,} bytes", f"{size:,} bytes")
    if sha256 is not None and sha256 != remote.sha256:
        return Mismatch("sha256", remote.sha256, sha256)
    return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def check_file(path: Path, remote: Remote) -> Mismatch | None:
    """Check an existing file, hashing it only when no current marker vouches for it."""
    stat = path.stat()
    if _marked(path, stat, remote):
        return None
    mismatch = compare(remote, stat.st_size, None)  # a wrong size needs no hashing
    if mismatch is None:
        mismatch = compare(remote, stat.st_size, sha256_of(path))
    if mismatch is None:
        mark(path, remote)
    return mismatch


def mark(path: Path, remote: Remote) -> None:
    """Remember that the file as it is now passed both checks."""
    stat = path.stat()
    record = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": remote.sha256}
    try:
        write_note(marker(path), json.dumps(record) + "\n")
    except OSError:
        pass  # read-only folder: the file is hashed again next time


def write_note(path: Path, text: str) -> None:
    """Write a small file under a fresh name, then rename it over `path`: a link planted at
    `path` (in a shared folder) is replaced, never followed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the note from others sharing the folder
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _marked(path: Path, stat: os.stat_result, remote: Remote) -> bool:
    try:
        record = reading.read_json(marker(path), reading.NOTE)
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record == {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": remote.sha256,
    }
