"""`runner eval` on the Lightning backend: a checkpoint this runner wrote, scored on the
validation (or test) split with the recipe's eval pipeline."""
import dataclasses
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from runner import checkpoint_hashes, scores
from runner.errors import RunFailed
from runner.lightning.data import prepare
from runner.lightning.module import Classifier

TOP_K = (1, 5)


def evaluate(recipe, program, checkpoint: Path, split: str, out: Path) -> dict:
    r = recipe.data
    # Score the plain network: compiling would only add start-up time to one pass.
    program = dataclasses.replace(program, recipe={**r, "hardware": {**r["hardware"], "compile": False}})
    data = prepare(program)
    model = Classifier(data.program, file_backed=data.file_backed)
    model.load_state_dict(_weights(checkpoint, model))
    device = torch.device("cuda" if torch.cuda.is_available() and r["hardware"]["accelerator"] in ("auto", "gpu")
                          else "cpu")
    model.to(device).eval()
    classes = data.program.num_classes
    confusion = np.zeros((classes, classes), dtype=np.int64)
    ks = [k for k in TOP_K if k <= classes]
    hits, loss_sum = dict.fromkeys(ks, 0), 0.0
    with torch.no_grad():
        for x, y in data.val:
            x, y = x.to(device), y.to(device)
            x, _ = model.eval_pipeline(x, y)
            logits = model(x).float()
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
            ranked = logits.topk(max(ks), dim=1).indices
            for k in ks:
                hits[k] += int((ranked[:, :k] == y[:, None]).any(dim=1).sum())
            pairs = (y * classes + ranked[:, 0]).cpu()
            confusion += torch.bincount(pairs, minlength=classes * classes).view(classes, classes).numpy()
    names = list(data.classes) if data.classes else [str(i) for i in range(classes)]
    result = {"checkpoint": str(checkpoint), "split": split, **scores.scores(confusion, hits, loss_sum, names)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


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
