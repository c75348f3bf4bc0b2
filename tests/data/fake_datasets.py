"""Tiny datasets in the official file formats (gzipped IDX; CIFAR's binary records in a .tar.gz),
and the registered sources swapped for them: what the dataset-file and download tests share."""

import dataclasses
import gzip
import hashlib
import io
import struct
import tarfile
from pathlib import Path

import numpy as np

from runner.data.files import lock, sources
from runner.data.files.sources import Remote
from runner.recipe.stages import compile_file
from tests.conftest import ROOT

RNG = np.random.default_rng(0)
TRAIN, TEST = 20, 8  # images per split in every tiny dataset


def idx(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes: magic 0x00 0x00 0x08 <ndim>, big-endian sizes, values."""
    return bytes((0, 0, 8, array.ndim)) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def mnist_like():
    """The four gzipped IDX files, and the (images, labels) of each split."""
    arrays = {
        "train": (RNG.integers(0, 256, (TRAIN, 28, 28), np.uint8), RNG.integers(0, 10, TRAIN, np.uint8)),
        "test": (RNG.integers(0, 256, (TEST, 28, 28), np.uint8), RNG.integers(0, 10, TEST, np.uint8)),
    }
    files = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(idx(arrays[split][0]))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx(arrays[split][1]))
    return files, {k: (x[:, None], y) for k, (x, y) in arrays.items()}


def tar_gz(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    links = links or {}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


def cifar_records(x: np.ndarray, *labels: np.ndarray) -> bytes:
    """Label byte(s), then the red, green and blue 32x32 planes of each image."""
    return np.concatenate([np.stack(labels, axis=1).astype(np.uint8), x.reshape(len(x), -1)], axis=1).tobytes()


def cifar(dataset: str, extra: dict[str, bytes] | None = None, links: dict[str, str] | None = None):
    """The archive in CIFAR-10's or CIFAR-100's layout (plus `extra` members and symbolic
    `links`), and the (images, labels) of each split."""
    extra, links = extra or {}, links or {}
    source = sources.SOURCES[dataset]
    x = RNG.integers(0, 256, (TRAIN + TEST, 3, 32, 32), np.uint8)
    y = RNG.integers(0, 10, len(x), np.uint8) if dataset == "cifar10" else RNG.integers(20, 100, len(x), np.uint8)
    record = cifar_records(x, y) if dataset == "cifar10" else cifar_records(x, y // 5, y)  # coarse < 20 <= fine
    size, per = len(record) // len(x), TRAIN // len(source.train)  # bytes per record, records per file
    members = {
        f"{source.home}/{name}": record[i * per * size : (i + 1) * per * size] for i, name in enumerate(source.train)
    }
    members[f"{source.home}/{source.test[0]}"] = record[TRAIN * size :]
    return {source.files[0].name: tar_gz({**members, **extra}, links)}, {
        "train": (x[:TRAIN], y[:TRAIN]),
        "test": (x[TRAIN:], y[TRAIN:]),
    }


def make(dataset: str):
    return mnist_like() if sources.SOURCES[dataset].format == "idx" else cifar(dataset)


def remote(name: str, data: bytes) -> Remote:
    return Remote(name, len(data), hashlib.sha256(data).hexdigest())


def expect(monkeypatch, dataset: str, files: dict[str, bytes], **changes):
    """Make the registered source expect these files (and any other `changes`); a file of a
    registered name keeps what it unpacks to."""
    registered = {r.name: r for r in sources.SOURCES[dataset].files}
    remotes = tuple(
        dataclasses.replace(registered[n], size=len(d), sha256=hashlib.sha256(d).hexdigest())
        if n in registered
        else remote(n, d)
        for n, d in files.items()
    )
    source = dataclasses.replace(sources.SOURCES[dataset], files=remotes, **changes)
    monkeypatch.setitem(sources.SOURCES, dataset, source)
    return source


def place(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def program(tmp_path, dataset, download=False, val_fraction=0.0):
    """A shipped recipe pointed at this dataset with data.root under tmp_path."""
    overrides = [
        f"data.dataset={dataset}",
        f"data.root={tmp_path / 'data'}",
        f"data.download={str(download).lower()}",
        f"data.val_fraction={val_fraction}",
    ]
    return compile_file(str(ROOT / "recipes/mnist_cnn.yaml"), overrides)[1]


def hidden(folder: Path) -> list[str]:  # temporary .part files and .extracting folders left behind
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != lock.NAME)
