"""Downloads against hosts that misbehave the ways real ones do: a connection dropped mid-file
(resumed with HTTP Range), a host that ignores Range, an HTML page sent with status 200, a host
that stalls, two processes fetching at once. None leaves a file under its real name that a
later run would trust, and every failure is a RunFailed with the URL and the fix."""

import hashlib
import io
import threading

import pytest

from runner.data.files import fetch as fetching
from runner.data.files import sources
from runner.data.files.fetch import fetch
from runner.data.files.progress import Progress
from runner.data.files.sources import Remote
from runner.data.files.store import prepare
from runner.recipe.errors import RunFailed
from tests.http_host import Route

DATA = bytes(range(256)) * 12_000  # 3 MB: several 1 MiB reads


def remote(data: bytes = DATA, name: str = "f.bin") -> Remote:
    return Remote(name, len(data), hashlib.sha256(data).hexdigest())


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "dl").mkdir()
    return tmp_path / "dl"


def test_a_dropped_connection_is_resumed_with_a_range_request(host, folder, capsys):
    base = host.serve({"f.bin": Route(DATA, cut_after=1_500_000, cuts=1)})
    fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert (folder / "f.bin").read_bytes() == DATA and names(folder) == ["f.bin", "f.bin.verified"]
    assert host.requests == [("f.bin", None), ("f.bin", "bytes=1500000-")]
    assert "the connection broke off" in capsys.readouterr().err


def test_a_download_cut_every_time_keeps_its_part_and_the_next_run_resumes(host, folder, capsys):
    route = Route(DATA, cut_after=700_000)
    base = host.serve({"f.bin": route})
    with pytest.raises(RunFailed, match=r"broke off after 2.1 MB of 3.1 MB .*run the same command again to resume"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert names(folder) == [".f.bin.part"]  # never under its real name
    route.cuts = 0
    fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert (folder / "f.bin").read_bytes() == DATA
    assert [r for _, r in host.requests] == [None, "bytes=700000-", "bytes=1400000-", "bytes=2100000-"]
    assert "resuming after 2.1 MB" in capsys.readouterr().err


def test_a_host_ignoring_range_sends_the_whole_file_again(host, folder, capsys):
    (folder / ".f.bin.part").write_bytes(b"\xff" * 1000)  # left by an earlier run, and wrong
    base = host.serve({"f.bin": Route(DATA, ranges=False)})
    fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert (folder / "f.bin").read_bytes() == DATA
    assert "does not resume downloads; starting again" in capsys.readouterr().err


def test_a_wrong_partial_file_fails_the_hash_and_is_deleted(host, folder):
    (folder / ".f.bin.part").write_bytes(b"\xff" * 1000)
    base = host.serve({"f.bin": DATA})
    with pytest.raises(RunFailed, match="failed the sha256 check.*the download was deleted"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert names(folder) == []
    fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")  # the next run starts clean
    assert (folder / "f.bin").read_bytes() == DATA


@pytest.mark.parametrize(
    "kind, said",
    [("text/html; charset=utf-8", r"a web page \(text/html"), ("application/octet-stream", "an HTML page")],
)
def test_an_html_page_sent_with_status_200_is_not_kept(host, folder, kind, said):
    page = b"<!DOCTYPE html><html><body>Please log in</body></html>"
    base = host.serve({"f.bin": Route(page, content_type=kind)})
    with pytest.raises(RunFailed, match=f"answered with {said}.* instead of the file.*nothing was kept") as failed:
        fetch(base + "f.bin", folder / "f.bin", remote(), "cifar10")
    assert base + "f.bin" in str(failed.value) and names(folder) == []


@pytest.mark.parametrize(
    "route",
    [Route(DATA, cut_after=0, stall=5), Route(DATA, silent=5)],
    ids=["silent after the headers", "silent before answering"],
)
def test_a_stalling_host_is_given_up_with_a_message(host, folder, monkeypatch, route):
    monkeypatch.setattr(fetching, "TIMEOUT", 0.3)
    base = host.serve({"f.bin": route})
    with pytest.raises(
        RunFailed,
        match=r"the download of .*f.bin into .* broke off after 0 bytes of 3.1 MB "
        r"\(the host sent nothing for 0.3 s\)",
    ):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert "f.bin" not in names(folder)


def test_a_host_sending_more_than_the_file_is_cut_off(host, folder):
    base = host.serve({"f.bin": DATA * 4})
    with pytest.raises(RunFailed, match="failed the size check"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert names(folder) == []


def test_a_file_larger_than_the_free_space_is_not_started(host, folder, monkeypatch):
    monkeypatch.setattr(fetching.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 1000})())
    base = host.serve({"f.bin": DATA})
    with pytest.raises(RunFailed, match=r"f.bin needs 3.1 MB but .* has 1,000 bytes free"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert host.requests == [] and names(folder) == []


def test_processes_fetching_the_same_dataset_wait_for_one_download(host, tmp_path, monkeypatch):
    files = {"a.bin": DATA, "b.bin": DATA[::-1]}
    source = sources.Source("mnist", "", tuple(remote(d, n) for n, d in files.items()), "idx", (), ())
    base = host.serve({n: Route(d, silent=0.3) for n, d in files.items()})  # slow enough to overlap
    out = [io.StringIO() for _ in range(3)]
    failures = []

    def run(i):
        try:
            prepare(source, tmp_path, True, base, out[i])
        except BaseException as e:  # noqa: BLE001  (reported below)
            failures.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(p for p, _ in host.requests) == ["a.bin", "b.bin"]  # each fetched once
    assert sum("waiting for another process" in o.getvalue() for o in out) == 2
    assert all((tmp_path / "mnist" / n).read_bytes() == d for n, d in files.items())


def test_progress_shows_size_speed_and_time_left():
    clock = iter([0.0, 2.0, 11.0, 12.0])
    out = io.StringIO()
    progress = Progress("cifar-10-binary.tar.gz", 100_000_000, done=20_000_000, out=out, clock=lambda: next(clock))
    progress.add(10_000_000)  # at 2 s: too soon for another line in a log
    progress.add(20_000_000)  # at 11 s
    progress.close()  # at 12 s
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "cifar-10-binary.tar.gz  [############------------]  50.0 MB / 100.0 MB  2.7 MB/s  18 s left"
    )  # resumed bytes do not count towards the speed
    assert lines[1].startswith("cifar-10-binary.tar.gz  [############------------]  50.0 MB / 100.0 MB  2.5 MB/s")
    assert len(lines) == 2


def test_progress_redraws_one_line_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out, clock = Terminal(), iter([0.0, 0.5, 1.0, 1.5])
    progress = Progress("f.bin", None, out=out, clock=lambda: next(clock))
    progress.add(500_000)
    progress.add(500_000)
    progress.close()
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "1.0 MB  0.7 MB/s" in text.splitlines()[-1].split("\r")[-1]


def test_a_part_that_already_holds_the_whole_file_is_kept_when_the_host_has_no_more(host, folder):
    (folder / ".f.bin.part").write_bytes(DATA)  # interrupted while hashing; the size was unknown
    base = host.serve({"f.bin": DATA})
    fetch(base + "f.bin", folder / "f.bin", Remote("f.bin", None, remote().sha256), "folder")
    assert (folder / "f.bin").read_bytes() == DATA and host.requests == [("f.bin", f"bytes={len(DATA)}-")]


def test_a_resume_answered_from_the_wrong_place_is_dropped(host, folder):
    (folder / ".f.bin.part").write_bytes(DATA[:1000])
    base = host.serve({"f.bin": Route(DATA, misplaced=True)})
    with pytest.raises(RunFailed, match="answered a resume request with the wrong part of the file"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert names(folder) == []


def test_a_link_planted_at_the_part_name_is_never_followed(host, folder, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (folder / ".f.bin.part").symlink_to(victim)
    base = host.serve({"f.bin": DATA})
    with pytest.raises(RunFailed, match=r"\.f\.bin\.part is in the way \(not a plain file\); remove it"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    (folder / "f.bin").mkdir()
    with pytest.raises(RunFailed, match=r"f\.bin is in the way"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")
    assert victim.read_bytes() == b"precious" and host.requests == []


@pytest.mark.parametrize(
    "url, problem",
    [
        ("file:///etc/passwd", "is not an http:// or https:// URL"),
        ("http://[::1/x", "cannot fetch"),
        ("http://127.0.0.1:9/f\u00f6.bin", ""),
    ],
)
def test_urls_that_cannot_be_fetched_are_messages(folder, url, problem):
    with pytest.raises(RunFailed, match=problem) as failed:
        fetch(url, folder / "f.bin", remote(), "mnist")
    assert str(failed.value).startswith("dataset mnist: ") and "f.bin" not in names(folder)


def test_an_html_page_behind_a_byte_order_mark_is_still_a_page(host, folder):
    base = host.serve({"f.bin": Route(b"\xef\xbb\xbf\n<HTML><body>Quota exceeded</body></HTML>")})
    with pytest.raises(RunFailed, match="answered with an HTML page"):
        fetch(base + "f.bin", folder / "f.bin", remote(), "mnist")


def test_a_file_system_without_locks_still_prepares(host, tmp_path, monkeypatch):
    from runner.data.files import lock

    def unsupported(*args):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(lock.fcntl, "flock", unsupported)
    source = sources.Source("mnist", "", (remote(),), "idx", (), ())
    prepare(source, tmp_path, True, host.serve({"f.bin": DATA}))
    assert (tmp_path / "mnist" / "f.bin").read_bytes() == DATA
