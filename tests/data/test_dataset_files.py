"""MNIST, Fashion-MNIST and CIFAR read from files in their official formats, fetched verified.

Every file is a tiny one the test writes in the host's format (gzipped IDX; CIFAR's binary
records in a .tar.gz) and the dataset's registered sizes and SHA-256 sums are swapped for the
tiny files' own. Downloads come from a server on 127.0.0.1; nothing touches the network.
"""

import dataclasses
import gzip
import hashlib
import os
import socket

import numpy as np
import pytest

from runner.data.arrays import load_arrays
from runner.data.files import checksum, lock, sources
from runner.data.files.cifar import read_cifar10, read_cifar100
from runner.data.files.fetch import fetch
from runner.data.files.idx import read_idx
from runner.data.files.store import prepare
from runner.recipe.errors import RunFailed
from runner.recipe.numbers import split_sizes
from tests.data.fake_datasets import (
    TEST,
    TRAIN,
    cifar,
    expect,
    hidden,
    idx,
    make,
    mnist_like,
    place,
    program,
    remote,
    tar_gz,
)


@pytest.mark.parametrize(
    "dataset, shape",
    [("mnist", (1, 28, 28)), ("fashion_mnist", (1, 28, 28)), ("cifar10", (3, 32, 32)), ("cifar100", (3, 32, 32))],
)
def test_official_formats_give_the_pixels_and_labels_they_hold(tmp_path, monkeypatch, dataset, shape):
    files, arrays = make(dataset)
    expect(monkeypatch, dataset, files)
    folder = place(tmp_path / "data" / dataset, files)
    got = load_arrays(program(tmp_path, dataset).data)
    assert got.x_train.shape == (TRAIN, *shape) and got.x_val.shape == (TEST, *shape)
    assert got.x_train.dtype == np.uint8 and got.y_train.dtype == got.y_val.dtype == np.int64
    for have, want in zip((got.x_train, got.y_train, got.x_val, got.y_val), (*arrays["train"], *arrays["test"])):
        np.testing.assert_array_equal(have, want)  # CIFAR-100: the fine label, not the coarse
    assert got.x_train.flags.writeable  # torch.from_numpy warns on read-only arrays
    assert all((folder / f"{name}.verified").is_file() for name in files) and hidden(folder) == []
    assert {(folder / f"{name}.verified").stat().st_mode & 0o777 for name in files} == {0o644}  # others may read it
    if sources.SOURCES[dataset].home:  # once extracted, the folder alone is enough
        (folder / next(iter(files))).unlink()
        np.testing.assert_array_equal(load_arrays(program(tmp_path, dataset).data).x_val, arrays["test"][0])


def test_cifar_record_is_label_then_red_green_blue_planes(tmp_path):
    record = bytes([7]) + bytes(range(256)) * 12  # 3072 pixel bytes
    (tmp_path / "one.bin").write_bytes(record)
    x, y = read_cifar10([tmp_path / "one.bin"])
    assert y.tolist() == [7]
    assert x[0, 0, 0, 1] == record[1 + 1]  # red, row 0, column 1
    assert x[0, 1, 0, 0] == record[1 + 1024]  # green starts after the 1024 red bytes
    assert x[0, 2, 1, 0] == record[1 + 2048 + 32]  # blue, row 1: rows are 32 bytes


def test_val_fraction_holds_out_a_seeded_part_of_train(tmp_path, monkeypatch):
    files, arrays = mnist_like()
    expect(monkeypatch, "mnist", files)
    place(tmp_path / "data" / "mnist", files)
    p = program(tmp_path, "mnist", val_fraction=0.25)
    got = load_arrays(p.data)
    train, val = split_sizes(p.data, TRAIN, 0)
    assert (len(got.x_train), len(got.x_val)) == (train, val) == (15, 5)
    order = np.random.default_rng(p.seed).permutation(TRAIN)
    np.testing.assert_array_equal(got.x_val, arrays["train"][0][order[train:]])
    np.testing.assert_array_equal(got.y_train, arrays["train"][1][order[:train]])


def test_malformed_files_say_what_is_wrong(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx(np.zeros(3, np.uint8))))  # a labels file
    with pytest.raises(RunFailed, match=r"not a valid IDX file: it starts with 0x00000801 where .* 0x00000803"):
        read_idx(path, 3)
    path.write_bytes(gzip.compress(idx(np.zeros((2, 28, 28), np.uint8))[:-5]))
    with pytest.raises(RunFailed, match=r"holds 1,563 bytes of values where its header \(2 x 28 x 28\) promises 1,568"):
        read_idx(path, 3)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(RunFailed, match="not a complete gzip file"):
        read_idx(path, 3)
    path.write_bytes(bytes(3073))  # a CIFAR-10 record where CIFAR-100 has 3074 bytes
    with pytest.raises(RunFailed, match="not a whole number of 3074-byte records"):
        read_cifar100([path])


@pytest.mark.parametrize("dataset", ["mnist", "cifar10"])
def test_missing_files_without_download_name_files_folder_and_url(tmp_path, dataset):
    with pytest.raises(RunFailed) as failed:
        load_arrays(program(tmp_path, dataset, download=False).data)
    message, source = str(failed.value), sources.SOURCES[dataset]
    assert f"{tmp_path / 'data' / dataset}/" in message and "data.download" in message
    assert all(r.name in message and source.url(r) in message for r in source.files)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("dataset", ["fashion_mnist", "cifar100"])
def test_missing_files_are_downloaded_verified_and_renamed_into_place(tmp_path, monkeypatch, server, capsys, dataset):
    files, arrays = make(dataset)
    base = server(files)
    expect(monkeypatch, dataset, files, base_url=base)
    got = load_arrays(program(tmp_path, dataset, download=True).data)
    np.testing.assert_array_equal(got.x_val, arrays["test"][0])
    folder = tmp_path / "data" / dataset
    assert all((folder / name).read_bytes() == data for name, data in files.items())
    assert hidden(folder) == []
    name, data = next(iter(files.items()))
    assert f"downloading {name} ({len(data):,} bytes) from {base}{name} into {folder}/" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change, check",
    [
        (lambda r: dataclasses.replace(r, sha256="0" * 64), "sha256"),
        (lambda r: dataclasses.replace(r, size=r.size + 1), "size"),
        (lambda r: dataclasses.replace(r, size=r.size - 1), "size"),
    ],
)
def test_a_download_failing_a_check_is_deleted_and_named(tmp_path, server, change, check):
    data = bytes(range(256)) * 5000  # more than one 1 MiB read
    base = server({"f.bin": data})
    (folder := tmp_path / "dl").mkdir()
    with pytest.raises(RunFailed, match=f"failed the {check} check: expected") as failed:
        fetch(base + "f.bin", folder / "f.bin", change(remote("f.bin", data)), "mnist")
    assert list(folder.iterdir()) == []  # neither the file nor its temporary .part
    assert base + "f.bin" in str(failed.value) and f"{folder}/" in str(failed.value)
    if check == "sha256":
        assert f"expected {'0' * 64}, got {hashlib.sha256(data).hexdigest()}" in str(failed.value)


@pytest.mark.parametrize(
    "state, problem",
    [("down", "could not reach the host of"), ("up", r"the server answered HTTP 404 \(File not found\) for")],
)
def test_a_failed_download_names_the_url_and_folder(tmp_path, server, state, problem):
    if state == "up":
        base = server({"other.bin": b"x"})
    else:
        with socket.socket() as s:  # a port nothing listens on once closed
            s.bind(("127.0.0.1", 0))
            base = f"http://127.0.0.1:{s.getsockname()[1]}/"
    with pytest.raises(RunFailed, match=f"{problem} {base}train-images-idx3-ubyte.gz") as failed:
        prepare(sources.SOURCES["mnist"], tmp_path / "data", True, mirror=base)
    assert f"download it yourself into {tmp_path / 'data' / 'mnist'}/" in str(failed.value)
    assert [p.name for p in (tmp_path / "data" / "mnist").iterdir()] == [lock.NAME]


def test_an_existing_file_is_hashed_once_and_a_wrong_one_is_caught(tmp_path, monkeypatch):
    files, _ = mnist_like()
    source, root = expect(monkeypatch, "mnist", files), tmp_path / "data"
    labels = place(root / "mnist", files) / "t10k-labels-idx1-ubyte.gz"
    prepare(source, root, False)
    with monkeypatch.context() as m:
        m.setattr(checksum, "sha256_of", lambda path: pytest.fail(f"{path} hashed again"))
        prepare(source, root, False)
    stat = labels.stat()
    labels.write_bytes(b"\0" * stat.st_size)  # same size, other bytes
    os.utime(labels, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a coarse clock may not tick
    with pytest.raises(RunFailed, match=r"t10k-labels-idx1-ubyte.gz failed the sha256 check.*delete it to"):
        prepare(source, root, False)
    assert labels.exists()  # a user's file is reported, never deleted
    place(tmp_path / "data" / "cifar10", {"cifar-10-binary.tar.gz": b"short"})
    with pytest.raises(RunFailed, match=r"failed the size check: expected 170,052,171 bytes, got 5 bytes"):
        prepare(sources.SOURCES["cifar10"], tmp_path / "data", False)


@pytest.mark.parametrize("case", ["../name", "link up", "link to /", "/absolute name"])
def test_an_archive_with_a_member_reaching_outside_is_refused_whole(tmp_path, monkeypatch, case):
    extra, links = {
        "../name": ({"../evil": b"owned"}, {}),
        "link up": ({}, {"cifar-10-batches-bin/evil": "../../evil"}),
        "link to /": ({}, {"cifar-10-batches-bin/evil": "/etc/passwd"}),
        "/absolute name": ({str(tmp_path / "outside" / "evil"): b"owned"}, {}),
    }[case]
    files, _ = cifar("cifar10", extra, links)
    folder = place(tmp_path / "data" / "cifar10", files)
    with pytest.raises(RunFailed, match="refused to extract an unsafe member"):
        prepare(expect(monkeypatch, "cifar10", files), tmp_path / "data", False)
    assert sorted(p.name for p in folder.iterdir()) == [
        lock.NAME,
        "cifar-10-binary.tar.gz",
        "cifar-10-binary.tar.gz.verified",
    ]
    assert not list(tmp_path.rglob("evil"))


def test_an_archive_without_the_expected_folder_is_reported(tmp_path, monkeypatch):
    files = {"cifar-10-binary.tar.gz": tar_gz({"elsewhere/test_batch.bin": b"x"})}
    place(tmp_path / "data" / "cifar10", files)
    with pytest.raises(RunFailed, match="holds no cifar-10-batches-bin/data_batch_1.bin"):
        prepare(expect(monkeypatch, "cifar10", files), tmp_path / "data", False)
    assert not (tmp_path / "data" / "cifar10" / "cifar-10-batches-bin").exists()
