"""A record of the checkpoints a run wrote: checkpoints/hashes.json maps each file's name to its
SHA-256. A checkpoint is loaded only when its hash matches this record, so a file a write cut
short, one from elsewhere or one changed since is refused before it is opened, unless the user
vouches for it (`--trust`, passed in as `trust`). The record guards against accidents, not
attackers (whoever can write a file can write the record), which is why the formats themselves
carry no code: torch's weights-only loading, and safetensors for Paddle."""

import hashlib
import json
import sys
from pathlib import Path

from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.run import atomic
from runner.run.layout import HASHES as RECORD


def sha256(path: Path) -> str:
    if not path.is_file():  # a device or FIFO would be read without end, or block
        raise RunFailed(f"{path} is not a regular file, so it is not a checkpoint this runner wrote")
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record(*paths: Path) -> None:
    """Add (or update) the files' hashes in their folder's record, replacing it atomically."""
    folder = paths[0].parent
    hashes = _read(folder)
    hashes.update({p.name: sha256(p) for p in paths})
    atomic.write_text(folder / RECORD, json.dumps(hashes, indent=2, sort_keys=True) + "\n")


def forget(*paths: Path) -> None:
    """Drop removed files from the record."""
    folder = paths[0].parent
    hashes = _read(folder)
    if any(hashes.pop(p.name, None) for p in paths):
        atomic.write_text(folder / RECORD, json.dumps(hashes, indent=2, sort_keys=True) + "\n")


def expected(path: Path) -> str | None:
    """The SHA-256 the record holds for the file (a symlink is looked up as its target), or None."""
    path = path.resolve()
    return _read(path.parent).get(path.name)


def is_recorded(path: Path) -> bool:
    """Whether the file is in the record with the same SHA-256 (a symlink is checked as its target)."""
    recorded = expected(path)
    return recorded is not None and path.resolve().is_file() and sha256(path.resolve()) == recorded


def verify(*paths: Path, trust: bool = False) -> None:
    """Raise RunFailed unless each file is in its folder's record with the same SHA-256; with
    `trust`, say so and let a file the run did not record (or that changed since) through."""
    for path in paths:
        path = path.resolve()
        expected = _read(path.parent).get(path.name)
        if trust and (expected is None or sha256(path) != expected):
            print(f"loading {path}, which this run did not record, because --trust was given", file=sys.stderr)
            continue
        if expected is None:
            raise RunFailed(
                f"{path} was not written by this run (it is not in {path.parent / RECORD}); "
                "runner loads only checkpoints it recorded (pass --trust to load it anyway)"
            )
        if sha256(path) != expected:
            raise RunFailed(
                f"{path} has changed since this run wrote it (its SHA-256 no longer matches "
                f"{path.parent / RECORD}); it will not be loaded"
            )


def _read(folder: Path) -> dict:
    try:
        return reading.read_json(folder / RECORD)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise RunFailed(f"cannot read {folder / RECORD} ({e}); the checkpoints in {folder} cannot be trusted") from None
