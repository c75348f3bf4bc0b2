"""Checkpoints of a Lightning run that are complete and verified, or invisible.

Every checkpoint is written atomically (runner.run.atomic) and its SHA-256 recorded in
checkpoints/hashes.json once complete; loading checks the hash before torch.load, and loads
tensors only (weights_only). The random generators' states travel in the checkpoint so that a
resumed run draws the same augmentations a run that never stopped would have drawn.
"""

import random
import re
from pathlib import Path

import numpy as np
import torch
from lightning.fabric.plugins import TorchCheckpointIO
from lightning.pytorch.callbacks import Callback, ModelCheckpoint

from runner.run import atomic, checkpoint_hashes
from runner.run.checkpoint_choice import newest_verified

EPOCH = re.compile(r"epoch=(\d+)")  # 0-based, in every checkpoint's file name


class VerifiedCheckpointIO(TorchCheckpointIO):
    def save_checkpoint(self, checkpoint, path, storage_options=None):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write(path, lambda f: torch.save(checkpoint, f))
        checkpoint_hashes.record(path)
        if path.name.startswith("epoch="):  # a new newest generation: last.ckpt follows it
            atomic.link(path.parent / "last.ckpt", path.name)

    def load_checkpoint(self, path, map_location=None, weights_only=None):
        checkpoint_hashes.verify(Path(path))
        return torch.load(path, map_location=map_location or "cpu", weights_only=True)

    def remove_checkpoint(self, path):
        super().remove_checkpoint(path)
        checkpoint_hashes.forget(Path(path))


class RandomState(Callback):
    """Python's, NumPy's and torch's generator states, saved with each checkpoint and restored
    on resume, as tensors and plain numbers so the checkpoint still loads weights-only."""

    def state_dict(self) -> dict:
        version, words, gauss = random.getstate()
        kind, keys, pos, has_gauss, cached = np.random.get_state()
        state = {
            "python": [version, list(words), gauss],
            "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), pos, has_gauss, cached],
            "torch": torch.get_rng_state(),
        }
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state: dict) -> None:
        version, words, gauss = state["python"]
        random.setstate((version, tuple(words), gauss))
        kind, keys, pos, has_gauss, cached = state["numpy"]
        np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
        torch.set_rng_state(state["torch"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])


def checkpoint_callbacks(folder: Path, monitor: str, mode: str) -> tuple[ModelCheckpoint, ModelCheckpoint]:
    """(latest, best): the two newest checkpoints by step (last.ckpt links the newest, see
    VerifiedCheckpointIO), and the best by the recipe's monitor. Older ones are removed only once
    a newer one is complete."""
    # Saved at the end of each training epoch, after its validation: the point a resume restarts from.
    latest = ModelCheckpoint(
        dirpath=folder,
        filename="{epoch}-{step:08d}",
        monitor="step",
        mode="max",
        save_top_k=2,
        save_on_train_epoch_end=True,
    )
    best = ModelCheckpoint(
        dirpath=folder,
        filename="best-{epoch}-{step:08d}",
        monitor=monitor,
        mode=mode,
        save_top_k=1,
        save_on_train_epoch_end=True,
    )
    return latest, best


def resume_point(run_dir: Path) -> tuple[Path, int]:
    """The newest checkpoint whose recorded hash still matches (it says which ones it passed
    over), and the number of epochs it completed."""
    path = newest_verified(run_dir / "checkpoints", "*.ckpt")
    return path, int(EPOCH.search(path.name).group(1)) + 1
