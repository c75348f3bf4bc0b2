"""Networks for the tasks beyond classification, by the name a recipe gives as `model.arch`:
torchvision's detectors and segmenters, segmentation-models-pytorch's encoder-decoders, and small
built-in networks that train on a CPU in seconds. `model.backbone` then names the encoder, where
the architecture lets one be chosen (`encoders`), and is left empty where the name fixes it.

Classification networks are backbones (backbones.py): the whole network is the classifier."""

from importlib import resources

from runner.catalog.backbones import RESNET_FAMILY, TIMM_PREFIX, TORCHVISION, timm_names
from runner.catalog.registry import Registry

models = Registry("model", "models")

DETECTION, SEGMENTATION = ("detection",), ("segmentation",)
LIGHTNING, BOTH = ("lightning",), ("lightning", "paddle")

# Encoder choices: FIXED, the name says it (fasterrcnn_resnet50_fpn); NONE, a built-in network
# with no separate encoder; SMP, any encoder of segmentation-models-pytorch or timm/<name>.
FIXED, NONE, SMP, RESNET_FPN = "fixed", "none", "smp", "resnet_fpn"
# Backbones torchvision's resnet_fpn_backbone builds a feature pyramid over (ResNet, ResNeXt,
# Wide ResNet), for the detectors whose backbone a recipe chooses.
FPN_RESNETS = tuple(n for n in TORCHVISION if n.startswith(RESNET_FAMILY))

# torchvision.models.list_models(module=torchvision.models.detection) for torchvision 0.29, less
# the instance-segmentation and keypoint models; a test keeps it in step with the library.
TORCHVISION_DETECTION = {
    "fasterrcnn_resnet50_fpn": "Faster R-CNN, ResNet-50 FPN (Ren et al., 2015), COCO box AP 37.0.",
    "fasterrcnn_resnet50_fpn_v2": "Faster R-CNN, ResNet-50 FPN v2 (Li et al., 2021), COCO box AP 46.7.",
    "fasterrcnn_mobilenet_v3_large_fpn": "Faster R-CNN, MobileNetV3-Large FPN, COCO box AP 32.8.",
    "fasterrcnn_mobilenet_v3_large_320_fpn": "Faster R-CNN, MobileNetV3-Large FPN at 320 px, COCO box AP 22.8.",
    "retinanet_resnet50_fpn": "RetinaNet, ResNet-50 FPN (Lin et al., 2017), COCO box AP 36.4.",
    "retinanet_resnet50_fpn_v2": "RetinaNet, ResNet-50 FPN v2, COCO box AP 41.5.",
    "fcos_resnet50_fpn": "FCOS, ResNet-50 FPN (Tian et al., 2019), anchor-free, COCO box AP 39.2.",
    "ssd300_vgg16": "SSD300, VGG-16 (Liu et al., 2016), COCO box AP 25.1.",
    "ssdlite320_mobilenet_v3_large": "SSDlite320, MobileNetV3-Large, COCO box AP 21.3.",
}

# torchvision.models.list_models(module=torchvision.models.segmentation) for torchvision 0.29.
TORCHVISION_SEGMENTATION = {
    "deeplabv3_resnet50": "DeepLabV3, ResNet-50 (Chen et al., 2017), COCO-VOC mIoU 66.4.",
    "deeplabv3_resnet101": "DeepLabV3, ResNet-101, COCO-VOC mIoU 67.4.",
    "deeplabv3_mobilenet_v3_large": "DeepLabV3, MobileNetV3-Large, COCO-VOC mIoU 60.3.",
    "fcn_resnet50": "FCN, ResNet-50 (Long et al., 2015), COCO-VOC mIoU 60.5.",
    "fcn_resnet101": "FCN, ResNet-101, COCO-VOC mIoU 63.7.",
    "lraspp_mobilenet_v3_large": "LR-ASPP, MobileNetV3-Large (Howard et al., 2019), COCO-VOC mIoU 57.9.",
}

# segmentation-models-pytorch's architectures by their class names, and the encoder each takes
# unless the recipe names another.
SMP_ARCHS = {
    "unet": ("Unet", "U-Net (Ronneberger et al., 2015) from segmentation-models-pytorch, any encoder."),
    "unetplusplus": ("UnetPlusPlus", "U-Net++ (Zhou et al., 2018) from segmentation-models-pytorch, any encoder."),
    "fpn": ("FPN", "Feature Pyramid Network decoder from segmentation-models-pytorch, any encoder."),
    "deeplabv3plus": ("DeepLabV3Plus", "DeepLabV3+ (Chen et al., 2018) from segmentation-models-pytorch."),
}
SMP_DEFAULT_ENCODER = "resnet34"

# The smp architectures the paddle backend has too, with the encoders each takes there:
# paddle.vision's ResNets, the same networks (and parameter names) as segmentation-models-pytorch's
# encoders of these names; their ImageNet weights are paddle.vision's own.
PADDLE_ENCODERS = {"unet": ("resnet18", "resnet34", "resnet50")}

models.declare(
    "tiny_detector",
    "Small built-in FCOS detector (a three-block CNN, one stride-8 feature map) for small images and CPU runs.",
    backends=LIGHTNING,
    tasks=DETECTION,
    library="builtin",
    encoders=NONE,
)
# torchvision's detector classes over a feature pyramid of the ResNet the recipe names: with
# `pretrained`, that ResNet's ImageNet weights (the COCO weights exist for the names above only).
FPN_DETECTORS = {
    "fasterrcnn": (
        "FasterRCNN",
        "Faster R-CNN over an FPN of any torchvision ResNet (model.backbone, resnet50 unless set).",
    ),
    "retinanet": (
        "RetinaNet",
        "RetinaNet over an FPN (P3-P7) of any torchvision ResNet (model.backbone, resnet50 unless set).",
    ),
    "fcos": ("FCOS", "FCOS over an FPN (P3-P7) of any torchvision ResNet (model.backbone, resnet50 unless set)."),
}
for _name, (_class, _doc) in FPN_DETECTORS.items():
    models.declare(
        _name,
        _doc,
        backends=LIGHTNING,
        tasks=DETECTION,
        library="torchvision_fpn",
        encoders=RESNET_FPN,
        encoder="resnet50",
        torchvision=_class,
    )
for _name, _doc in TORCHVISION_DETECTION.items():
    models.declare(_name, _doc, backends=LIGHTNING, tasks=DETECTION, library="torchvision", encoders=FIXED)

models.declare(
    "tiny_unet",
    "Small built-in U-Net (three levels, 16 to 64 channels) for small images and CPU runs.",
    tasks=SEGMENTATION,
    library="builtin",
    encoders=NONE,
)
for _name, _doc in TORCHVISION_SEGMENTATION.items():
    models.declare(_name, _doc, backends=LIGHTNING, tasks=SEGMENTATION, library="torchvision", encoders=FIXED)
for _name, (_class, _doc) in SMP_ARCHS.items():
    _paddle = PADDLE_ENCODERS.get(_name)
    _doc += f" On paddle: over a paddle.vision {', '.join(_paddle)}." if _paddle else ""
    _backends = BOTH if _paddle else LIGHTNING
    models.declare(
        _name,
        _doc,
        backends=_backends,
        tasks=SEGMENTATION,
        library="smp",
        encoders=SMP,
        smp=_class,
        encoder=SMP_DEFAULT_ENCODER,
    )


def smp_encoders() -> frozenset:
    """segmentation-models-pytorch 0.6's encoder names (smp.encoders.get_encoder_names()); a test
    keeps the file equal to the library's."""
    return frozenset(resources.files("runner.catalog").joinpath("smp_encoders.txt").read_text().split())


def encoder_problem(arch: str, backbone: str, backend: str = "lightning") -> tuple[str, str] | None:
    """(problem, fix) when `backbone` cannot be the encoder of `arch` on `backend`; None when it
    can (an empty backbone is the arch's default encoder, which every backend has)."""
    encoders = models.get(arch).info["encoders"]
    if encoders in (FIXED, NONE) and backbone:
        why = "its name fixes its backbone" if encoders == FIXED else "it is a whole built-in network"
        return f"{arch} takes no backbone: {why}", "remove model.backbone"
    if backend == "paddle" and arch in PADDLE_ENCODERS and backbone and backbone not in PADDLE_ENCODERS[arch]:
        offered = ", ".join(PADDLE_ENCODERS[arch])
        return (
            f"{backbone!r} is not an encoder of {arch} on the paddle backend, which offers {offered}",
            "use one of those, or backend: lightning, which takes every `runner ls models --encoders` lists",
        )
    if encoders == RESNET_FPN and backbone and backbone not in FPN_RESNETS:
        return (
            f"{arch} builds its feature pyramid over a torchvision ResNet, not {backbone!r}",
            f"use one of {', '.join(FPN_RESNETS[:4])}, ... (`runner ls models --encoders`)",
        )
    if encoders == SMP and backbone:
        known = backbone[len(TIMM_PREFIX) :] in timm_names() if backbone.startswith(TIMM_PREFIX) else None
        if known is None:
            known = backbone in smp_encoders()
        if not known:
            return (
                f"{backbone!r} is not an encoder segmentation-models-pytorch offers",
                "use one `runner ls models --encoders` lists (resnet34, efficientnet-b0, ...) or timm/<name>",
            )
    return None
