"""The members of a tar or zip archive, listed without extracting anything, and judged.

A data set's archive needs nothing but plain files and folders under relative names. Anything
else (an absolute name, a `..` part, a link, a device, a fifo) could write outside the folder it
is extracted into, or steer a later write there, so runner.data.files.archive refuses the whole
archive when one member is unsafe, before a byte is written. Names are also split on `\\`:
a zip made on Windows may use it, and there `..\\x` climbs out just like `../x`.
"""

import re
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from runner.recipe.errors import RunFailed

SHOWN = 5  # offending members a message names; the rest are only counted
DRIVE = re.compile(r"[A-Za-z]:")  # `C:x` names a drive on Windows
ZIP_SPECIAL = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a fifo",
    stat.S_IFSOCK: "a socket",
}


@dataclass(frozen=True)
class Member:
    name: str  # as stored in the archive
    parts: tuple[str, ...]  # where it lands below the extraction folder ('' and '.' dropped)
    problem: str  # why it may not be extracted ('a fifo'); '' for a plain file or folder
    is_file: bool
    size: int  # bytes it takes once extracted
    encrypted: bool
    info: tarfile.TarInfo | zipfile.ZipInfo  # what tarfile or zipfile extracts


def tar_members(tar: tarfile.TarFile) -> list[Member]:
    return [_member(i.name, _tar_kind(i), i.isfile(), i.size if i.isfile() else 0, False, i) for i in tar.getmembers()]


def zip_members(archive: zipfile.ZipFile) -> list[Member]:
    return [
        _member(i.filename, _zip_kind(archive, i), not i.is_dir(), i.file_size, bool(i.flag_bits & 0x1), i)
        for i in archive.infolist()
    ]


def refuse_unsafe(archive: Path, members: list[Member], fix: str, password_fix: str) -> None:
    """Raise RunFailed naming the first few unsafe (or encrypted) members and how many in all."""
    unsafe = [m for m in members if m.problem]
    if unsafe:
        raise RunFailed(
            f"{archive}: refused to extract an unsafe member, so nothing was extracted: "
            f"{_count(unsafe, members)} unsafe (an archive may hold only plain files and "
            f"folders under relative names): {_names(unsafe, True)}; {fix}"
        )
    locked = [m for m in members if m.encrypted]
    if locked:
        raise RunFailed(
            f"{archive}: {_count(locked, members)} encrypted, and the runner takes "
            f"no passwords, so nothing was extracted: {_names(locked, False)}; "
            f"{password_fix}"
        )


def _member(name, kind, is_file, size, encrypted, info) -> Member:
    if name.startswith(("/", "\\")) or DRIVE.match(name):
        kind = "an absolute path"
    elif ".." in re.split(r"[/\\]", name):
        kind = "a '..' path"
    # only `/` separates folders where this runs (zipfile and tarfile keep a `\` in the name)
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    return Member(name, parts, kind, is_file, size, encrypted, info)


def _tar_kind(info: tarfile.TarInfo) -> str:
    if info.isfile() or info.isdir():
        return ""
    if info.issym():
        return f"a symbolic link to {info.linkname}"
    if info.islnk():
        return f"a hard link to {info.linkname}"
    if info.ischr():
        return "a character device"
    if info.isblk():
        return "a block device"
    if info.isfifo():
        return "a fifo"
    return f"a member of unknown tar type {info.type!r}"


def _zip_kind(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    kind = stat.S_IFMT(info.external_attr >> 16)  # the unix mode, 0 when the maker set none
    if kind in (0, stat.S_IFREG, stat.S_IFDIR):
        return ""
    if kind == stat.S_IFLNK:  # zipfile would write the link as a file holding its target
        try:
            with archive.open(info) as link:
                return f"a symbolic link to {link.read(200).decode(errors='replace')}"
        except Exception:  # refused either way; the target only makes the message clearer
            return "a symbolic link"
    return ZIP_SPECIAL.get(kind, f"a member of unix file type {kind:#o}")


def _count(some: list[Member], members: list[Member]) -> str:
    return f"{len(some)} of its {len(members)} members {'is' if len(some) == 1 else 'are'}"


def _names(members: list[Member], why: bool) -> str:
    shown = ", ".join(f"{m.name!r}" + (f" ({m.problem})" if why else "") for m in members[:SHOWN])
    return shown + (f" and {len(members) - SHOWN} more" if len(members) > SHOWN else "")
