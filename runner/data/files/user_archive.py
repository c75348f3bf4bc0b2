"""A user's own archive of image folders (`folder` with data.url and data.sha256, or
`runner download folder --url --sha256`): fetched into data.root, verified, extracted safely.

The archive keeps its name from the URL, so it is fetched once and can be placed by hand on a
machine without network. It is extracted beside itself: an archive whose members all lie under
one folder gives root/<that folder>/, as `tar -xf` would; any other gives root/<archive name
without extension>/. A `<archive>.extracted` note records the folder made, so later runs need
neither the network nor a pass over the archive.
"""

import json
import re
import urllib.parse
from pathlib import Path

from runner.data.files.archive import destination, extract
from runner.data.files.checksum import check_file, write_note
from runner.data.files.fetch import fetch
from runner.data.files.lock import held
from runner.data.files.sources import SOURCES, Remote
from runner.recipe import reading
from runner.recipe.environment import OFFLINE_ENV, offline
from runner.recipe.errors import RunFailed

LABEL = "folder"  # the dataset's name in messages
RESERVED = set(SOURCES) | {"imagenet"}  # folders under data.root that official datasets own


def archive_name(url: str, sha256: str) -> str:
    """The file name the URL ends in, when it is a plain one; else one made from the hash."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    return name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,200}", name) else f"archive-{sha256[:16]}"


def fetch_folder(url: str, sha256: str, root: str | Path, download: bool = True, out=None) -> Path:
    """The folder extracted from the archive at `url`, fetching it into `root` first if needed."""
    root = Path(root).expanduser()
    remote = Remote(archive_name(url, sha256), None, sha256.lower())
    archive = root / remote.name
    done = _extracted(archive, remote)
    if done:
        return done
    if not archive.is_file() and (not download or offline()):
        why, allow = (
            (f"{OFFLINE_ENV} is set", f"unset {OFFLINE_ENV}")
            if offline()
            else ("data.download is false", "set data.download: true")
        )
        raise RunFailed(
            f"dataset {LABEL}: {remote.name} is not in {root}/, and {why}; download {url} into {root}/, or {allow}"
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunFailed(
            f"dataset {LABEL}: cannot create {root} ({e.strerror}); set data.root to a writable folder"
        ) from None
    with held(root, LABEL, out):
        done = _extracted(archive, remote)  # another process may have finished it meanwhile
        if done:
            return done
        if not archive.is_file():
            fetch(url, archive, remote, LABEL, out)
        mismatch = check_file(archive, remote)
        if mismatch:
            raise RunFailed(
                f"dataset {LABEL}: {archive} {mismatch}; it is not the archive data.sha256 "
                f"names: delete it to download {url} again, or correct data.sha256"
            )
        folder = destination(archive)
        if folder.name in RESERVED:
            raise RunFailed(
                f"dataset {LABEL}: {archive} would be extracted to {folder}/, the "
                f"folder of the {folder.name} dataset; keep your archive in another "
                "folder: set data.root (or --root) elsewhere"
            )
        if not folder.is_dir():  # a folder already there: extracted before, or by hand
            extract(archive)
        write_note(_note_path(archive), json.dumps({"sha256": remote.sha256, "folder": folder.name}) + "\n")
    return folder


def describe(folder: Path) -> str:
    """What a recipe should name: the train/ and val/ inside, or the folder itself."""
    subfolders = sorted(p.name for p in folder.iterdir() if p.is_dir())
    if "train" in subfolders:
        val = f", data.val_dir: {folder / 'val'}" if "val" in subfolders else ""
        return f"data.train_dir: {folder / 'train'}{val}"
    shown = ", ".join(subfolders[:5]) + (", ..." if len(subfolders) > 5 else "")
    return f"data.train_dir: {folder} (its {len(subfolders)} subfolders are the classes: {shown})"


def _note_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".extracted")


def _extracted(archive: Path, remote: Remote) -> Path | None:
    """The folder a note says this very archive was extracted to, if it is still there."""
    try:
        note = reading.read_json(_note_path(archive), reading.NOTE)
        name = note["folder"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or note.get("sha256") != remote.sha256:
        return None  # not a note this module wrote
    return archive.parent / name if (archive.parent / name).is_dir() else None
