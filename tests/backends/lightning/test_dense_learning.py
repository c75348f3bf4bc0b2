"""The built-in dense networks learn: the tiny FCOS detector and the tiny U-Net each fit 8 generated
shapes images (the runner's own data, pipeline, network, loss and scoring) to a high score."""

import dataclasses

import pytest
import torch

from runner.backends.lightning.data import dense_loaders
from runner.backends.lightning.module import RecipeModule
from runner.data import dense
from runner.recipe.stages import compile_file
from runner.run.dense_scores import segmentation_scores
from tests.conftest import ROOT

EIGHT = ["data.train_size=8", "data.val_size=8", "data.batch_size=8", "seed=3"]


def overfit(recipe: str, steps: int, lr: float):
    """The tally of a network trained for `steps` on one batch of 8 training images, scored on them."""
    torch.manual_seed(0)
    program = compile_file(str(ROOT / "recipes" / recipe), EIGHT)[1]
    found, program = dense.split(program)
    found = dataclasses.replace(found, val=found.train)  # scored on the images it trained on
    batch = next(iter(dense_loaders(program, found, 8).val))  # normalize only: the same images each step
    module = RecipeModule(program, file_backed=True)
    x, target = module.eval_pipeline(*batch)
    optimizer = torch.optim.AdamW(module.net.parameters(), lr=lr)
    module.net.train()
    for _ in range(steps):
        loss, _ = module.adapter.training(module.net, x, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    module.net.eval()
    tally = module.adapter.tally(len(found.classes))
    with torch.no_grad():
        module.adapter.add(tally, module.net, x, target)
    return tally, found.classes


@pytest.mark.slow
def test_the_tiny_detector_fits_eight_images():
    tally, classes = overfit("quickstart_detection.yaml", steps=200, lr=0.002)
    scores = tally.result(classes).scores
    assert scores["map50"] >= 0.9, scores


@pytest.mark.slow
def test_the_tiny_unet_fits_eight_images():
    tally, _ = overfit("quickstart_segmentation.yaml", steps=150, lr=0.005)
    miou = segmentation_scores(tally.matrix)["miou"]
    assert miou >= 0.9, miou
