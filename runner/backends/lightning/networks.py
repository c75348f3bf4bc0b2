"""Backbones for the Lightning backend: the built-in CNN, torchvision models by name (with the
CIFAR stem option) and timm models as `timm/<name>`."""

import os

import torch
from torch import nn

from runner.backends.lightning.weights import pretrained_state
from runner.backends.probe import probe
from runner.catalog.backbones import RESNET_FAMILY, TIMM_PREFIX
from runner.recipe.compile import Program
from runner.recipe.environment import offline
from runner.recipe.errors import RunFailed
from runner.recipe.specs import ModelSpec


class SimpleCNN(nn.Module):
    """Three conv-BN-ReLU blocks (32, 64, 128 channels), global average pooling, a linear head."""

    def __init__(self, in_channels: int, num_classes: int):
        super().__init__()
        blocks, width = [], in_channels
        for out in (32, 64, 128):
            blocks += [
                nn.Conv2d(width, out, 3, padding=1, bias=False),
                nn.BatchNorm2d(out),
                nn.ReLU(inplace=True),
                nn.Conv2d(out, out, 3, padding=1, bias=False),
                nn.BatchNorm2d(out),
                nn.ReLU(inplace=True),
            ]
            if out != 128:
                blocks.append(nn.MaxPool2d(2, ceil_mode=True))
            width = out
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean(dim=(2, 3)))


class ExpandChannels(nn.Module):
    """Repeat a greyscale image's one channel three times for networks built for colour."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.expand(-1, 3, -1, -1)


def build_network(program: Program) -> nn.Module:
    """The recipe's backbone with one output per class, from the library that holds it."""
    return LIBRARIES[program.model.library](program.model)


def _builtin(model: ModelSpec) -> nn.Module:
    return SimpleCNN(model.in_channels, model.num_classes)


def _timm_backbone(model: ModelSpec) -> nn.Module:
    return _timm(model.backbone[len(TIMM_PREFIX) :], model.num_classes, model.in_channels, model.pretrained)


def _torchvision_backbone(model: ModelSpec) -> nn.Module:
    net = _torchvision(model.backbone, model.num_classes, model.pretrained)
    if model.stem == "cifar" and model.family in RESNET_FAMILY:
        net.conv1 = nn.Conv2d(model.in_channels, net.conv1.out_channels, 3, 1, 1, bias=False)
        net.maxpool = nn.Identity()
    elif model.in_channels == 1:
        net = nn.Sequential(ExpandChannels(), net)
    return net


def _timm(name: str, classes: int, channels: int, pretrained: bool) -> nn.Module:
    if offline():  # huggingface_hub reads this when imported: only its cache is used
        os.environ["HF_HUB_OFFLINE"] = "1"
    import timm

    try:
        return timm.create_model(name, pretrained=pretrained, num_classes=classes, in_chans=channels)
    except (OSError, RuntimeError, ValueError) as e:  # huggingface_hub's offline errors are OSErrors
        if not pretrained:
            raise
        from huggingface_hub.constants import HF_HUB_CACHE

        source = timm.models.get_pretrained_cfg(name)
        hub = getattr(source, "hf_hub_id", None) or name
        raise RunFailed(
            f"model.pretrained: the timm/{name} weights could not be fetched ({str(e).splitlines()[0]}); "
            f"on a connected machine run `huggingface-cli download {hub}`, copy its cache into "
            f"{HF_HUB_CACHE} here (set HF_HUB_OFFLINE=1 to use it), or set model.pretrained: false"
        ) from None


def _torchvision(name: str, classes: int, pretrained: bool) -> nn.Module:
    """A torchvision classifier with `classes` outputs; with `pretrained`, every pretrained
    tensor whose shape still fits (all but the classifier head) is loaded into it."""
    import torchvision

    extra = {"aux_logits": False} if name in ("googlenet", "inception_v3") else {}
    net = torchvision.models.get_model(name, num_classes=classes, **extra)
    if pretrained:
        state = pretrained_state(name)
        own = net.state_dict()
        net.load_state_dict({k: v for k, v in state.items() if k in own and own[k].shape == v.shape}, strict=False)
    return net


def check_input(program: Program, net: nn.Module) -> None:
    """Pass two blank images of each pipeline's output shape through the network, so a backbone
    that cannot take them (pooled away, or a fixed-size ViT) is reported before training."""
    net = getattr(net, "_orig_mod", net)  # probe the uncompiled network; compiling waits for training
    was_training = net.training
    net.eval()

    def forward(shape):
        with torch.no_grad():
            net(torch.zeros(2, *shape))

    try:
        probe(program, forward, (RuntimeError, ValueError, AssertionError))
    finally:
        net.train(was_training)


# Where each library's backbones are built (ModelSpec.library).
LIBRARIES = {"builtin": _builtin, "torchvision": _torchvision_backbone, "timm": _timm_backbone}
