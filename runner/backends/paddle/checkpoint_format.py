"""How a Paddle checkpoint's state is stored, so that loading one the runner wrote never unpickles.

Tensors go in a safetensors file (a JSON header and raw numbers: nothing in it can run), the
network's under `model/` and, in a generation, the optimizer's accumulators under `optimizer/`
(its master weights, under AMP O2, under `optimizer/master_weights/`). The optimizer's plain
values (the learning-rate schedule's step and rate) go in the generation's JSON beside it.

paddle.save's .pdparams/.pdopt, which older runners wrote, are pickles: unpickling runs whatever
code the file holds, and a matching hash in hashes.json proves nothing, since whoever can write
the file can write the record. They are read only when the user passes --trust.
"""

from pathlib import Path

import paddle
from safetensors import SafetensorError
from safetensors import paddle as safetensors_paddle

from runner.recipe.errors import RunFailed
from runner.run import layout

MODEL, OPTIMIZER, MASTER = "model/", "optimizer/", "master_weights"
# What a damaged or mismatched checkpoint raises while it is read or applied.
UNREADABLE = (OSError, ValueError, RuntimeError, KeyError, TypeError, EOFError, SafetensorError)


def dump(network: dict, optimizer: dict | None = None) -> tuple[bytes, dict]:
    """(the safetensors file's bytes, the optimizer's non-tensor values) for state dicts."""
    tensors = {MODEL + name: value for name, value in network.items()}
    plain = {}
    for key, value in (optimizer or {}).items():
        if isinstance(value, paddle.Tensor):
            tensors[OPTIMIZER + key] = value
        elif key == MASTER:
            tensors.update({f"{OPTIMIZER}{MASTER}/{name}": v for name, v in value.items()})
        else:  # LR_Scheduler: {"last_epoch": int, "last_lr": float}
            plain[key] = value
    return safetensors_paddle.save({k: v.contiguous() for k, v in tensors.items()}), plain


def load(path: Path) -> tuple[dict, dict]:
    """(network state, optimizer tensors) from a file dump() wrote; SafetensorError if damaged."""
    network, optimizer = {}, {}
    for key, value in safetensors_paddle.load(path.read_bytes()).items():
        if key.startswith(MODEL):
            network[key.removeprefix(MODEL)] = value
        elif key.startswith(f"{OPTIMIZER}{MASTER}/"):
            optimizer.setdefault(MASTER, {})[key.removeprefix(f"{OPTIMIZER}{MASTER}/")] = value
        elif key.startswith(OPTIMIZER):
            optimizer[key.removeprefix(OPTIMIZER)] = value
        else:
            raise ValueError(f"{path.name} holds {key!r}, which is neither model/ nor optimizer/ state")
    return network, optimizer


def weights(path: Path, trust: bool) -> dict:
    """The network's state from a checkpoint file: safetensors, or (with --trust) an older pickled one."""
    if path.suffix in layout.PICKLED:
        return load_pickled(path, trust)
    return load(path)[0]


def load_pickled(path: Path, trust: bool):
    """An older runner's paddle.save file, unpickled only because the user passed --trust."""
    refuse_pickled(path, trust)
    return paddle.load(str(path))  # the pickle the user vouched for with --trust


def refuse_pickled(path: Path, trust: bool) -> None:
    """Stop before an older runner's pickle is opened, unless the user passed --trust."""
    if not trust:
        raise RunFailed(
            f"{path} is a pickled Paddle checkpoint (paddle.save, as older runners wrote them); "
            "loading a pickle runs any code it holds, and its entry in hashes.json cannot vouch for it "
            "(whoever can write the file can write the record); pass --trust to load it only if you "
            "know where this run directory has been"
        )


def fit(network: paddle.nn.Layer, state: dict) -> None:
    """Set the network's tensors from `state`, which must name each of them with its shape
    (paddle's set_state_dict only warns about a missing or misshapen one)."""
    own = network.state_dict()
    wrong = sorted(set(own) ^ set(state)) or [
        k for k in own if tuple(own[k].shape) != tuple(getattr(state[k], "shape", ()))
    ]
    if wrong:
        raise ValueError(f"{len(wrong)} tensors are missing, extra or of another shape, e.g. {wrong[0]}")
    network.set_state_dict(state)


def plain(value):
    """json.dumps' fallback for the NumPy numbers a schedule's state may hold."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
