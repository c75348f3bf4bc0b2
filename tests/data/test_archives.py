"""runner.data.files.archive: tar and zip archives extracted whole and safely, or not at all.

Each archive is built here with tarfile or zipfile. A refusal must name the archive, the member
and what it is, and leave the disk exactly as it was: no target folder, no `.extracting`
scratch folder, nothing written outside.
"""

import io
import stat
import tarfile
import types
import zipfile
from pathlib import Path

import pytest

from runner.data.files import archive as archive_module
from runner.data.files.archive import extract
from runner.recipe.errors import RunFailed

PHOTOS = {"photos/a.txt": b"alpha", "photos/sub/b.bin": bytes(range(256))}
TAR_MODES = {"tar.gz": "w:gz", "tar.bz2": "w:bz2", "tar.xz": "w:xz", "tgz": "w:gz", "tar": "w"}


def tar_entry(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", link: str = ""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    return info, data


def make_tar(path: Path, entries, mode: str = "w:gz") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def make_zip(path: Path, files: dict[str, bytes], modes: dict[str, int] | None = None) -> Path:
    modes = modes or {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = modes.get(name, 0) << 16
            z.writestr(info, data)
    return path


def make(path: Path, files: dict[str, bytes]) -> Path:
    """A tar (compressed as the name says) or a zip holding `files`."""
    kind = path.name.split(".", 1)[1]
    if kind == "zip":
        return make_zip(path, files)
    return make_tar(path, [tar_entry(n, data=d) for n, d in files.items()], TAR_MODES[kind])


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def everything(tmp_path: Path) -> set[Path]:
    return set(tmp_path.rglob("*"))


def refused(tmp_path: Path, archive: Path, match: str, **kwargs) -> str:
    """Extract `archive`, which must fail with `match` and leave every path as it was."""
    before = everything(tmp_path)
    with pytest.raises(RunFailed, match=match) as failed:
        extract(archive, **kwargs)
    assert everything(tmp_path) == before  # no target, no scratch, nothing outside
    message = str(failed.value)
    assert message.startswith(f"{archive}: ") and "nothing was extracted" in message
    return message


@pytest.mark.parametrize(
    "entry, kind",
    [
        (tar_entry("/abs/evil", data=b"owned"), "an absolute path"),
        (tar_entry("photos/../../evil", data=b"owned"), "a '..' path"),
        (tar_entry("photos/link", tarfile.SYMTYPE, link="a.txt"), "a symbolic link to a.txt"),
        (tar_entry("photos/up", tarfile.SYMTYPE, link="../../evil"), "a symbolic link to ../../evil"),
        (tar_entry("photos/hard", tarfile.LNKTYPE, link="photos/a.txt"), "a hard link to photos/a.txt"),
        (tar_entry("photos/tty", tarfile.CHRTYPE), "a character device"),
        (tar_entry("photos/disk", tarfile.BLKTYPE), "a block device"),
        (tar_entry("photos/pipe", tarfile.FIFOTYPE), "a fifo"),
    ],
    ids=lambda v: v if isinstance(v, str) else v[0].name,
)
@pytest.mark.parametrize("top", [None, "photos"])
def test_one_unsafe_tar_member_fails_the_whole_archive(tmp_path, entry, kind, top):
    good = [tar_entry(n, data=d) for n, d in PHOTOS.items()]
    archive = make_tar(tmp_path / "data" / "photos.tar.gz", [*good, entry])
    message = refused(tmp_path, archive, "refused to extract an unsafe member", top=top)
    assert "1 of its 3 members is unsafe" in message and f"{entry[0].name!r} ({kind})" in message
    fix = "make it again without them" if top is None else f"delete {archive} and run again"
    assert fix in message


@pytest.mark.parametrize(
    "name, mode, kind",
    [
        ("/abs/evil", 0, "an absolute path"),
        ("C:/evil", 0, "an absolute path"),
        ("../evil", 0, "a '..' path"),
        ("..\\evil", 0, "a '..' path"),
        ("photos\\..\\..\\evil", 0, "a '..' path"),
        ("photos/link", stat.S_IFLNK | 0o777, "a symbolic link to ../../etc/passwd"),
        ("photos/pipe", stat.S_IFIFO | 0o644, "a fifo"),
    ],
)
def test_one_unsafe_zip_member_fails_the_whole_archive(tmp_path, name, mode, kind):
    data = b"../../etc/passwd" if stat.S_ISLNK(mode) else b"owned"
    archive = make_zip(tmp_path / "data" / "photos.zip", {**PHOTOS, name: data}, {name: mode})
    message = refused(tmp_path, archive, "refused to extract an unsafe member")
    assert "1 of its 3 members is unsafe" in message and f"{name!r} ({kind})" in message


def test_a_refusal_names_the_first_few_and_counts_them_all(tmp_path):
    bad = [tar_entry(f"../evil{i}", data=b"x") for i in range(7)]
    archive = make_tar(tmp_path / "many.tar.gz", [tar_entry("ok.txt", data=b"x"), *bad])
    message = refused(tmp_path, archive, "7 of its 8 members are unsafe")
    assert "'../evil4' (a '..' path) and 2 more;" in message and "evil5" not in message


def test_encrypted_zip_members_are_refused(tmp_path):
    archive = make_zip(tmp_path / "secret.zip", PHOTOS)
    data = bytearray(archive.read_bytes())
    data[data.index(b"PK\x01\x02") + 8] |= 0x1  # the central directory's "encrypted" flag bit
    archive.write_bytes(data)
    message = refused(tmp_path, archive, "1 of its 2 members is encrypted, and the runner takes no passwords")
    assert "'photos/a.txt'; make it again without a password" in message


FORMATS = ["photos.tar.gz", "photos.tar.bz2", "photos.tar.xz", "photos.tgz", "photos.tar", "photos.zip"]


@pytest.mark.parametrize("name", FORMATS)
def test_one_top_folder_is_renamed_into_place(tmp_path, name):
    archive = make(tmp_path / name, PHOTOS)
    assert extract(archive) == tmp_path / "photos"
    assert tree(tmp_path / "photos") == {"a.txt": b"alpha", "sub/b.bin": bytes(range(256))}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "photos"])


@pytest.mark.parametrize("name", FORMATS)
def test_several_top_entries_are_gathered_under_the_archive_stem(tmp_path, name):
    files = {"./readme.txt": b"hi", "cats/1.png": b"\x89PNG", "dogs/2.png": b"\x89PNG2"}
    archive = make(tmp_path / name, files)
    assert extract(archive) == tmp_path / "photos"
    assert tree(tmp_path / "photos") == {"readme.txt": b"hi", "cats/1.png": b"\x89PNG", "dogs/2.png": b"\x89PNG2"}


@pytest.mark.parametrize("name", FORMATS)
def test_a_named_top_folder_alone_is_kept_and_must_hold_the_needed_files(tmp_path, name):
    archive = make(tmp_path / name, {**PHOTOS, "README": b"dropped", "other/x": b"dropped"})
    assert extract(archive, "photos", ("a.txt", "sub/b.bin")) == tmp_path / "photos"
    assert tree(tmp_path / "photos") == {"a.txt": b"alpha", "sub/b.bin": bytes(range(256))}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "photos"])
    (tmp_path / "photos").rename(tmp_path / "kept")
    message = refused(
        tmp_path,
        archive,
        r"holds no photos/c.txt, photos/sub/d\.bin",
        top="photos",
        needs=("a.txt", "c.txt", "sub/d.bin"),
    )
    assert f"delete {archive} and run again to download it afresh" in message
    refused(tmp_path, archive, "holds no elsewhere/a.txt,", top="elsewhere", needs=("a.txt", "b"))
    refused(tmp_path, archive, "holds no elsewhere/, so", top="elsewhere")


def test_the_format_comes_from_the_content_not_the_name(tmp_path):
    archive = make_zip(tmp_path / "photos.tar.gz", PHOTOS)
    assert extract(archive) == tmp_path / "photos" and tree(tmp_path / "photos")["a.txt"] == b"alpha"


@pytest.mark.parametrize("existing", [{}, {"mine.txt": b"keep me"}], ids=["empty", "full"])
def test_an_existing_target_is_neither_overwritten_nor_merged(tmp_path, existing):
    archive = make(tmp_path / "photos.zip", PHOTOS)
    (tmp_path / "photos").mkdir()
    for name, data in existing.items():
        (tmp_path / "photos" / name).write_bytes(data)
    message = refused(tmp_path, archive, f"{tmp_path / 'photos'} already exists")
    assert "delete it to extract the archive again" in message
    assert tree(tmp_path / "photos") == existing


def truncated_tar(path: Path) -> Path:
    data = make(path, {"photos/noise.bin": bytes(range(256)) * 400 + b"end"}).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def bad_crc_zip(path: Path) -> Path:  # damage only extraction finds, after a first file is written
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("photos/a.txt", b"alpha")
        z.writestr("photos/b.txt", b"bravo")
    path.write_bytes(path.read_bytes().replace(b"bravo", b"brave"))
    return path


def written(data: bytes):
    def build(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return build


def bad_name_zip(path: Path) -> Path:  # flagged UTF-8, but the name's bytes are not
    made = make_zip(path, {"photos/\u00e9.txt": b"x"}).read_bytes()
    return written(made.replace("\u00e9".encode(), b"\xff\xfe"))(path)


@pytest.mark.parametrize(
    "name, build, reason",
    [
        ("photos.tar.gz", truncated_tar, r"cannot be extracted \(.+\)"),
        ("photos.zip", bad_name_zip, r"cannot be extracted \('utf-8' codec can't decode"),
        ("photos.zip", lambda p: written(make(p, PHOTOS).read_bytes()[:-30])(p), "neither a tar nor a zip"),
        ("photos.zip", bad_crc_zip, r"cannot be extracted \(Bad CRC-32"),
        ("photos.tar.gz", written(b"not an archive at all\n" * 50), "neither a tar nor a zip"),
        ("photos.tar", written(b""), "neither a tar nor a zip"),
    ],
    ids=["truncated tar.gz", "bad UTF-8 name zip", "truncated zip", "bad CRC zip", "text", "empty"],
)
def test_a_damaged_archive_or_another_file_cannot_be_extracted(tmp_path, name, build, reason):
    archive = build(tmp_path / name)
    assert "make it again" in refused(tmp_path, archive, reason)
    refused(tmp_path, archive, "delete .* and run again to download it afresh", top="photos")


def test_an_archive_larger_than_the_free_space_is_not_started(tmp_path, monkeypatch):
    archive = make(tmp_path / "photos.tar.gz", {"photos/big.bin": bytes(2_000_000)})
    monkeypatch.setattr(
        archive_module.shutil, "disk_usage", lambda path: types.SimpleNamespace(total=10**12, used=10**12, free=500_000)
    )
    message = refused(tmp_path, archive, r"extracting it needs 2\.0 MB but .* has 0\.5 MB free")
    assert f"{tmp_path}/ has" in message


@pytest.mark.parametrize("name", ["photos.tar.gz", "photos.zip"])
def test_an_interrupted_extraction_leaves_nothing_behind(tmp_path, monkeypatch, name):
    archive = make(tmp_path / name, {"photos/a.txt": b"alpha", "photos/b.txt": b"bravo"})
    cls, method = (zipfile.ZipFile, "open") if name.endswith("zip") else (tarfile.TarFile, "makefile")
    real, calls = getattr(cls, method), []

    def second_call_interrupted(self, *args, **kwargs):  # the first file is written, then ^C
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, second_call_interrupted)
    with pytest.raises(KeyboardInterrupt):
        extract(archive)
    assert len(calls) == 2 and sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_the_data_filter_still_stops_a_member_the_listing_let_through(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "refuse_unsafe", lambda *args: None)  # the first line down
    good = [tar_entry(n, data=d) for n, d in PHOTOS.items()]
    up = tar_entry("photos/up", tarfile.SYMTYPE, link="../../evil")
    archive = make_tar(tmp_path / "data" / "photos.tar.gz", [*good, up])
    message = refused(tmp_path, archive, r"refused to extract an unsafe member \(.*photos/up", top="photos")
    assert f"delete {archive} and run again" in message
