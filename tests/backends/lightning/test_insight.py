"""The layer Grad-CAM reads, found by running the network once: for torchvision and timm CNNs the
last layer still at least 4x4 at the recipe's input size (a ResNet's last stage is 1x1 on 32x32
images), and none for a vision transformer, whose last layers work on tokens."""

import pytest
import timm
import torch
import torchvision

from runner.backends.inference import gradcam_layer
from runner.backends.lightning.insight import _outputs


def outputs(net, size):
    return _outputs(net, torch.randn(1, 3, size, size))


@pytest.mark.parametrize(
    ("build", "size", "layer"),
    [
        (lambda: torchvision.models.resnet18(num_classes=10), 32, "layer2"),  # layer3 is 2x2, layer4 1x1
        (lambda: torchvision.models.resnet18(num_classes=10), 224, "layer4"),
        (lambda: timm.create_model("resnet18", num_classes=10), 64, "layer3"),
    ],
)
def test_the_last_layer_at_least_4x4_is_chosen(build, size, layer):
    net = build().eval()
    assert gradcam_layer(outputs(net, size))[0] == layer


def test_a_vision_transformer_has_no_layer_for_grad_cam():
    net = timm.create_model("vit_tiny_patch16_224", img_size=32, patch_size=4, num_classes=10).eval()
    why = gradcam_layer(outputs(net, 32))
    assert isinstance(why, str) and "tokens" in why
