"""What the Paddle backend's tests share: a small Paddle recipe compiled on demand."""

import paddle
import pytest

from runner.recipe.stages import compile_file

RECIPE = """
schema_version: 1
name: paddle_parts
backend: paddle
model:
  backbone: simple_cnn
data:
  dataset: synthetic
  num_classes: 4
  image_size: 16
  channels: 3
  train_size: 512
  val_size: 64
  batch_size: 32
  num_workers: 0
augment:
  train:
    - name: normalize
  eval:
    - name: normalize
optim:
  name: sgd
  lr: 0.1
hardware:
  accelerator: cpu
  devices: 1
  precision: 32
log:
  tensorboard: false
"""


@pytest.fixture
def compiled(write):
    """compiled(*overrides, text=RECIPE) -> (recipe, program) of a paddle recipe."""
    paddle.set_device("cpu")
    return lambda *overrides, text=RECIPE: compile_file(str(write(text)), list(overrides))


def program(compiled, *overrides):
    return compiled(*overrides)[1]


def trainable(net) -> dict:
    """paddle counts batch norm's running statistics among parameters, as untrainable ones."""
    return {n: p for n, p in net.named_parameters() if p.trainable}


def torch_to_paddle(torch_net, paddle_net):
    """Copy a torch network's weights into the paddle one built alike (SimpleCNN, TinyUNet):
    paddle's batch norm names its running statistics _mean and _variance, and its Linear weight
    is [in, out] (torch's [out, in]; convolutions agree)."""
    names = {"running_mean": "_mean", "running_var": "_variance"}
    state = {}
    for key, value in torch_net.state_dict().items():
        module, _, leaf = key.rpartition(".")
        if leaf != "num_batches_tracked":
            array = value.detach().numpy()
            state[f"{module}.{names.get(leaf, leaf)}"] = array.T if array.ndim == 2 else array
    assert sorted(state) == sorted(paddle_net.state_dict())
    paddle_net.set_state_dict(state)
