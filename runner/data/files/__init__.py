"""Datasets read from their official files: fetched, verified and parsed with numpy alone.

No deep-learning framework is imported here, so both backends share these readers. Modules:
sources (URLs, sizes, SHA-256, layout on disk), store (prepare a dataset's folder), fetch
(verified, resumable downloads) and progress (its progress line), lock (one process fetches at
a time), checksum (size and SHA-256 checks, cached), archive and members (safe tar and zip
extraction), user_archive (a user's own archive of image folders), idx and cifar (the file
formats).
"""

from pathlib import Path

import numpy as np

from runner.data.files.cifar import read_cifar10, read_cifar100
from runner.data.files.idx import read_split
from runner.data.files.sources import SOURCES, Source
from runner.data.files.store import prepare

Split = tuple[np.ndarray, np.ndarray]  # (N, C, H, W) uint8 images, (N,) int64 labels
# The datasets whose files hold whole uint8 arrays; COCO's and VOC's hold image files, which
# runner.data.dense reads.
IN_MEMORY = tuple(name for name, source in SOURCES.items() if source.format in ("idx", "cifar10", "cifar100"))


def load_splits(
    name: str, root: str | Path, download: bool, mirror: str | None = None, out=None
) -> tuple[Split, Split]:
    """The (train, test) splits of a dataset in IN_MEMORY, fetching its files if allowed."""
    source = SOURCES[name]
    folder = prepare(source, root, download, mirror, out)
    return read(source, folder, source.train), read(source, folder, source.test)


def read(source: Source, folder: Path, names: tuple[str, ...]) -> Split:
    paths = [folder / n for n in names]
    if source.format == "idx":
        return read_split(*paths)
    if source.format == "cifar10":
        return read_cifar10(paths)
    if source.format == "cifar100":
        return read_cifar100(paths)
    raise ValueError(f"no reader for format {source.format!r}")
