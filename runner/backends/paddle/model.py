"""The paddle.Model a recipe trains, and the process it runs in: the device chosen, every random
generator seeded, the network (checked against the recipe's image shapes) prepared with its
optimizer, loss, metric and mixed precision. Training, dry runs and evaluation all start here."""

import random

import numpy as np
import paddle

from runner.backends import hardware
from runner.backends.paddle.networks import check_input
from runner.backends.paddle.optim import build_optimizer
from runner.backends.paddle.tasks import ADAPTERS
from runner.recipe.compile import Program
from runner.recipe.specs import HardwareSpec

AMP = {"16-mixed": "float16", "bf16-mixed": "bfloat16"}


def seed_everything(seed: int) -> None:
    """paddle's generators, and Python's and NumPy's, which paddle.io's workers draw from."""
    random.seed(seed)
    np.random.seed(seed)
    paddle.seed(seed)


def place(hw: HardwareSpec) -> None:
    """Run on the recipe's accelerator: gpu when asked for (or `auto` and one is there), else cpu."""
    cuda = paddle.device.is_compiled_with_cuda()
    gpus = paddle.device.cuda.device_count() if cuda else 0
    hardware.check(hw, gpus, "paddle" if cuda else "this paddlepaddle build, without CUDA (paddlepaddle-gpu has it),")
    gpu = gpus > 0
    paddle.set_device("gpu" if gpu and hw.accelerator in ("gpu", "auto") else "cpu")


def build_model(program: Program, announce: bool = True) -> paddle.Model:
    """The task's network (checked against the recipe's image shapes) prepared with its optimizer,
    the task's loss and metrics, and mixed precision where the device has it."""
    for note in notices(program.hardware) if announce else ():
        print(f"note: {note}", flush=True)
    adapter = ADAPTERS[program.task.name](program)
    net = adapter.network()
    check_input(program, net)
    optimizer, _ = build_optimizer(program, net)
    model = paddle.Model(net)
    precision = program.hardware.precision
    on_gpu = paddle.get_device().startswith("gpu")
    amp = {"level": "O1", "dtype": AMP[precision]} if precision in AMP and on_gpu else None
    model.prepare(optimizer, adapter.loss(net), adapter.metrics(net), amp_configs=amp)
    return model


def notices(hw: HardwareSpec) -> list[str]:
    """Lightning-only hardware settings a paddle run carries on without, said out loud."""
    said = [
        f"hardware.{key} applies to the lightning backend; paddle runs without it"
        for key in ("channels_last", "compile")
        if getattr(hw, key)
    ]
    if hw.precision in AMP and not paddle.get_device().startswith("gpu"):
        said.append(f"hardware.precision {hw.precision} needs a GPU on paddle; this run computes in 32-bit")
    return said
