"""Detection and segmentation networks for the Lightning backend, by model.arch: the built-in tiny
U-Net and tiny Faster R-CNN, torchvision's detectors and segmenters, and segmentation-models-
pytorch's encoder-decoders.

Every network here takes images as the recipe's pipeline made them: torchvision's detectors are
built with an identity normalisation (the pipeline normalised already) and without their own
resizing (the pipeline sized the images; a batch is padded to its largest)."""

import torch
from torch import nn
from torchvision.models.detection.transform import GeneralizedRCNNTransform

from runner.backends.lightning.weights import pretrained_state
from runner.catalog.backbones import TIMM_PREFIX
from runner.catalog.models import models
from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed


def block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """Two 3x3 convolutions with batch norm and ReLU; the first strides."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class TinyUNet(nn.Module):
    """Three levels (16, 32, 64 channels, the lower two at half and quarter resolution), decoded
    by bilinear upsampling and concatenation with the level above; one logit per class per pixel."""

    def __init__(self, in_channels: int, num_classes: int, widths=(16, 32, 64)):
        super().__init__()
        a, b, c = widths
        self.down = nn.ModuleList([block(in_channels, a), block(a, b, 2), block(b, c, 2)])
        self.up = nn.ModuleList([block(c + b, b), block(b + a, a)])
        self.head = nn.Conv2d(a, num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for level in self.down:
            x = level(x)
            skips.append(x)
        for level, skip in zip(self.up, reversed(skips[:-1])):
            x = nn.functional.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = level(torch.cat([x, skip], 1))
        return self.head(x)


class TorchvisionSegmenter(nn.Module):
    """torchvision's segmenters return {'out': logits, 'aux': ...}; the runner trains on 'out'."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)["out"]


def segmenter(program: Program) -> nn.Module:
    model = program.model
    library = models.get(model.arch).info["library"]
    if library == "builtin":
        return TinyUNet(model.in_channels, model.num_classes)
    if library == "torchvision":
        import torchvision

        net = torchvision.models.get_model(
            model.arch, num_classes=model.num_classes, weights=None, weights_backbone=None, aux_loss=False
        )
        if model.pretrained:
            _load_fitting(net, pretrained_state(model.arch))
        return TorchvisionSegmenter(net)
    return _smp(program)


def _smp(program: Program) -> nn.Module:
    import segmentation_models_pytorch as smp

    model = program.model
    encoder = model.backbone
    if encoder.startswith(TIMM_PREFIX):
        encoder = "tu-" + encoder[len(TIMM_PREFIX) :]
    architecture = getattr(smp, models.get(model.arch).info["smp"])
    try:
        return architecture(
            encoder_name=encoder,
            encoder_weights="imagenet" if model.pretrained else None,
            in_channels=model.in_channels,
            classes=model.num_classes,
        )
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        if not model.pretrained:
            raise
        raise RunFailed(
            f"model.pretrained: the ImageNet weights of encoder {model.backbone} could not be fetched "
            f"({str(e).splitlines()[0]}); fetch them on a connected machine into the same cache, "
            "or set model.pretrained: false"
        ) from None


def detector(program: Program) -> nn.Module:
    """A torchvision detector with one class per category plus the background (label 0)."""
    model = program.model
    classes = model.num_classes + 1
    library = models.get(model.arch).info["library"]
    if library == "builtin":
        net = _tiny_detector(classes)
    elif library == "torchvision_fpn":
        net = _over_a_pyramid(program, classes)
    else:
        import torchvision

        net = torchvision.models.get_model(model.arch, weights=None, weights_backbone=None, num_classes=classes)
        if model.pretrained:
            _load_fitting(net, pretrained_state(model.arch))
    net.transform = _unresized()
    return net


def _over_a_pyramid(program: Program, classes: int) -> nn.Module:
    """torchvision's FasterRCNN, RetinaNet or FCOS over a feature pyramid of the recipe's ResNet,
    built as torchvision builds its named ones: batch norm frozen and the first two stages fixed
    when starting from the ResNet's ImageNet weights, all trained from scratch otherwise; the
    one-stage detectors read P3-P7 (C3-C5 and two more levels from P5)."""
    import torchvision
    from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
    from torchvision.ops import misc
    from torchvision.ops.feature_pyramid_network import LastLevelP6P7

    model = program.model
    kind = models.get(model.arch).info["torchvision"]
    pyramid = {} if kind == "FasterRCNN" else {"returned_layers": [2, 3, 4], "extra_blocks": LastLevelP6P7(256, 256)}
    backbone = resnet_fpn_backbone(
        backbone_name=model.backbone,
        weights=None,
        norm_layer=misc.FrozenBatchNorm2d if model.pretrained else nn.BatchNorm2d,
        trainable_layers=3 if model.pretrained else 5,
        **pyramid,
    )
    if model.pretrained:
        _load_fitting(backbone.body, pretrained_state(model.backbone))
    return getattr(torchvision.models.detection, kind)(backbone, num_classes=classes)


class Unresized(GeneralizedRCNNTransform):
    """torchvision's detection transform less its resizing, with identity normalisation: it
    batches the images (padded to a multiple of 32) and maps boxes back, nothing more."""

    def resize(self, image, target=None):
        return image, target


def _unresized() -> nn.Module:
    return Unresized(min_size=1, max_size=1, image_mean=[0.0] * 3, image_std=[1.0] * 3)


def _tiny_detector(classes: int) -> nn.Module:
    """FCOS (anchor-free: each location of the feature map predicts a class, a box and its
    centre-ness) on the stride-8 map of a three-block CNN (32, 64, 128 channels): no region
    pooling, whose CPU backward dominates a two-stage detector at this size, so it trains on a
    CPU in seconds."""
    from torchvision.models.detection import FCOS
    from torchvision.models.detection.anchor_utils import AnchorGenerator

    backbone = nn.Sequential(block(3, 32, 2), block(32, 64, 2), block(64, 128, 2))
    backbone.out_channels = 128
    # One location per cell of the stride-8 map, its size the stride, as torchvision's FCOS sizes levels.
    locations = AnchorGenerator(sizes=((8,),), aspect_ratios=((1.0,),))
    return FCOS(backbone, classes, anchor_generator=locations, detections_per_img=50)


def _load_fitting(net: nn.Module, state: dict) -> None:
    """Load every pretrained tensor whose shape fits (all but the class-specific head)."""
    own = net.state_dict()
    net.load_state_dict({k: v for k, v in state.items() if k in own and own[k].shape == v.shape}, strict=False)
