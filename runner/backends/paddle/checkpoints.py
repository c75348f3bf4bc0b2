"""Checkpoints of a Paddle run that are complete and verified, or invisible.

Each checkpoint is a generation of three files, `epoch=E-step=S.pdparams` (weights), `.pdopt`
(optimizer and schedule) and `.json` (epoch, step, best score, random generators' states), each
written atomically; their SHA-256 enter checkpoints/hashes.json once all three are complete, and
nothing is unpickled by paddle.load unless its hash matches. The two newest generations are kept,
`last.pdparams`/`last.pdopt` link the newest, and the best weights are kept as best-epoch=E.pdparams.
"""

import io
import json
from pathlib import Path

import paddle
from paddle.base import libpaddle

from runner.recipe.errors import RunFailed
from runner.run import atomic, checkpoint_hashes, layout
from runner.run import random_state as shared_random_state
from runner.run.checkpoint_choice import newest_usable

KEEP = 2


def save(model: paddle.Model, folder: Path, state: dict) -> None:
    """Write the generation for `state` (epoch = epochs done, step = optimizer steps done)."""
    folder.mkdir(exist_ok=True)
    name = f"epoch={state['epoch'] - 1}-step={state['step']:08d}"
    files = [folder / f"{name}{suffix}" for suffix in (".pdparams", ".pdopt", ".json")]
    atomic.write(files[0], lambda f: f.write(_serialized(model.network.state_dict())))
    atomic.write(files[1], lambda f: f.write(_serialized(model._optimizer.state_dict())))
    atomic.write_text(files[2], json.dumps({**state, "random": random_state()}, indent=2) + "\n")
    checkpoint_hashes.record(*files)
    for suffix in (".pdparams", ".pdopt"):
        atomic.link(folder / f"last{suffix}", f"{name}{suffix}")
    generations = sorted(folder.glob("epoch=*.json"), key=lambda p: int(p.stem.rsplit("=", 1)[1]))
    for old in generations[:-KEEP]:
        stale = [old.with_suffix(s) for s in (".pdparams", ".pdopt", ".json")]
        for path in stale:
            path.unlink(missing_ok=True)
        checkpoint_hashes.forget(*stale)


def save_best(model: paddle.Model, folder: Path, epoch: int, previous: str | None) -> str:
    """Write the best weights so far; remove the previous best; return the new one's name as
    summary.json records it (relative to the run directory)."""
    path = folder / f"best-epoch={epoch}.pdparams"
    atomic.write(path, lambda f: f.write(_serialized(model.network.state_dict())))
    checkpoint_hashes.record(path)
    if previous and Path(previous).name != path.name:  # older runs recorded a working-folder path
        (folder / Path(previous).name).unlink(missing_ok=True)
        checkpoint_hashes.forget(folder / Path(previous).name)
    return layout.recorded_name(path)


def restore(model: paddle.Model, run_dir: Path, trust: bool = False) -> tuple[dict, Path]:
    """Load the newest verified (or, with `trust`, readable) generation into the model and the
    random generators; return its state and its weights file."""
    # _readable unpickles: only for files the user vouched for
    meta = newest_usable(layout.checkpoints(run_dir), "epoch=*.json", trust, _readable if trust else lambda p: True)
    prefix = meta.with_suffix("")
    weights, optimizer = prefix.with_suffix(".pdparams"), prefix.with_suffix(".pdopt")
    checkpoint_hashes.verify(weights, optimizer, trust=trust)
    try:
        model.load(str(prefix))
        state = json.loads(meta.read_text())
        set_random_state(state.pop("random"))
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as e:
        gist = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunFailed(f"cannot load the checkpoint {prefix.name} in {prefix.parent} ({gist})") from None
    return state, weights


def _readable(meta: Path) -> bool:
    """Whether a generation's three files are whole enough to load (what --trust asks of one the run
    did not record): its JSON parses and paddle reads its weights and optimizer state."""
    try:
        json.loads(meta.read_text())
        for suffix in (".pdparams", ".pdopt"):
            paddle.load(str(meta.with_suffix(suffix)))
        return True
    except Exception:  # paddle raises many kinds for a damaged file
        return False


def random_state() -> dict:
    return {**shared_random_state.capture(), "paddle": [list(g.__getstate__()) for g in paddle.get_rng_state()]}


def set_random_state(state: dict) -> None:
    shared_random_state.restore(state)
    generators = []
    for saved in state["paddle"]:
        g = libpaddle.GeneratorState.__new__(libpaddle.GeneratorState)
        g.__setstate__(tuple(saved))
        generators.append(g)
    paddle.set_rng_state(generators)


def _serialized(obj) -> bytes:
    buffer = io.BytesIO()
    paddle.save(obj, buffer)
    return buffer.getvalue()
