"""`runner eval` on the Paddle backend: a checkpoint this run recorded, scored on the validation
(or test) split with the recipe's eval pipeline."""
import json
from pathlib import Path

import numpy as np
import paddle
import paddle.nn.functional as F

from runner import checkpoint_hashes, scores
from runner.errors import RunFailed
from runner.paddle.data import prepare
from runner.paddle.execute import place
from runner.paddle.networks import build_network

TOP_K = (1, 5)


def evaluate(recipe, program, checkpoint: Path, split: str, out: Path) -> dict:
    r = recipe.data
    if checkpoint.suffix != ".pdparams":
        raise RunFailed(f"{checkpoint} is not a Paddle checkpoint (.pdparams) of this run")
    checkpoint_hashes.verify(checkpoint)  # before paddle.load unpickles it
    place(r["hardware"])
    data = prepare(program, r["data"]["batch_size"])
    net = build_network(data.program)
    try:
        net.set_state_dict(paddle.load(str(checkpoint)))
    except (ValueError, RuntimeError, KeyError) as e:
        raise RunFailed(f"{checkpoint} does not fit the network its run's resolved.yaml describes ({e})") from None
    net.eval()
    classes = data.program.num_classes
    confusion = np.zeros((classes, classes), dtype=np.int64)
    ks = [k for k in TOP_K if k <= classes]
    hits, loss_sum = dict.fromkeys(ks, 0), 0.0
    with paddle.no_grad():
        for x, y in data.val:
            logits = net(x).astype("float32")
            loss_sum += float(F.cross_entropy(logits, y.reshape([-1, 1]), reduction="sum"))
            ranked = paddle.topk(logits, max(ks), axis=1)[1].numpy()
            labels = y.numpy().reshape(-1)
            for k in ks:
                hits[k] += int((ranked[:, :k] == labels[:, None]).any(axis=1).sum())
            np.add.at(confusion, (labels, ranked[:, 0]), 1)
    names = list(data.classes) if data.classes else [str(i) for i in range(classes)]
    result = {"checkpoint": str(checkpoint), "split": split, **scores.scores(confusion, hits, loss_sum, names)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result
