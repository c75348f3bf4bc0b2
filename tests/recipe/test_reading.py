"""Every file runner reads is read to at most its kind's limit plus one byte, and only when it is a
regular file: a recipe that is, or links to, /dev/zero, a FIFO or a sparse multi-gigabyte file is
refused at once with a message naming it, in a process whose memory is limited."""

import os

import pytest

from runner.recipe import reading
from tests.conftest import QUICKSTART, bounded


def test_a_recipe_linked_to_dev_zero_is_refused(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    result = bounded("validate", "zero.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr == (
        "zero.yaml: is a character device, not a regular file as a recipe must be; "
        "give the path of a YAML recipe file\n"
    )


def test_a_fifo_recipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    result = bounded("validate", "pipe.yaml", cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert result.stderr.startswith("pipe.yaml: is a named pipe (FIFO), not a regular file"), result.stderr


def test_a_sparse_three_gigabyte_recipe_is_refused_by_its_size(tmp_path):
    with open(tmp_path / "big.yaml", "wb") as f:
        f.truncate(3 << 30)
    result = bounded("validate", "big.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.startswith("big.yaml: is larger than 1 MiB, the most runner reads of a recipe"), result.stderr


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not(tmp_path):
    kind = reading.Kind("a test file", 100)
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert reading.read_bytes(path, kind) == b"x" * 100
    path.write_bytes(b"x" * 101)
    with pytest.raises(reading.Unreadable, match="^it is larger than 100 bytes, the most runner reads of a test file$"):
        reading.read_bytes(path, kind)


def test_a_file_that_reports_no_size_is_still_cut_at_the_limit():
    # /proc files say st_size 0 yet hold text; the read itself stops one byte past the limit.
    with pytest.raises(reading.Unreadable, match="larger than 16 bytes"):
        reading.read_bytes("/proc/self/status", reading.Kind("a test file", 16))


def test_a_recipe_of_normal_size_still_reads(write, cli):
    assert cli("validate", write(QUICKSTART)).code == 0
