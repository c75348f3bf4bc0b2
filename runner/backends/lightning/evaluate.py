"""`runner eval` on the Lightning backend: a loaded run's network scored on the validation (or
test) split, through the recipe's eval pipeline, on the backend's own data loaders."""

import torch

from runner.backends.inference import Inference
from runner.backends.lightning.data import prepare


def evaluate(inference: Inference, split: str):
    """The task's tally (runner.run.scores, runner.run.dense_scores) over the split."""
    program, module = inference.program, inference.network
    data = prepare(program, split=split)
    device = next(module.parameters()).device
    tally = module.adapter.tally(len(inference.classes))
    if data.category_ids:
        tally.category_ids = list(data.category_ids)
    with torch.no_grad():
        for batch in data.val:
            x, target = module.transfer_batch_to_device(batch, device, 0)
            x, target = module.eval_pipeline(x, target)
            module.adapter.add(tally, module.net, x, target)
    return tally
