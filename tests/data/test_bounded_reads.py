"""Dataset files read whole (IDX, CIFAR batches) and the notes kept beside downloads are read
bounded: one that is /dev/zero, a FIFO or a gzip bomb gets a message naming it, never a hang or a
MemoryError."""

import gzip
import os

import pytest

from runner.data.files import checksum
from runner.data.files.idx import read_idx
from runner.data.files.sources import Remote
from runner.recipe import reading
from runner.recipe.errors import RunFailed
from tests.conftest import bounded


@pytest.mark.parametrize("reader", ["idx.read_idx(path, 3)", "cifar.read_cifar10([path])"])
def test_a_dataset_file_linked_to_dev_zero_is_refused(tmp_path, reader):
    path = tmp_path / "train-images-idx3-ubyte"
    path.symlink_to("/dev/zero")
    code = f"from pathlib import Path; from runner.data.files import cifar, idx\npath = Path({str(path)!r})\n{reader}"
    result = bounded(code=code)
    assert "RunFailed: " in result.stderr, result.stderr[-2000:]
    assert f"{path} is not a " in result.stderr and "it is a character device, not a regular file" in result.stderr


def test_a_gzip_file_unpacking_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "DATA_FILE", reading.Kind("a dataset file read whole", 1 << 16))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(bytes((0, 0, 8, 3)) + bytes(1 << 17)))
    with pytest.raises(RunFailed, match=r"is not a valid IDX file: it unpacks to more than 64 KiB; delete it"):
        read_idx(path, 3)


def test_a_verified_marker_that_is_a_fifo_is_ignored_without_waiting(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x")
    os.mkfifo(checksum.marker(path))
    code = (
        "from pathlib import Path; from runner.data.files import checksum\n"
        f"print(checksum._marked(Path({str(path)!r}), Path({str(path)!r}).stat(), None))"
    )
    result = bounded(code=code, timeout=30)
    assert result.stdout == "False\n", result.stderr[-2000:]


def test_a_verified_marker_still_vouches_for_its_file(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x")
    remote = Remote("data.bin", 1, checksum.sha256_of(path))
    assert checksum.check_file(path, remote) is None and checksum.marker(path).is_file()
    assert checksum._marked(path, path.stat(), remote)
