"""What `model.pretrained` loads into a detector: a named torchvision detector takes its COCO
weights (all but the class head, whose size is the recipe's); fasterrcnn, retinanet and fcos over
the recipe's ResNet take that ResNet's ImageNet weights, and freeze its batch norm as torchvision
does. Weights come through one door (weights.pretrained_state), replaced here by known tensors."""

import pytest
import torch
import torchvision

from runner.backends.lightning import dense_networks
from runner.recipe.compile import with_classes
from runner.recipe.stages import compile_file
from tests.conftest import ROOT


def program(*overrides):
    """The detection quickstart's Program, its 3 shapes counted."""
    return with_classes(compile_file(str(ROOT / "recipes/quickstart_detection.yaml"), list(overrides))[1], 3)


def known(name: str) -> dict:
    """torchvision model `name`'s state with every tensor filled with 0.5."""
    extra = {"weights_backbone": None} if "rcnn" in name or "retinanet" in name else {}
    state = torchvision.models.get_model(name, weights=None, **extra).state_dict()
    return {k: torch.full_like(v, 0.5) if v.is_floating_point() else v for k, v in state.items()}


@pytest.mark.parametrize("arch", ["fasterrcnn", "retinanet"])
def test_a_chosen_resnet_brings_its_imagenet_weights(arch, monkeypatch):
    asked = []
    monkeypatch.setattr(dense_networks, "pretrained_state", lambda name: asked.append(name) or known(name))
    net = dense_networks.detector(program(f"model.arch={arch}", "model.backbone=resnet18", "model.pretrained=true"))
    assert asked == ["resnet18"]
    body = net.backbone.body
    assert torch.all(body.conv1.weight == 0.5) and torch.all(body.layer4[1].conv2.weight == 0.5)
    assert isinstance(body.bn1, torchvision.ops.misc.FrozenBatchNorm2d)
    assert not body.layer1[0].conv1.weight.requires_grad and body.layer2[0].conv1.weight.requires_grad
    assert not torch.all(net.backbone.fpn.inner_blocks[0][0].weight == 0.5)  # the pyramid starts afresh


def test_from_scratch_a_chosen_resnet_trains_whole_with_batch_norm(monkeypatch):
    monkeypatch.setattr(dense_networks, "pretrained_state", lambda name: pytest.fail("nothing is fetched"))
    net = dense_networks.detector(program("model.arch=fcos", "model.backbone=resnet34"))
    body = net.backbone.body
    assert isinstance(body.bn1, torch.nn.BatchNorm2d) and body.conv1.weight.requires_grad
    assert len(body.layer1) == 3  # resnet34's stages, not resnet50's


def test_a_named_detector_takes_its_coco_weights_but_the_class_head(monkeypatch):
    monkeypatch.setattr(dense_networks, "pretrained_state", known)
    net = dense_networks.detector(program("model.arch=fasterrcnn_mobilenet_v3_large_320_fpn", "model.pretrained=true"))
    assert torch.all(net.backbone.body["0"][0].weight == 0.5)
    assert torch.all(net.rpn.head.conv[0][0].weight == 0.5)
    head = net.roi_heads.box_predictor.cls_score
    assert head.out_features == 4 and not torch.all(head.weight == 0.5)  # 3 shapes and the background
