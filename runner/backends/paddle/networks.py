"""Backbones for the Paddle backend: the built-in CNN and paddle.vision classifiers by name, with
the CIFAR stem option; the same networks, by the same names, as runner/backends/lightning/networks.py."""

import sys
import warnings
from pathlib import Path

import paddle
import paddle.nn.functional as F
from paddle import nn
from paddle.utils import download
from paddle.vision import models

from runner.backends.probe import probe
from runner.catalog.backbones import RESNET_FAMILY
from runner.recipe.compile import Program
from runner.recipe.environment import OFFLINE_ENV, offline
from runner.recipe.errors import RunFailed
from runner.recipe.specs import ModelSpec


class SimpleCNN(nn.Layer):
    """Three conv-BN-ReLU blocks (32, 64, 128 channels), global average pooling, a linear head."""

    def __init__(self, in_channels: int, num_classes: int):
        super().__init__()
        blocks, width = [], in_channels
        for out in (32, 64, 128):
            blocks += [
                nn.Conv2D(width, out, 3, padding=1, bias_attr=False),
                nn.BatchNorm2D(out),
                nn.ReLU(),
                nn.Conv2D(out, out, 3, padding=1, bias_attr=False),
                nn.BatchNorm2D(out),
                nn.ReLU(),
            ]
            if out != 128:
                blocks.append(nn.MaxPool2D(2, ceil_mode=True))
            width = out
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.head(self.features(x).mean(axis=[2, 3]))


class ExpandChannels(nn.Layer):
    """Repeat a greyscale image's one channel three times for networks built for colour."""

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return x.expand([-1, 3, -1, -1])


class AlexNet(models.AlexNet):
    """paddle's AlexNet with torchvision's adaptive 6x6 pooling before the classifier: the same
    network at 224x224, and, as on Lightning, it also takes smaller images (paddle's needs 224)."""

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self._conv3(self._conv2(self._conv1(x)))
        x = F.adaptive_avg_pool2d(self._conv5(F.relu(self._conv4(F.relu(x)))), 6)
        x = self._drop2(F.relu(self._fc6(self._drop1(paddle.flatten(x, 1)))))
        return self._fc8(F.relu(self._fc7(x)))


class GoogLeNet(models.GoogLeNet):
    """paddle's GoogLeNet without its two auxiliary heads, like torchvision's with
    aux_logits=False: one output, and no fixed 224x224 input (the heads' linear layers need it)."""

    AUX = ("_pool_o1", "_pool_o2", "_conv_o1", "_fc_o1", "_drop_o1", "_out1", "_conv_o2", "_fc_o2", "_drop_o2", "_out2")

    def __init__(self, num_classes: int):
        super().__init__(num_classes)
        for name in self.AUX:
            delattr(self, name)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self._pool(self._conv_2(self._conv_1(self._pool(self._conv(x)))))
        x = self._pool(self._ince3b(self._ince3a(x)))
        for block in (self._ince4a, self._ince4b, self._ince4c, self._ince4d, self._ince4e):
            x = block(x)
        x = self._pool_5(self._ince5b(self._ince5a(self._pool(x))))
        return self._fc_out(self._drop(paddle.flatten(x, 1)))


# Names paddle.vision files its weights under (model_urls keys) where they differ from ours.
WEIGHTS_KEY = {
    "mobilenet_v1": "mobilenetv1_1.0",
    "mobilenet_v2": "mobilenetv2_1.0",
    "mobilenet_v3_large": "mobilenet_v3_large_x1.0",
    "mobilenet_v3_small": "mobilenet_v3_small_x1.0",
}
BUILDERS = {"alexnet": AlexNet, "googlenet": GoogLeNet, "lenet": models.LeNet}


def build_network(program: Program) -> nn.Layer:
    """The recipe's backbone with one output per class, from the library that holds it."""
    return LIBRARIES[program.model.library](program.model)


def _builtin(model: ModelSpec) -> nn.Layer:
    return SimpleCNN(model.in_channels, model.num_classes)


def _paddle_vision_backbone(model: ModelSpec) -> nn.Layer:
    channels = model.in_channels
    net = paddle_vision(model.backbone, model.num_classes, model.pretrained)
    if model.stem == "cifar" and model.family in RESNET_FAMILY:
        net.conv1 = nn.Conv2D(channels, net.conv1.weight.shape[0], 3, 1, 1, bias_attr=False)
        net.maxpool = nn.Identity()
    elif model.backbone == "lenet":  # paddle's LeNet is built for 1x28x28 digits: give it the data's channels
        if channels != 1:
            net.features[0] = nn.Conv2D(channels, 6, 3, stride=1, padding=1)
    elif channels == 1:
        net = nn.Sequential(ExpandChannels(), net)
    return net


def paddle_vision(name: str, classes: int, pretrained: bool) -> nn.Layer:
    """A paddle.vision classifier with `classes` outputs (0: none, for an encoder); with
    `pretrained`, every pretrained tensor whose shape still fits (all but the classifier head) is
    loaded into it."""
    net = BUILDERS[name](classes) if name in BUILDERS else getattr(models, name)(num_classes=classes)
    if not pretrained:
        return net
    url, md5 = weights_url(name)
    if url is None:
        raise RunFailed(
            f"model.pretrained: paddle.vision publishes no pretrained weights for {name}; "
            "set model.pretrained: false, or choose a backbone that has them"
        )
    file = url.rsplit("/", 1)[-1]
    try:
        if offline() and not (Path(download.WEIGHTS_HOME) / file).is_file():
            raise OSError(f"{OFFLINE_ENV} is set and they are not in the cache")
        # paddle's own cache and check: WEIGHTS_HOME, the file kept only when its md5 matches
        path = download.get_weights_path_from_url(url, md5)
    except (RuntimeError, OSError) as e:  # offline, firewalled, or the host is down
        raise RunFailed(
            f"model.pretrained: the {name} weights could not be fetched ({str(e).splitlines()[0]}); "
            f"download {url} and place {file} in {download.WEIGHTS_HOME}/, "
            "or set model.pretrained: false"
        ) from None
    # The one pickle the runner opens without --trust: paddle.vision publishes its weights only as
    # paddle.save files, and this is the file paddle downloaded itself from its own URL into its own
    # cache and kept only when its md5 matched. Checkpoints the runner writes are safetensors.
    state, own = paddle.load(path), net.state_dict()
    with warnings.catch_warnings():  # paddle warns for each tensor left out: the head, on purpose
        warnings.simplefilter("ignore")
        net.set_state_dict(
            {k: v for k, v in state.items() if k in own and tuple(own[k].shape) == tuple(getattr(v, "shape", ()))}
        )
    return net


def weights_url(name: str) -> tuple:
    """(url, md5) of the ImageNet weights paddle.vision publishes for a backbone; (None, None)
    where it publishes none (lenet, vgg11, vgg13)."""
    # paddle.vision.models has imported each model's module; a registered name picks one of them
    module = sys.modules["paddle.vision.models.lenet" if name == "lenet" else getattr(models, name).__module__]
    return getattr(module, "model_urls", {}).get(WEIGHTS_KEY.get(name, name), (None, None))


def check_input(program: Program, net: nn.Layer) -> None:
    """Pass two blank images of each pipeline's output shape through the network, so a backbone
    that cannot take them (pooled away, or a fixed-size classifier) is reported before training."""
    was_training = net.training
    net.eval()
    # paddle lets some layers shrink a too-small image to nothing and carry on (inception_v3 on
    # 32x32 gives 0x0 maps and a meaningless output), where torch raises: refuse empty outputs.
    hooks = [layer.register_forward_post_hook(_refuse_empty) for layer in net.sublayers()]

    def forward(shape):
        with paddle.no_grad():
            net(paddle.zeros([2, *shape]))

    try:
        probe(program, forward, (RuntimeError, ValueError, AssertionError))
    finally:
        for hook in hooks:
            hook.remove()
        net.train(was_training)


def _refuse_empty(layer, inputs, output):
    if isinstance(output, paddle.Tensor) and 0 in output.shape:
        raise ValueError(f"{type(layer).__name__} shrinks them to an empty {list(output.shape)} tensor")


# Where each library's backbones are built (ModelSpec.library).
LIBRARIES = {"builtin": _builtin, "paddle.vision": _paddle_vision_backbone}
