"""Python's and NumPy's generators travel in checkpoints as plain values: restoring them resumes
the same draws, from the values either backend saved (older Lightning checkpoints held NumPy's
keys as a tensor)."""

import json
import random

import numpy as np
import torch

from runner.run import random_state


def test_restored_generators_draw_what_they_would_have_drawn():
    random.seed(3)
    np.random.seed(4)
    saved = json.loads(json.dumps(random_state.capture()))  # as a Paddle checkpoint's JSON holds it
    expected = (random.random(), np.random.rand())
    random.seed(99)
    np.random.seed(99)
    random_state.restore(saved)
    assert (random.random(), np.random.rand()) == expected


def test_numpy_keys_saved_as_a_tensor_still_restore():
    np.random.seed(5)
    state = random_state.capture()
    expected = np.random.rand()
    state["numpy"][1] = torch.tensor(state["numpy"][1], dtype=torch.int64)
    random_state.restore(state)
    assert np.random.rand() == expected
