"""IDX files (MNIST, Fashion-MNIST), gzipped as served, parsed with numpy alone.

The format (yann.lecun.com/exdb/mnist, "file formats"): a 4-byte magic number 0x00 0x00 <type>
<ndim>, then ndim big-endian uint32 sizes, then the values in row-major order. Type 0x08 is
unsigned byte, the only type these datasets use: images are 0x00000803 (count, rows, columns)
and labels 0x00000801 (count).
"""

import gzip
import io
import math
from pathlib import Path

import numpy as np

from runner.recipe import reading
from runner.recipe.errors import RunFailed

UBYTE = 0x08


def read_split(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 1, H, W) uint8 images and (N,) int64 labels from an images and a labels file."""
    x = read_idx(images, 3)
    y = read_idx(labels, 1)
    if len(x) != len(y):
        raise RunFailed(
            f"{images} holds {len(x)} images but {labels} holds {len(y)} labels; "
            "one of them is not the official file: delete both to fetch them again"
        )
    return x[:, None], y.astype(np.int64)


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """The uint8 array an IDX file holds, which must have `ndim` dimensions."""
    raw = _bytes(path)
    magic = bytes((0, 0, UBYTE, ndim))
    if raw[:4] != magic:
        raise _malformed(
            path,
            f"starts with 0x{raw[:4].hex()} where an IDX file of {ndim}-d unsigned bytes starts with 0x{magic.hex()}",
        )
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise _malformed(path, f"ends after {len(raw)} bytes, inside its header")
    shape = tuple(int(n) for n in np.frombuffer(raw, ">u4", ndim, offset=4))
    if len(raw) - start != math.prod(shape):
        raise _malformed(
            path,
            f"holds {len(raw) - start:,} bytes of values where its header "
            f"({' x '.join(map(str, shape))}) promises {math.prod(shape):,}",
        )
    # A copy: arrays over the immutable bytes would be read-only.
    return np.frombuffer(raw, np.uint8, offset=start).reshape(shape).copy()


def _bytes(path: Path) -> bytes:
    limit = reading.DATA_FILE.limit
    try:
        raw = reading.read_bytes(path, reading.DATA_FILE)
    except reading.Unreadable as e:
        raise _malformed(path, e.problem) from None
    if path.suffix != ".gz":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            values = f.read(limit + 1)  # a bounded read: a small file can unpack to gigabytes
    except (OSError, EOFError) as e:  # BadGzipFile is an OSError; a cut-off stream an EOFError
        raise _malformed(path, f"is not a complete gzip file ({e})") from None
    if len(values) > limit:
        raise _malformed(path, f"unpacks to more than {reading.size_words(limit)}")
    return values


def _malformed(path: Path, problem: str) -> RunFailed:
    return RunFailed(
        f"{path} is not a valid IDX file: it {problem}; delete it and run again "
        "with data.download: true to fetch the official file"
    )
