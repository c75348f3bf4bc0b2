"""`runner eval` on the Paddle backend: a checkpoint this run recorded, scored on the validation
(or test) split with the recipe's eval pipeline."""

from pathlib import Path

import paddle
import paddle.nn.functional as F

from runner.backends.paddle.data import prepare
from runner.backends.paddle.model import place
from runner.backends.paddle.networks import build_network
from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes, scores


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
    tally = scores.Tally(data.program.num_classes)
    with paddle.no_grad():
        for x, y in data.val:
            logits = net(x).astype("float32")
            tally.add(
                paddle.topk(logits, tally.top, axis=1)[1].numpy(),
                y.numpy(),
                float(F.cross_entropy(logits, y.reshape([-1, 1]), reduction="sum")),
            )
    return tally.write(out, checkpoint, split, data.classes)
