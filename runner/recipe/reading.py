"""Reading a file whose size nobody promised: a recipe, a run directory's JSON and CSV, a dataset
folder's notes. Each is read through here, at most its kind's limit plus one byte, so a file that
is (or links to) /dev/zero or a multi-gigabyte log is refused instead of filling memory, and a
device, FIFO or directory is refused before a byte is read (opening a FIFO would block).
"""

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class Kind:
    what: str  # 'a recipe': how a message names the file
    limit: int  # bytes; a larger file is refused


# A recipe is a page of text; resolved.yaml is one too.
RECIPE = Kind("a recipe", 1 << 20)
# summary.json, classes.json (tens of thousands of class names fit), hashes.json, state.json.
RUN_FILE = Kind("a run directory's JSON file", 8 << 20)
# metrics.csv: one short row per epoch, a million epochs fit.
TABLE = Kind("a CSV table", 256 << 20)
# The small notes a dataset folder keeps beside its downloads (*.verified, *.extracted).
NOTE = Kind("a dataset folder's note", 1 << 20)
# An uncompressed dataset file read whole (MNIST's largest IDX file is 47 MB).
DATA_FILE = Kind("a dataset file read whole", 1 << 30)

_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


class Unreadable(OSError):
    """A file refused for what it is (not a regular file) or its size. An OSError, so that a caller
    that already handles a file it cannot read handles this one too. `problem` ('is a character
    device, ...') follows the file's name in a message; str() is 'it ' + problem."""

    def __init__(self, problem: str):
        super().__init__(f"it {problem}")
        self.problem = problem


def read_bytes(path: str | Path, kind: Kind) -> bytes:
    """The whole file, if it is a regular file of at most kind.limit bytes; else Unreadable.
    A missing file raises FileNotFoundError, as open() would."""
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        for test, what in _NOT_REGULAR:
            if test(info.st_mode):
                raise Unreadable(f"is {what}, not a regular file as {kind.what} must be")
        if info.st_size > kind.limit:
            raise _too_large(kind)
        chunks, left = [], kind.limit + 1  # one byte over the limit tells a file that grew
        while left > 0 and (chunk := os.read(fd, min(left, CHUNK))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise _too_large(kind)
    return b"".join(chunks)


def read_text(path: str | Path, kind: Kind) -> str:
    """The file as UTF-8 text (a UnicodeDecodeError, a ValueError, when it is not)."""
    return read_bytes(path, kind).decode("utf-8")


def read_json(path: str | Path, kind: Kind = RUN_FILE):
    """The file's JSON value (a ValueError when it is not JSON)."""
    return json.loads(read_text(path, kind))


def size_words(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def _too_large(kind: Kind) -> Unreadable:
    return Unreadable(f"is larger than {size_words(kind.limit)}, the most runner reads of {kind.what}")
