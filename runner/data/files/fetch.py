"""Download one file to `.<name>.part` beside its destination, check it, then rename it in.

A file only ever appears under its real name complete and verified. A download that breaks off
(a dropped connection, a host that stops sending, Ctrl-C) keeps its `.part` file, and the next
attempt asks the host for the rest with an HTTP Range request; a host that ignores Range sends
the whole file again. A `.part` is never read as data: it is hashed when complete, and deleted
when it fails a check. It is opened without following links, so a link planted in a shared
folder cannot steer the download into another file. Every failure is a RunFailed naming the
URL, the folder and the fix.
"""

import http.client
import os
import re
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from runner import __version__
from runner.data.files.checksum import CHUNK, compare, mark, sha256_of
from runner.data.files.progress import Progress, megabytes
from runner.data.files.sources import Remote
from runner.recipe.errors import RunFailed

TIMEOUT = 30  # seconds to connect, and seconds without a byte before a download is given up
ATTEMPTS = 3  # a connection that breaks after some bytes arrived is resumed this many times
HTML = (b"<!doctype html", b"<html", b"<head", b"<?xml")  # pages, not data files
FULL = (28, 122)  # ENOSPC, EDQUOT


class Broken(Exception):
    """The connection broke off or stalled after `got` new bytes."""

    def __init__(self, reason: str, got: int):
        super().__init__(reason)
        self.got = got


def fetch(url: str, dest: Path, remote: Remote, dataset: str, out=None) -> Path:
    """Download `url` to `dest`, which must match `remote`'s size (when known) and SHA-256;
    `out` takes the progress lines (stderr when None: stdout is for `run dir:` lines)."""
    folder, part = dest.parent, dest.parent / f".{remote.name}.part"
    out = out or sys.stderr
    try:
        scheme = urllib.parse.urlsplit(url).scheme
    except ValueError as e:  # unbalanced IPv6 brackets and the like
        raise RunFailed(f"dataset {dataset}: cannot fetch {url!r} ({e}); check the URL or mirror") from None
    if scheme not in ("http", "https"):
        raise RunFailed(f"dataset {dataset}: {url!r} is not an http:// or https:// URL; check the mirror or URL given")
    for path in [p for p in (dest, part) if p.is_dir()] + ([part] if part.is_symlink() else []):
        raise RunFailed(f"dataset {dataset}: {path} is in the way (not a plain file); remove it and run again")
    have = part.stat().st_size if part.exists() else 0
    if remote.size is not None and have > remote.size:
        part.unlink()
        have = 0
    _check_space(folder, (remote.size or 0) - have, dataset, remote.name)
    size = f" ({megabytes(remote.size)})" if remote.size else ""
    resumed = f", resuming after {megabytes(have)}" if have else ""
    print(f"{dataset}: downloading {remote.name}{size} from {url} into {folder}/{resumed}", file=out, flush=True)
    for attempt in range(1, ATTEMPTS + 1):
        if remote.size is not None and have == remote.size:
            break  # complete already: a download that broke off after its last byte
        try:
            have = _attempt(url, part, have, remote, dataset, out)
            break
        except BaseException as e:
            if part.is_file() and part.stat().st_size == 0:
                part.unlink()  # opened before connecting, and nothing arrived
            if not isinstance(e, Broken):
                raise
            have = part.stat().st_size if part.exists() else 0
            if not e.got or attempt == ATTEMPTS:
                of = f" of {megabytes(remote.size)}" if remote.size else ""
                raise RunFailed(
                    f"dataset {dataset}: the download of {url} into {folder}/ broke off after "
                    f"{megabytes(have)}{of} ({e}); run the same command again to resume it, or "
                    f"download it yourself into {folder}/"
                ) from None
            print(f"{dataset}: the connection broke off ({e}); resuming after {megabytes(have)}", file=out, flush=True)
    mismatch = compare(remote, part.stat().st_size, sha256_of(part))
    if mismatch:
        part.unlink()
        raise RunFailed(
            f"dataset {dataset}: {remote.name} downloaded from {url} {mismatch}; the download "
            f"was deleted. Run again to retry; if it fails the same way, the host serves a "
            f"different file: put the right {remote.name} in {folder}/ yourself"
        )
    os.replace(part, dest)
    mark(dest, remote)
    return dest


def _attempt(url: str, part: Path, have: int, remote: Remote, dataset: str, out) -> int:
    """Fetch the rest of the file into `part`, which holds `have` bytes: the bytes it holds after."""
    got = 0
    with _open_part(part, have, dataset) as sink:
        response = _connect(url, have, part.parent, dataset)
        if response is None:
            return have  # the host has nothing past `have`: the hash check decides
        with response:
            if have and response.status == 200:
                print(f"{dataset}: the host does not resume downloads; starting again", file=out, flush=True)
                sink.truncate(0)
                have = 0
            elif have and not _continues(response, have):
                part.unlink()
                raise RunFailed(
                    f"dataset {dataset}: {url} answered a resume request with the "
                    "wrong part of the file; the partial download was deleted: run again"
                )
            kind = response.headers.get("Content-Type", "").lower()
            if "text/html" in kind:
                raise _not_a_file(dataset, url, part, f"a web page ({kind})")
            total = remote.size or _length(response, have)
            if remote.size is None and total:
                _check_space(part.parent, total - have, dataset, remote.name)
            limit = None if remote.size is None else remote.size + 1  # one byte too many is enough
            progress = Progress(remote.name, total, have, out)
            try:
                while limit is None or have < limit:
                    try:
                        chunk = response.read(CHUNK)
                    except (OSError, http.client.HTTPException) as e:  # timed out or dropped
                        raise Broken(_reason(e), got) from None
                    if not chunk:
                        if getattr(response, "length", None):  # Content-Length promised more
                            raise Broken(
                                f"the host closed the connection {response.length:,} bytes before the end", got
                            )
                        break
                    if have == 0 and chunk.lstrip(b"\xef\xbb\xbf \t\r\n")[:16].lower().startswith(HTML):
                        raise _not_a_file(dataset, url, part, "an HTML page")
                    try:
                        sink.write(chunk)
                    except OSError as e:
                        raise _cannot_write(part, e, dataset, remote) from None
                    have, got = have + len(chunk), got + len(chunk)
                    progress.add(len(chunk))
            finally:
                progress.close()  # ends the line, also when the download breaks off
    return have


def _open_part(part: Path, have: int, dataset: str):
    """`part` for appending (or afresh), never through a link planted at its name."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_APPEND if have else os.O_TRUNC)
    try:
        return os.fdopen(os.open(part, flags, 0o644), "ab" if have else "wb")
    except OSError as e:
        raise RunFailed(
            f"dataset {dataset}: cannot write {part} ({e.strerror}); fix the "
            "folder's permissions, remove that file, or set data.root to a writable "
            "folder"
        ) from None


def _connect(url: str, have: int, folder: Path, dataset: str):
    """The open response, or None when the host says the file has no bytes past `have`."""
    fix = f"download it yourself into {folder}/"
    try:
        request = urllib.request.Request(url, headers={"User-Agent": f"runner/{__version__}"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        return urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # Range Not Satisfiable: the part may be the whole file
            return None
        advice = (
            "it has no such file: check the URL (or the mirror)"
            if e.code in (401, 403, 404, 410)
            else "try again later, or use a mirror"
        )
        raise RunFailed(
            f"dataset {dataset}: the server answered HTTP {e.code} ({e.reason}) for {url}; {advice}, or {fix}"
        ) from None
    except urllib.error.URLError as e:
        raise RunFailed(
            f"dataset {dataset}: could not reach the host of {url} ({e.reason}); check the network, or {fix}"
        ) from None
    except ValueError as e:  # not a URL urllib can send: unknown type, non-ASCII, bad brackets
        raise RunFailed(f"dataset {dataset}: cannot fetch {url!r} ({e}); check the URL or mirror") from None
    except (OSError, http.client.HTTPException) as e:  # no answer in time, or a broken one
        raise Broken(_reason(e), 0) from None


def _continues(response, have: int) -> bool:
    """Whether the host sent the rest of the file (206 from byte `have`)."""
    start = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return response.status == 206 and start is not None and int(start.group(1)) == have


def _length(response, have: int) -> int | None:
    length = response.headers.get("Content-Length", "")
    return have + int(length) if length.isdigit() else None


def _not_a_file(dataset: str, url: str, part: Path, what: str) -> RunFailed:
    part.unlink(missing_ok=True)
    return RunFailed(
        f"dataset {dataset}: {url} answered with {what} instead of the file (a "
        "login, error or proxy page); nothing was kept. Open the URL in a browser to "
        f"see why, or download the file yourself into {part.parent}/"
    )


def _cannot_write(part: Path, e: OSError, dataset: str, remote: Remote) -> RunFailed:
    if e.errno in FULL:
        if remote.size is None:  # no known end: a part that filled the disk is no use
            part.unlink(missing_ok=True)
        return RunFailed(
            f"dataset {dataset}: {part.parent}/ is full ({e.strerror}); free space "
            "there or set data.root to a larger disk"
        )
    return RunFailed(
        f"dataset {dataset}: cannot write {part} ({e.strerror}); fix the folder, or set data.root to a writable folder"
    )


def _reason(e: Exception) -> str:
    if isinstance(e, TimeoutError):
        return f"the host sent nothing for {TIMEOUT} s"
    return str(e) or type(e).__name__


def _check_space(folder: Path, needed: int, dataset: str, name: str) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise RunFailed(
            f"dataset {dataset}: {name} needs {megabytes(needed)} but {folder}/ has "
            f"{megabytes(free)} free; free space there or set data.root to a larger disk"
        )
