"""Checkpoints of a Paddle run that are complete and verified, or invisible.

Each checkpoint is a generation of three files, `epoch=E-step=S.pdparams` (weights), `.pdopt`
(optimizer and schedule) and `.json` (epoch, step, best score, random generators' states), each
written atomically; their SHA-256 enter checkpoints/hashes.json once all three are complete, and
nothing is unpickled by paddle.load unless its hash matches. The two newest generations are kept,
`last.pdparams`/`last.pdopt` link the newest, and the best weights are kept as best-epoch=E.pdparams.
"""

import io
import json
import random
from pathlib import Path

import numpy as np
import paddle
from paddle.base import libpaddle

from runner.run import atomic, checkpoint_hashes
from runner.run.checkpoint_choice import newest_verified

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
    path = folder / f"best-epoch={epoch}.pdparams"
    atomic.write(path, lambda f: f.write(_serialized(model.network.state_dict())))
    checkpoint_hashes.record(path)
    if previous and Path(previous).name != path.name:
        Path(previous).unlink(missing_ok=True)
        checkpoint_hashes.forget(Path(previous))
    return str(path)


def restore(model: paddle.Model, run_dir: Path) -> tuple[dict, Path]:
    """Load the newest verified generation into the model and the random generators; return its
    state and its weights file."""
    meta = newest_verified(run_dir / "checkpoints", "epoch=*.json")
    prefix = meta.with_suffix("")
    checkpoint_hashes.verify(prefix.with_suffix(".pdparams"), prefix.with_suffix(".pdopt"))
    model.load(str(prefix))
    state = json.loads(meta.read_text())
    set_random_state(state.pop("random"))
    return state, prefix.with_suffix(".pdparams")


def random_state() -> dict:
    version, words, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": [version, list(words), gauss],
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
        "paddle": [list(g.__getstate__()) for g in paddle.get_rng_state()],
    }


def set_random_state(state: dict) -> None:
    version, words, gauss = state["python"]
    random.setstate((version, tuple(words), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
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
