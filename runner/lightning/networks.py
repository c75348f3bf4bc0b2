"""Backbones for the Lightning backend: the built-in CNN, torchvision models by name (with the
CIFAR stem option) and timm models as `timm/<name>`."""
import torch
from torch import nn

from runner.catalog.backbones import RESNET_FAMILY, TIMM_PREFIX
from runner.program import Program, backbone_family


class SimpleCNN(nn.Module):
    """Three conv-BN-ReLU blocks (32, 64, 128 channels), global average pooling, a linear head."""

    def __init__(self, in_channels: int, num_classes: int):
        super().__init__()
        blocks, width = [], in_channels
        for out in (32, 64, 128):
            blocks += [nn.Conv2d(width, out, 3, padding=1, bias=False), nn.BatchNorm2d(out),
                       nn.ReLU(inplace=True), nn.Conv2d(out, out, 3, padding=1, bias=False),
                       nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
            if out != 128:
                blocks.append(nn.MaxPool2d(2, ceil_mode=True))
            width = out
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean(dim=(2, 3)))


def build_network(program: Program) -> nn.Module:
    model = program.recipe["model"]
    name, classes = model["backbone"], program.num_classes
    channels = program.dataset.shape[0] if program.dataset.shape else 3
    if name == "simple_cnn":
        return SimpleCNN(channels, classes)
    if name.startswith(TIMM_PREFIX):
        import timm

        return timm.create_model(name[len(TIMM_PREFIX):], pretrained=model["pretrained"],
                                 num_classes=classes, in_chans=channels)
    import torchvision

    net = torchvision.models.get_model(name, weights="DEFAULT" if model["pretrained"] else None)
    _replace_head(net, classes)
    if model["stem"] == "cifar" and backbone_family(program.recipe) in RESNET_FAMILY:
        net.conv1 = nn.Conv2d(channels, net.conv1.out_channels, 3, 1, 1, bias=False)
        net.maxpool = nn.Identity()
    elif channels != 3:
        raise NotImplementedError(f"{name} expects colour images; {channels}-channel input needs simple_cnn")
    return net


def _replace_head(net: nn.Module, classes: int) -> None:
    """Swap the last linear layer for one with `classes` outputs."""
    parent, attr, last = None, None, None
    for module_name, module in net.named_modules():
        if isinstance(module, nn.Linear):
            last = module_name
    *path, attr = last.split(".")
    parent = net.get_submodule(".".join(path)) if path else net
    old = getattr(parent, attr) if not attr.isdigit() else parent[int(attr)]
    new = nn.Linear(old.in_features, classes)
    if attr.isdigit():
        parent[int(attr)] = new
    else:
        setattr(parent, attr, new)
