"""A Lightning run's network loaded for use: the RecipeModule the resolved recipe describes, its
weights from a checkpoint this run recorded (as tensors only), in eval mode on the recipe's
device, with the eval pipeline's steps around it."""

import dataclasses
from pathlib import Path

import numpy as np
import torch

from runner.backends.inference import Inference
from runner.backends.lightning.augment import split_pipeline
from runner.backends.lightning.checkpoints import load
from runner.backends.lightning.module import RecipeModule
from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed
from runner.run import checkpoint_hashes


def load_for_inference(program: Program, checkpoint: Path, trust: bool, classes: tuple[str, ...]) -> Inference:
    if checkpoint.suffix != ".ckpt":
        raise RunFailed(f"{checkpoint} is not a Lightning checkpoint (.ckpt) of this run")
    # The plain network: compiling would only add start-up time to inference.
    program = dataclasses.replace(program, hardware=dataclasses.replace(program.hardware, compile=False))
    file_backed = not program.data.info.in_memory
    module = RecipeModule(program, file_backed=file_backed)
    module.load_state_dict(_weights(checkpoint, module, trust))
    accelerator = program.hardware.accelerator
    device = torch.device("cuda" if torch.cuda.is_available() and accelerator in ("auto", "gpu") else "cpu")
    module.to(device).eval()

    @torch.no_grad()
    def prepared(images: np.ndarray) -> torch.Tensor:
        return module.eval_pipeline(torch.from_numpy(images).to(device), None)[0]

    @torch.no_grad()
    def scores(images: np.ndarray) -> np.ndarray:
        return module(prepared(images)).float().cpu().numpy()

    @torch.no_grad()
    def predict(images: np.ndarray) -> list:
        return module.adapter.predict(module.net, prepared(images))

    sample = None
    if file_backed:
        transform = split_pipeline(program, "eval")[0]

        def sample(image: np.ndarray) -> np.ndarray:
            return transform(torch.from_numpy(image)).numpy()

    return Inference(program, checkpoint, module, classes, scores, sample, prepared, predict)


def _weights(checkpoint: Path, module: RecipeModule, trust: bool) -> dict:
    """The module's tensors from a Lightning checkpoint, loaded without running any code in it."""
    checkpoint_hashes.verify(checkpoint, trust=trust)  # complete, and written by this run
    state = load(checkpoint)
    weights = state.get("state_dict") if isinstance(state, dict) else None
    if not isinstance(weights, dict):
        raise RunFailed(f"{checkpoint} holds no state_dict; it was not written by `runner run`")
    weights = {k.replace("._orig_mod", ""): v for k, v in weights.items()}  # saved from a compiled net
    own = module.state_dict()
    if set(weights) != set(own) or any(weights[k].shape != own[k].shape for k in own):
        raise RunFailed(f"{checkpoint} does not fit the network its run's resolved.yaml describes")
    return weights
