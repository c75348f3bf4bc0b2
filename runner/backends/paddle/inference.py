"""A Paddle run's network loaded for use: the network the resolved recipe describes, its weights
from a checkpoint this run recorded (its hash checked before it is read; an older runner's pickled
one only with --trust), in eval mode on the recipe's device, with the eval pipeline's steps around it."""

from pathlib import Path

import numpy as np
import paddle

from runner.backends.inference import Inference
from runner.backends.paddle import checkpoint_format
from runner.backends.paddle.augment import build_pipeline, split_pipeline
from runner.backends.paddle.model import place
from runner.backends.paddle.tasks import ADAPTERS
from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes, layout


def load_for_inference(program: Program, checkpoint: Path, trust: bool, classes: tuple[str, ...]) -> Inference:
    if checkpoint.suffix not in (layout.PADDLE, layout.PICKLED[0]):
        raise RunFailed(f"{checkpoint} is not a Paddle checkpoint ({layout.PADDLE}) of this run")
    if checkpoint.suffix in layout.PICKLED:
        checkpoint_format.refuse_pickled(checkpoint, trust)
    checkpoint_hashes.verify(checkpoint, trust=trust)
    try:
        state = checkpoint_format.weights(checkpoint, trust)
    except checkpoint_format.UNREADABLE as e:
        raise RunFailed(f"cannot read {checkpoint} as a Paddle checkpoint ({str(e).splitlines()[0]})") from None
    place(program.hardware)
    adapter = ADAPTERS[program.task.name](program)
    net = adapter.network()
    try:
        checkpoint_format.fit(net, state)
    except checkpoint_format.UNREADABLE as e:
        raise RunFailed(f"{checkpoint} does not fit the network its run's resolved.yaml describes ({e})") from None
    net.eval()
    file_backed = not program.data.info.in_memory
    # image files run the steps before normalize on each image; in-memory data runs all on batches
    sample, device_steps = split_pipeline(program, "eval") if file_backed else (None, build_pipeline(program, "eval"))

    @paddle.no_grad()
    def prepared(images: np.ndarray) -> paddle.Tensor:
        return device_steps(paddle.to_tensor(images), None)[0]

    @paddle.no_grad()
    def scores(images: np.ndarray) -> np.ndarray:
        return net(prepared(images)).astype("float32").numpy()

    @paddle.no_grad()
    def predict(images: np.ndarray) -> list:
        return adapter.predict(net, prepared(images))

    return Inference(program, checkpoint, net, classes, scores, sample, prepared, predict)
