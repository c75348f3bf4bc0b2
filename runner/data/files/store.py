"""A dataset's folder made ready: files present (downloaded if allowed), verified, extracted.

`prepare` is the one entry point; the layout it keeps is described in runner.data.files.sources.
"""

from pathlib import Path

from runner.data.files.archive import extract
from runner.data.files.checksum import check_file
from runner.data.files.fetch import fetch
from runner.data.files.lock import held
from runner.data.files.sources import Remote, Source
from runner.recipe.environment import OFFLINE_ENV, offline
from runner.recipe.errors import RunFailed


def prepare(source: Source, root: str | Path, download: bool, mirror: str | None = None, out=None) -> Path:
    """The folder holding `source`'s files, ready to read (its `home`).

    root: data.root; the dataset lives in root/<dataset>/. download: data.download.
    mirror: a base URL to fetch from instead of the official host. out: where the one line
    per download goes (stderr when None).
    """
    folder = Path(root).expanduser() / source.dataset
    pending = [r for r in source.files if not extracted(folder, r)]
    if not pending:
        return folder / source.home  # extracted before; the archives themselves may be gone
    missing = [r for r in pending if not (folder / r.name).is_file()]
    if missing and (not download or offline()):
        raise RunFailed(_missing_message(source, folder, missing, mirror))
    if missing:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RunFailed(
                f"dataset {source.dataset}: cannot create {folder} ({e.strerror}); set data.root to a writable folder"
            ) from None
    with held(folder, source.dataset, out):  # another process may be fetching the same files
        return _ready(source, folder, mirror, out)


def extracted(folder: Path, remote: Remote) -> bool:
    """Whether `remote` is an archive whose folder is there, holding every file the readers need.
    Extraction ends with one rename, so a folder that is there is whole."""
    unpacked = folder / remote.unpacked
    return bool(remote.unpacked) and unpacked.is_dir() and all((unpacked / n).is_file() for n in remote.needs)


def _ready(source: Source, folder: Path, mirror: str | None, out) -> Path:
    pending = [r for r in source.files if not extracted(folder, r)]  # the lock's last holder may have done them
    for remote in pending:
        if not (folder / remote.name).is_file():
            fetch(source.url(remote, mirror), folder / remote.name, remote, source.dataset, out)
    for remote in pending:
        mismatch = check_file(folder / remote.name, remote)
        if mismatch:
            raise RunFailed(
                f"dataset {source.dataset}: {folder / remote.name} {mismatch}; it is not the "
                f"official file: delete it to download it again (data.download: true), or "
                f"replace it with {source.url(remote, mirror)}"
            )
    for remote in (r for r in pending if r.unpacked):
        if (folder / remote.unpacked).exists():
            raise RunFailed(
                f"dataset {source.dataset}: {folder / remote.unpacked}/ lacks some of "
                f"{', '.join(remote.needs)}; delete it to extract {remote.name} again"
            )
        extract(folder / remote.name, remote.unpacked, remote.needs)
    return folder / source.home


def _missing_message(source: Source, folder: Path, missing: list[Remote], mirror: str | None) -> str:
    names = ", ".join(r.name for r in missing)
    unpacked = [f"{r.unpacked}/" for r in missing if r.unpacked]
    also = ""
    if len(unpacked) == 1:
        also = f" (or the folder {unpacked[0]} extracted from it)"
    elif unpacked:
        also = f" (or the folders {', '.join(unpacked)} extracted from them)"
    urls = " ".join(source.url(r, mirror) for r in missing)
    why, allow = (
        (f"{OFFLINE_ENV} is set", f"unset {OFFLINE_ENV}")
        if offline()
        else ("data.download is false", "set data.download: true")
    )
    return (
        f"dataset {source.dataset}: missing {names} in {folder}/{also}, and {why}; "
        f"download {urls} into {folder}/, or {allow}"
    )
