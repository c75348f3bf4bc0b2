"""The paddle.Model a recipe trains, and the process it runs in: the device chosen, every random
generator seeded, the network (checked against the recipe's image shapes) prepared with its
optimizer, loss, metric and mixed precision. Training, dry runs and evaluation all start here."""

import random

import numpy as np
import paddle

from runner.backends.paddle.loss import SmoothedCrossEntropy
from runner.backends.paddle.networks import build_network, check_input
from runner.backends.paddle.optim import build_optimizer
from runner.recipe.errors import RunFailed

AMP = {"16-mixed": "float16", "bf16-mixed": "bfloat16"}


def seed_everything(seed: int) -> None:
    """paddle's generators, and Python's and NumPy's, which paddle.io's workers draw from."""
    random.seed(seed)
    np.random.seed(seed)
    paddle.seed(seed)


def place(hw: dict) -> None:
    """Run on the recipe's accelerator: gpu when asked for (or `auto` and one is there), else cpu."""
    gpu = paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
    if hw["accelerator"] == "gpu" and not gpu:
        raise RunFailed(
            "hardware.accelerator: gpu was asked for, but this paddlepaddle build sees no "
            "CUDA device; install paddlepaddle-gpu, or set hardware.accelerator: cpu"
        )
    paddle.set_device("gpu" if gpu and hw["accelerator"] in ("gpu", "auto") else "cpu")


def build_model(recipe, program, announce: bool = True) -> paddle.Model:
    """The network (checked against the recipe's image shapes), its optimizer, loss and metric."""
    r = recipe.data
    for note in notices(r["hardware"]) if announce else ():
        print(f"note: {note}", flush=True)
    net = build_network(program)
    check_input(recipe, program, net)
    optimizer, _ = build_optimizer(program, net)
    model = paddle.Model(net)
    precision = r["hardware"]["precision"]
    on_gpu = paddle.get_device().startswith("gpu")
    amp = {"level": "O1", "dtype": AMP[precision]} if precision in AMP and on_gpu else None
    model.prepare(
        optimizer,
        SmoothedCrossEntropy(program.num_classes, r["train"]["label_smoothing"]),
        paddle.metric.Accuracy(),
        amp_configs=amp,
    )
    return model


def notices(hw: dict) -> list[str]:
    """Lightning-only hardware settings a paddle run carries on without, said out loud."""
    said = [
        f"hardware.{key} applies to the lightning backend; paddle runs without it"
        for key in ("channels_last", "compile")
        if hw[key]
    ]
    if hw["precision"] in AMP and not paddle.get_device().startswith("gpu"):
        said.append(f"hardware.precision {hw['precision']} needs a GPU on paddle; this run computes in 32-bit")
    return said
