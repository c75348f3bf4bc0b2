"""Python's and NumPy's random generators as plain lists and numbers, saved in every checkpoint
(beside the framework's own generators) and restored on resume, so a resumed run draws what a
run that never stopped would have drawn. Plain values load on both backends without unpickling
anything, and weights-only on torch."""

import random

import numpy as np


def capture() -> dict:
    version, words, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": [version, list(words), gauss],
        "numpy": [kind, [int(k) for k in keys], int(pos), int(has_gauss), float(cached)],
    }


def restore(state: dict) -> None:
    """Set both generators from capture()'s values (older Lightning checkpoints hold NumPy's keys
    as a tensor, which np.asarray reads the same)."""
    version, words, gauss = state["python"]
    random.setstate((version, tuple(words), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.asarray(keys).astype(np.uint32), int(pos), int(has_gauss), float(cached)))
