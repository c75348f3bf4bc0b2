"""Download one file to a temporary name beside its destination, check it, then rename it in.

A file only ever appears under its real name complete and verified: an interrupted or corrupt
download leaves nothing behind (the temporary `.<name>.*.part` file is deleted), so the next
run starts clean. Every failure is a RunFailed naming the URL, the folder and the fix.
"""
import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from runner.datafiles.checksum import CHUNK, Mismatch, compare, mark
from runner.datafiles.sources import Remote
from runner.errors import RunFailed

TIMEOUT = 60  # seconds without a byte before a download is given up


def fetch(url: str, dest: Path, remote: Remote, dataset: str, out=None) -> Path:
    """Download `url` to `dest`, which must match `remote`'s size and SHA-256; `out` takes the
    progress line (stderr when None)."""
    folder = dest.parent
    print(f"{dataset}: downloading {remote.name} ({_megabytes(remote.size)}) from {url} "
          f"into {folder}/", file=out or sys.stderr, flush=True)  # stdout is for `run dir:` lines
    try:
        fd, part = tempfile.mkstemp(dir=folder, prefix=f".{remote.name}.", suffix=".part")
    except OSError as e:
        raise RunFailed(f"dataset {dataset}: cannot write in {folder}/ ({e.strerror}); set "
                        "data.root to a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as sink:
            size, sha256 = _copy(url, sink, remote.size, dataset, folder)
        if size > remote.size:  # _copy stopped early, so `size` is not the whole body
            mismatch = Mismatch("size", f"{remote.size:,} bytes", f"more than {remote.size:,} bytes")
        else:
            mismatch = compare(remote, size, sha256)
        if mismatch:
            raise RunFailed(
                f"dataset {dataset}: {remote.name} downloaded from {url} {mismatch}; the "
                f"download was deleted. Run again to retry; if it fails the same way, the host "
                f"serves a different file: put the official {remote.name} in {folder}/ yourself")
        os.replace(part, dest)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    mark(dest, remote)  # just hashed while downloading: no need to hash it again
    return dest


def _copy(url: str, sink, expected: int, dataset: str, folder: Path) -> tuple[int, str]:
    """Stream the body into `sink`: (bytes written, SHA-256). Stops one chunk past `expected`
    bytes, so a wrong server cannot fill the disk."""
    digest, size = hashlib.sha256(), 0
    fix = f"check the network, or download it yourself into {folder}/"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            while size <= expected and (chunk := response.read(CHUNK)):
                sink.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as e:
        raise RunFailed(f"dataset {dataset}: the server answered HTTP {e.code} ({e.reason}) "
                        f"for {url}; {fix}") from None
    except urllib.error.URLError as e:
        raise RunFailed(f"dataset {dataset}: could not reach the host of {url} ({e.reason}); "
                        f"{fix}") from None
    except (OSError, http.client.HTTPException) as e:  # dropped or timed out mid-way; disk full
        raise RunFailed(f"dataset {dataset}: the download of {url} into {folder}/ broke off "
                        f"({e}); {fix}") from None
    return size, digest.hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size:,} bytes"
