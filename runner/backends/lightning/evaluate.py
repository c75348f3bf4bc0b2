"""`runner eval` on the Lightning backend: a checkpoint this runner wrote, scored on the
validation (or test) split with the recipe's eval pipeline."""

import dataclasses
from pathlib import Path

import torch
import torch.nn.functional as F

from runner.backends.lightning.data import prepare
from runner.backends.lightning.module import Classifier
from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes, scores


def evaluate(recipe, program, checkpoint: Path, split: str, out: Path) -> dict:
    r = recipe.data
    # Score the plain network: compiling would only add start-up time to one pass.
    program = dataclasses.replace(program, recipe={**r, "hardware": {**r["hardware"], "compile": False}})
    data = prepare(program)
    model = Classifier(data.program, file_backed=data.file_backed)
    model.load_state_dict(_weights(checkpoint, model))
    device = torch.device(
        "cuda" if torch.cuda.is_available() and r["hardware"]["accelerator"] in ("auto", "gpu") else "cpu"
    )
    model.to(device).eval()
    tally = scores.Tally(data.program.num_classes)
    with torch.no_grad():
        for x, y in data.val:
            x, y = x.to(device), y.to(device)
            x, _ = model.eval_pipeline(x, y)
            logits = model(x).float()
            tally.add(
                logits.topk(tally.top, dim=1).indices.cpu().numpy(),
                y.cpu().numpy(),
                float(F.cross_entropy(logits, y, reduction="sum")),
            )
    return tally.write(out, checkpoint, split, data.classes)


def _weights(checkpoint: Path, model) -> dict:
    """The model's tensors from a Lightning checkpoint, loaded without running any code in it."""
    checkpoint_hashes.verify(checkpoint)  # complete, and written by this run
    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, corrupt, or holding objects other than tensors
        raise RunFailed(f"cannot read {checkpoint} as a checkpoint of tensors ({str(e).splitlines()[0]})") from None
    weights = state.get("state_dict") if isinstance(state, dict) else None
    if not isinstance(weights, dict):
        raise RunFailed(f"{checkpoint} holds no state_dict; it was not written by `runner run`")
    weights = {k.replace("._orig_mod", ""): v for k, v in weights.items()}  # saved from a compiled net
    own = model.state_dict()
    if set(weights) != set(own) or any(weights[k].shape != own[k].shape for k in own):
        raise RunFailed(f"{checkpoint} does not fit the network its run's resolved.yaml describes")
    return weights
