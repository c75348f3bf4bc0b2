"""A dataset's folder made ready: files present (downloaded if allowed), verified, extracted.

`prepare` is the one entry point; the layout it keeps is described in runner.data.files.sources.
"""

from pathlib import Path

from runner.data.files.archive import extract
from runner.data.files.checksum import check_file
from runner.data.files.fetch import fetch
from runner.data.files.lock import held
from runner.data.files.sources import Source
from runner.recipe.environment import OFFLINE_ENV, offline
from runner.recipe.errors import RunFailed


def prepare(source: Source, root: str | Path, download: bool, mirror: str | None = None, out=None) -> Path:
    """The folder holding `source`'s train and test files, ready to read.

    root: data.root; the dataset lives in root/<dataset>/. download: data.download.
    mirror: a base URL to fetch from instead of the official host. out: where the one line
    per download goes (stderr when None).
    """
    folder = Path(root).expanduser() / source.dataset
    readable = folder / source.unpacked if source.unpacked else folder
    if source.unpacked and _complete(source, readable):
        return readable  # extracted before; the archive itself may be gone
    missing = [r for r in source.files if not (folder / r.name).is_file()]
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
        return _ready(source, folder, readable, mirror, out)


def _ready(source: Source, folder: Path, readable: Path, mirror: str | None, out) -> Path:
    if source.unpacked and _complete(source, readable):
        return readable  # the process that held the lock before us extracted it
    for remote in source.files:
        if not (folder / remote.name).is_file():
            fetch(source.url(remote, mirror), folder / remote.name, remote, source.dataset, out)
    for remote in source.files:
        mismatch = check_file(folder / remote.name, remote)
        if mismatch:
            raise RunFailed(
                f"dataset {source.dataset}: {folder / remote.name} {mismatch}; it is not the "
                f"official file: delete it to download it again (data.download: true), or "
                f"replace it with {source.url(remote, mirror)}"
            )
    if source.unpacked:
        if readable.exists():
            raise RunFailed(
                f"dataset {source.dataset}: {readable}/ lacks some of "
                f"{', '.join(source.train + source.test)}; delete it to extract "
                f"{source.files[0].name} again"
            )
        extract(folder / source.files[0].name, source.unpacked, source.train + source.test)
    return readable


def _complete(source: Source, readable: Path) -> bool:
    return all((readable / name).is_file() for name in source.train + source.test)


def _missing_message(source: Source, folder: Path, missing, mirror: str | None) -> str:
    names = ", ".join(r.name for r in missing)
    also = f" (or the folder {source.unpacked}/ extracted from it)" if source.unpacked else ""
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
