"""`runner eval` on the Lightning backend: a loaded run's network scored on the validation (or
test) split, through the recipe's eval pipeline, on the backend's own data loaders."""

import torch

from runner.backends.inference import Inference
from runner.backends.lightning.data import prepare
from runner.run.scores import Tally


def evaluate(inference: Inference, split: str) -> Tally:
    program, module = inference.program, inference.network
    data = prepare(program, split=split)
    device = next(module.parameters()).device
    tally = Tally(len(inference.classes))
    with torch.no_grad():
        for x, y in data.val:
            x, y = x.to(device), y.to(device)
            x, _ = module.eval_pipeline(x, y)
            module.adapter.tally(tally, module(x), y)
    return tally
