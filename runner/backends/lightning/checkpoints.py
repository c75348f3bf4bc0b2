"""Checkpoints of a Lightning run that are complete and verified, or invisible.

Every checkpoint is written atomically (runner.run.atomic) and its SHA-256 recorded in
checkpoints/hashes.json once complete; loading checks the hash before torch.load, and loads
tensors only (weights_only). The random generators' states travel in the checkpoint so that a
resumed run draws the same augmentations a run that never stopped would have drawn.
"""

import re
from pathlib import Path

import torch
from lightning.fabric.plugins import TorchCheckpointIO
from lightning.pytorch.callbacks import Callback, ModelCheckpoint

from runner.recipe.errors import RunFailed
from runner.run import atomic, checkpoint_hashes, layout, random_state
from runner.run.checkpoint_choice import newest_usable

EPOCH = re.compile(r"epoch=(\d+)")  # 0-based, in every checkpoint's file name
LAST = layout.LAST[".ckpt"]


class VerifiedCheckpointIO(TorchCheckpointIO):
    """`trust`: load checkpoints the run did not record (`--trust`)."""

    def __init__(self, trust: bool = False):
        super().__init__()
        self.trust = trust

    def save_checkpoint(self, checkpoint, path, storage_options=None):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write(path, lambda f: torch.save(checkpoint, f))
        checkpoint_hashes.record(path)
        if path.name.startswith("epoch="):  # a new newest generation: last.ckpt follows it
            atomic.link(path.parent / LAST, path.name)

    def load_checkpoint(self, path, map_location=None, weights_only=None):
        checkpoint_hashes.verify(Path(path), trust=self.trust)
        return load(Path(path), map_location or "cpu")

    def remove_checkpoint(self, path):
        super().remove_checkpoint(path)
        checkpoint_hashes.forget(Path(path))


def load(path: Path, map_location="cpu") -> dict:
    """A checkpoint's tensors, loaded without running any code in it; a file that is truncated,
    corrupt or holds other objects is a RunFailed, not a traceback."""
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:  # torch raises many kinds for a damaged file
        if str(e).startswith("Weights only load failed"):  # torch's text goes on to advise turning the safety off
            raise RunFailed(
                f"{path} is not a checkpoint this runner wrote: it holds objects other than tensors, "
                "which runner never loads"
            ) from None
        raise RunFailed(f"{path} is not a checkpoint this runner can read ({str(e).splitlines()[0]})") from None


def loads(path: Path) -> bool:
    """Whether the file loads as a checkpoint of tensors (what --trust asks of an unrecorded one)."""
    try:
        load(path)
        return True
    except RunFailed:
        return False


class RandomState(Callback):
    """Python's, NumPy's and torch's generator states, saved with each checkpoint and restored
    on resume, as tensors and plain numbers so the checkpoint still loads weights-only."""

    def state_dict(self) -> dict:
        state = {**random_state.capture(), "torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state: dict) -> None:
        random_state.restore(state)
        torch.set_rng_state(state["torch"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])


class RunCheckpoint(ModelCheckpoint):
    """A ModelCheckpoint whose saved state follows its run directory when the run is moved: the
    paths in it are read by file name inside this run's checkpoints/. (Lightning itself drops the
    best score and forgets the files to remove when the folder differs, so a moved run's resume
    would keep a worse "best" and leave the superseded one behind.)"""

    @property
    def state_key(self) -> str:  # ModelCheckpoint's own, so checkpoints written before this class still resume
        return super().state_key.replace(type(self).__qualname__, ModelCheckpoint.__qualname__, 1)

    def load_state_dict(self, state_dict: dict) -> None:
        if state_dict.get("dirpath", self.dirpath) != self.dirpath:
            here = lambda path: str(Path(self.dirpath) / Path(path).name) if path else path  # noqa: E731
            state_dict = {
                **state_dict,
                "dirpath": self.dirpath,
                **{k: here(state_dict.get(k)) for k in ("best_model_path", "kth_best_model_path", "last_model_path")},
                "best_k_models": {here(k): v for k, v in state_dict.get("best_k_models", {}).items()},
            }
        super().load_state_dict(state_dict)


def checkpoint_callbacks(folder: Path, monitor: str, mode: str) -> tuple[ModelCheckpoint, ModelCheckpoint]:
    """(latest, best): the two newest checkpoints by step (last.ckpt links the newest, see
    VerifiedCheckpointIO), and the best by the recipe's monitor. Older ones are removed only once
    a newer one is complete."""
    # Saved at the end of each training epoch, after its validation: the point a resume restarts from.
    latest = RunCheckpoint(
        dirpath=folder,
        filename="{epoch}-{step:08d}",
        monitor="step",
        mode="max",
        save_top_k=2,
        save_on_train_epoch_end=True,
    )
    best = RunCheckpoint(
        dirpath=folder,
        filename="best-{epoch}-{step:08d}",
        monitor=monitor,
        mode=mode,
        save_top_k=1,
        save_on_train_epoch_end=True,
    )
    return latest, best


def resume_point(run_dir: Path, trust: bool = False) -> tuple[Path, int]:
    """The newest checkpoint whose recorded hash still matches (or, with `trust`, that loads; it
    says which ones it passed over), and the number of epochs it completed."""
    path = newest_usable(layout.checkpoints(run_dir), "*.ckpt", trust, loads)
    return path, int(EPOCH.search(path.name).group(1)) + 1
