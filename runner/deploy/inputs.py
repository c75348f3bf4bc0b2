"""The files `runner predict` is given: each word an image file, a folder (every file below it), or
a glob pattern, expanded in a fixed order so that two runs over the same tree print the same
lines. A word that names nothing is not an error on its own: it is skipped with the reason,
beside the images that were found."""

import glob
from dataclasses import dataclass
from pathlib import Path

GLOB = set("*?[")


@dataclass(frozen=True)
class Skipped:
    path: str  # as the user wrote it, or as a folder or pattern expanded it
    reason: str


def find(words: list[str]) -> tuple[list[Path], list[Skipped]]:
    """The files the words name, in the order given (a folder's and a pattern's sorted), each once;
    and the words that named no file."""
    files: dict[Path, None] = {}  # an ordered set: a file named twice is predicted once
    skipped = []
    for word in words:
        found, reason = expand(word)
        files.update(dict.fromkeys(found))
        if reason:
            skipped.append(Skipped(word, reason))
    return list(files), skipped


def expand(word: str) -> tuple[list[Path], str | None]:
    if GLOB & set(word):
        matches = sorted(Path(m) for m in glob.glob(word, recursive=True))
        found = [f for m in matches for f in (below(m) if m.is_dir() else [m])]
        return found, None if found else "no file matches this pattern"
    path = Path(word)
    if path.is_dir():
        found = below(path)
        return found, None if found else "this folder holds no files"
    if path.is_file():
        return [path], None
    if path.exists():
        return [], "not a file or a folder"
    return [], "no such file or folder"


def below(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted; hidden files and folders (.DS_Store, .git) left out."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder)))


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
