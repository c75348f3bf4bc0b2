"""`runner eval` on the Paddle backend: a loaded run's network scored on the validation (or test)
split, through the recipe's eval pipeline, on the backend's own data streams."""

import paddle

from runner.backends.inference import Inference
from runner.backends.paddle.data import prepare
from runner.backends.paddle.tasks import ADAPTERS


def evaluate(inference: Inference, split: str):
    """The task's tally (runner.run.scores, runner.run.dense_scores) over the split."""
    program, net = inference.program, inference.network
    data = prepare(program, program.data.batch_size, split)
    adapter = ADAPTERS[program.task.name](data.program)
    tally = adapter.tally(len(inference.classes))
    with paddle.no_grad():
        for x, y in data.val:
            adapter.add(tally, net(x), y)
    return tally
