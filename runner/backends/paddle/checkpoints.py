"""Checkpoints of a Paddle run that are complete and verified, or invisible.

Each checkpoint is a generation of two files: `epoch=E-step=S.safetensors` (the weights and the
optimizer's tensors, as checkpoint_format stores them) and `epoch=E-step=S.json` (epoch, step,
best score, the schedule's state, the random generators' states), each written atomically; their
SHA-256 enter checkpoints/hashes.json once both are complete. A resume starts from the newest
generation whose files all match the record: a newer one with a file damaged or missing is set
aside as `*.passed-over`, as the Lightning backend does with its single file. The two newest
generations are kept, `last.safetensors` links the newest, and the best weights are kept as
`best-epoch=E.safetensors`. Generations an older runner pickled (.pdparams, .pdopt) are loaded
only with --trust.
"""

import json
from pathlib import Path

import paddle
from paddle.base import libpaddle

from runner.backends.paddle import checkpoint_format
from runner.recipe import reading
from runner.recipe.errors import RunFailed
from runner.run import atomic, checkpoint_hashes, layout
from runner.run import random_state as shared_random_state
from runner.run.checkpoint_choice import newest_usable

KEEP = 2
TENSORS = layout.PADDLE
EVERY_SUFFIX = (TENSORS, ".json", *layout.PICKLED)  # what a generation of either format may hold


def save(model: paddle.Model, folder: Path, state: dict) -> None:
    """Write the generation for `state` (epoch = epochs done, step = optimizer steps done)."""
    folder.mkdir(exist_ok=True)
    name = f"epoch={state['epoch'] - 1}-step={state['step']:08d}"
    tensors, optimizer = checkpoint_format.dump(model.network.state_dict(), model._optimizer.state_dict())
    files = folder / f"{name}{TENSORS}", folder / f"{name}.json"
    atomic.write(files[0], lambda f: f.write(tensors))
    meta = {**state, "optimizer": optimizer, "random": random_state()}
    atomic.write_text(files[1], json.dumps(meta, indent=2, default=checkpoint_format.plain) + "\n")
    checkpoint_hashes.record(*files)
    atomic.link(folder / layout.LAST[TENSORS], files[0].name)
    generations = sorted(folder.glob("epoch=*.json"), key=lambda p: int(p.stem.rsplit("=", 1)[1]))
    for old in generations[:-KEEP]:
        stale = [old.with_suffix(s) for s in EVERY_SUFFIX]
        for path in stale:
            path.unlink(missing_ok=True)
        checkpoint_hashes.forget(*stale)


def save_best(model: paddle.Model, folder: Path, epoch: int, previous: str | None) -> str:
    """Write the best weights so far; remove the previous best; return the new one's name as
    summary.json records it (relative to the run directory)."""
    path = folder / f"best-epoch={epoch}{TENSORS}"
    tensors, _ = checkpoint_format.dump(model.network.state_dict())
    atomic.write(path, lambda f: f.write(tensors))
    checkpoint_hashes.record(path)
    if previous and Path(previous).name != path.name:  # older runs recorded a working-folder path
        (folder / Path(previous).name).unlink(missing_ok=True)
        checkpoint_hashes.forget(folder / Path(previous).name)
    return layout.recorded_name(path)


def restore(model: paddle.Model, run_dir: Path, trust: bool = False) -> tuple[dict, Path]:
    """Load the newest verified (or, with `trust`, readable) generation into the model and the
    random generators; return its state and its weights file."""
    folder = layout.checkpoints(run_dir)
    meta = newest_usable(folder, "epoch=*.json", trust, lambda m: _readable(m, trust), parts=_files)
    tensors = _files(meta)[1:]
    pickled = tensors[0].suffix in layout.PICKLED
    if pickled:
        checkpoint_format.refuse_pickled(tensors[0], trust)
    checkpoint_hashes.verify(*tensors, trust=trust)
    try:
        state = reading.read_json(meta)
        if pickled:  # an older runner's .pdparams and .pdopt (its schedule's state inside), under --trust
            network, optimizer = (checkpoint_format.load_pickled(path, trust) for path in tensors)
        else:
            network, optimizer = checkpoint_format.load(tensors[0])
            optimizer.update(state["optimizer"])
        checkpoint_format.fit(model.network, network)
        model._optimizer.set_state_dict(optimizer)
        state.pop("optimizer", None)
        set_random_state(state.pop("random"))
    except checkpoint_format.UNREADABLE as e:
        gist = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunFailed(f"cannot load the checkpoint {meta.stem} in {folder} ({gist})") from None
    return state, tensors[0]


def _files(meta: Path) -> list[Path]:
    """A generation's files, its .json first: the safetensors one, or an older runner's pickles."""
    pickled = [meta.with_suffix(s) for s in layout.PICKLED]
    if not meta.with_suffix(TENSORS).exists() and all(p.exists() for p in pickled):
        return [meta, *pickled]
    return [meta, meta.with_suffix(TENSORS)]


def _readable(meta: Path, trust: bool) -> bool:
    """Whether a generation's files are whole enough to load (what --trust asks of one the run
    did not record): its JSON parses and its tensors read."""
    try:
        reading.read_json(meta)
        for path in _files(meta)[1:]:
            if path.suffix in layout.PICKLED:
                if trust:  # without it, restore refuses the generation, saying what unpickling risks
                    checkpoint_format.load_pickled(path, trust)
            else:
                checkpoint_format.load(path)
        return True
    except Exception:  # paddle and safetensors raise many kinds for a damaged file
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
