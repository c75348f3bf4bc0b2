"""Safe extraction of a tar (of any compression) or zip archive into a folder beside it.

Every member is listed and judged first (runner.data.files.members): one absolute name, `..`
part, link, device or fifo fails the whole archive before a byte is written, and so does a
total size beyond the disk's free space. tarfile's "data" filter (PEP 706) stays on as a second
line of defence. Members are written into a hidden `.<name>.*.extracting` folder beside the
target, always deleted afterwards, and the result appears by one rename, so an interrupted run
never leaves a half dataset that looks complete.
"""

import errno
import lzma
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from runner.data.files.members import Member, refuse_unsafe, tar_members, zip_members
from runner.data.files.progress import megabytes
from runner.recipe.errors import RunFailed

SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
# what reading a damaged archive raises: each compression fails in its own way
DAMAGED = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,  # zipfile: a compression method it lacks (deflate64)
    ValueError,
)  # zipfile: a name that is not the UTF-8 its flag promises
LOCAL = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}  # the folder's fault


def extract(archive: Path, top: str | None = None, needs: tuple[str, ...] = ()) -> Path:
    """Extract `archive` (tar of any compression, or zip; detected from its content, not its
    name) beside itself and return the folder made.

    top given (an official download): the archive must hold folder `top` with every file in
    `needs` (paths relative to top); only `top` is extracted, as archive.parent/top.
    top None (a user's own archive): if every member lies under one top-level folder, that
    folder becomes archive.parent/<that folder>, as `tar -xf` there would give; otherwise
    everything is gathered under archive.parent/<stem>/, stem being the name less its suffix.
    An existing target is never overwritten or merged into: delete it to extract again.
    """
    if not hasattr(tarfile, "data_filter"):  # PEP 706 came in 3.11.4 (and 3.10.12, 3.12)
        raise RunFailed(
            f"{archive}: extracting it safely needs Python 3.11.4 or newer; extract "
            f"it in {archive.parent}/ yourself, or upgrade Python"
        )
    if top is None:  # a user's own archive: the fix is to make it again, not to download it
        unsafe, locked = "make it again without them", "make it again without a password"
        damaged = "make it again (`tar -tf` or `unzip -l` lists a whole one)"
    else:
        unsafe = locked = damaged = f"delete {archive} and run again to download it afresh"
    with _open(archive, damaged) as opened:
        members = _list(archive, opened, damaged)
        refuse_unsafe(archive, members, unsafe, locked)
        name, into, kept = _layout(archive, members, top, needs, damaged)
        target = archive.parent / name
        _refuse_existing(archive, target)
        _check_space(archive, kept)
        scratch = _scratch(archive, name)
        try:
            _unpack(archive, opened, scratch / into, kept, damaged)
            _refuse_existing(archive, target)  # again: a rename would replace an empty folder
            os.rename(scratch / name, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def destination(archive: Path) -> Path:
    """The folder extract(archive) would make (top None), found by listing the members only."""
    fix = "make it again (`tar -tf` or `unzip -l` lists a whole one)"
    with _open(archive, fix) as opened:
        name = _layout(archive, _list(archive, opened, fix), None, (), fix)[0]
    return archive.parent / name


def _open(archive: Path, fix: str) -> tarfile.TarFile | zipfile.ZipFile:
    try:  # tar first: a zip's end record could turn up inside an uncompressed tar
        return tarfile.open(archive, "r:*", errorlevel=1)
    except tarfile.ReadError:
        pass  # not a tar under any compression tarfile knows
    except DAMAGED as e:
        raise _failure(archive, e, fix, "read") from None
    try:
        return zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise RunFailed(
            f"{archive}: cannot be extracted (it is neither a tar nor a zip archive, "
            f"or it is damaged); nothing was extracted; {fix}"
        ) from None
    except DAMAGED as e:
        raise _failure(archive, e, fix, "read") from None


def _list(archive: Path, opened, fix: str) -> list[Member]:
    try:  # a tar is read through to its end here, so most damage shows now
        if isinstance(opened, tarfile.TarFile):
            return tar_members(opened)
        return zip_members(opened)
    except DAMAGED as e:
        raise _failure(archive, e, fix, "read") from None


def _layout(
    archive: Path, members: list[Member], top: str | None, needs: tuple[str, ...], fix: str
) -> tuple[str, str, list[Member]]:
    """The folder to make, the folder below scratch to extract into, and the members to write."""
    if top is not None:
        kept = [m for m in members if m.parts[:1] == (top,)]
        files = {m.parts for m in kept if m.is_file}
        absent = [f"{top}/{n}" for n in needs if (top, *PurePosixPath(n).parts) not in files]
        if not absent and not any(len(m.parts) > 1 or not m.is_file for m in kept):
            absent = [f"{top}/"]  # needs nothing in particular, but the folder at least
        if absent:
            raise RunFailed(f"{archive}: holds no {', '.join(absent)}, so nothing was extracted; {fix}")
        return top, "", kept
    tops = {m.parts[0] for m in members if m.parts}
    if not tops:
        raise RunFailed(
            f"{archive}: holds no files, so nothing was extracted; give an archive that holds the data set's files"
        )
    if len(tops) == 1 and all(len(m.parts) > 1 or not m.is_file for m in members if m.parts):
        return tops.pop(), "", members  # one folder: as `tar -xf` would leave it
    stem = _stem(archive.name)
    return stem, stem, members


def _stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(name).stem if Path(name).suffix else f"{name}-files"  # never the archive's name


def _refuse_existing(archive: Path, target: Path) -> None:
    if target.exists() or target.is_symlink():
        raise RunFailed(
            f"{archive}: {target} already exists, so nothing was extracted; delete "
            "it to extract the archive again (nothing is overwritten or merged)"
        )


def _check_space(archive: Path, kept: list[Member]) -> None:
    # declared sizes bind: tarfile writes exactly them and zipfile stops at them
    needed, free = sum(m.size for m in kept), shutil.disk_usage(archive.parent).free
    if needed > free:
        raise RunFailed(
            f"{archive}: extracting it needs {megabytes(needed)} but {archive.parent}/ has "
            f"{megabytes(free)} free, so nothing was extracted; free some space there, or "
            "move the archive (and data.root) to a larger disk"
        )


def _scratch(archive: Path, name: str) -> Path:
    # Callers hold the folder's lock, so a scratch folder already here was left by a killed run.
    for stale in archive.parent.glob(f".{name}.*.extracting"):
        shutil.rmtree(stale, ignore_errors=True)
    try:
        return Path(tempfile.mkdtemp(dir=archive.parent, prefix=f".{name}.", suffix=".extracting"))
    except OSError as e:
        raise RunFailed(
            f"{archive}: cannot extract it in {archive.parent}/ ({e.strerror}); "
            "extract it there yourself, or set data.root to a writable folder"
        ) from None


def _unpack(archive: Path, opened, into: Path, kept: list[Member], fix: str) -> None:
    into.mkdir(exist_ok=True)  # so that a stem folder exists even when it holds only folders
    try:
        if isinstance(opened, tarfile.TarFile):
            opened.extractall(into, [m.info for m in kept], filter="data")
        else:  # zipfile also drops `..` and leading slashes itself
            opened.extractall(into, [m.info for m in kept])
    except tarfile.FilterError as e:  # the check in members.py missed it
        raise RunFailed(
            f"{archive}: refused to extract an unsafe member ({e}), so nothing was extracted; {fix}"
        ) from None
    except DAMAGED as e:
        raise _failure(archive, e, fix, "extract") from None


def _failure(archive: Path, e: Exception, fix: str, doing: str) -> RunFailed:
    if isinstance(e, OSError) and e.errno in LOCAL:  # the disk or the file system, not the data
        where = f"into {archive.parent}/" if doing == "extract" else "it"
        return RunFailed(
            f"{archive}: cannot {doing} {where} ({e.strerror}), so nothing was "
            "extracted; make room or fix the permissions there, or set data.root "
            "to a writable folder"
        )
    return RunFailed(f"{archive}: cannot be extracted ({e or type(e).__name__}); nothing was extracted; {fix}")
