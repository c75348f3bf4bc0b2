"""`runner eval` on the Paddle backend: a loaded run's network scored on the validation (or test)
split, through the recipe's eval pipeline, on the backend's own data streams."""

import paddle

from runner.backends.inference import Inference
from runner.backends.paddle.data import prepare
from runner.backends.paddle.tasks import ADAPTERS
from runner.run.scores import Tally


def evaluate(inference: Inference, split: str) -> Tally:
    program, net = inference.program, inference.network
    data = prepare(program, program.data.batch_size, split)
    adapter = ADAPTERS[program.task.name](data.program)
    tally = Tally(len(inference.classes))
    with paddle.no_grad():
        for x, y in data.val:
            adapter.tally(tally, net(x), y)
    return tally
