"""Backbones: torchvision and paddle.vision classifiers by name, timm models as `timm/<name>`,
and a small built-in CNN for CPU runs."""

from importlib import resources

from runner.catalog.registry import Entry, Registry

backbones = Registry("backbone", "backbones")

# torchvision.models.list_models(module=torchvision.models) for torchvision 0.29; a test keeps
# this list equal to the installed library's.
TORCHVISION = (
    "alexnet convnext_base convnext_large convnext_small convnext_tiny densenet121 densenet161 "
    "densenet169 densenet201 efficientnet_b0 efficientnet_b1 efficientnet_b2 efficientnet_b3 "
    "efficientnet_b4 efficientnet_b5 efficientnet_b6 efficientnet_b7 efficientnet_v2_l "
    "efficientnet_v2_m efficientnet_v2_s googlenet inception_v3 maxvit_t mnasnet0_5 mnasnet0_75 "
    "mnasnet1_0 mnasnet1_3 mobilenet_v2 mobilenet_v3_large mobilenet_v3_small regnet_x_16gf "
    "regnet_x_1_6gf regnet_x_32gf regnet_x_3_2gf regnet_x_400mf regnet_x_800mf regnet_x_8gf "
    "regnet_y_128gf regnet_y_16gf regnet_y_1_6gf regnet_y_32gf regnet_y_3_2gf regnet_y_400mf "
    "regnet_y_800mf regnet_y_8gf resnet101 resnet152 resnet18 resnet34 resnet50 resnext101_32x8d "
    "resnext101_64x4d resnext50_32x4d shufflenet_v2_x0_5 shufflenet_v2_x1_0 shufflenet_v2_x1_5 "
    "shufflenet_v2_x2_0 squeezenet1_0 squeezenet1_1 swin_b swin_s swin_t swin_v2_b swin_v2_s "
    "swin_v2_t vgg11 vgg11_bn vgg13 vgg13_bn vgg16 vgg16_bn vgg19 vgg19_bn vit_b_16 vit_b_32 "
    "vit_h_14 vit_l_16 vit_l_32 wide_resnet101_2 wide_resnet50_2"
).split()

# paddle.vision.models classifiers (paddlepaddle 3.3).
PADDLE = (
    "alexnet densenet121 densenet161 densenet169 densenet201 densenet264 googlenet inception_v3 "
    "lenet mobilenet_v1 mobilenet_v2 mobilenet_v3_large mobilenet_v3_small resnet18 resnet34 "
    "resnet50 resnet101 resnet152 resnext50_32x4d resnext50_64x4d resnext101_32x4d "
    "resnext101_64x4d resnext152_32x4d resnext152_64x4d shufflenet_v2_x0_25 shufflenet_v2_x0_33 "
    "shufflenet_v2_x0_5 shufflenet_v2_x1_0 shufflenet_v2_x1_5 shufflenet_v2_x2_0 "
    "shufflenet_v2_swish squeezenet1_0 squeezenet1_1 vgg11 vgg13 vgg16 vgg19 wide_resnet50_2 "
    "wide_resnet101_2"
).split()

# ResNet-style networks whose first convolution and max-pool `model.stem: cifar` replaces.
RESNET_FAMILY = ("resnet", "resnext", "wide_resnet")

backbones.declare(
    "simple_cnn",
    "Small built-in CNN (three conv blocks, global pooling) for small images and CPU runs.",
    family="simple_cnn",
)
for _name in sorted(set(TORCHVISION) | set(PADDLE)):
    _where = tuple(b for b, names in (("lightning", TORCHVISION), ("paddle", PADDLE)) if _name in names)
    _library = " and ".join({"lightning": "torchvision", "paddle": "paddle.vision"}[b] for b in _where)
    backbones.declare(
        _name,
        f"{_name} from {_library}.",
        backends=_where,
        family=next((f for f in RESNET_FAMILY if _name.startswith(f)), _name),
    )

TIMM_PREFIX = "timm/"


def timm_names() -> frozenset:
    """Model names of timm 1.0 (timm.list_models()); a test keeps the file equal to the library's."""
    text = resources.files("runner.catalog").joinpath("timm_models.txt").read_text()
    return frozenset(text.split())


def lookup(name: str):
    """The entry for a backbone name, including `timm/<name>` for any model timm knows."""
    if name.startswith(TIMM_PREFIX) and name[len(TIMM_PREFIX) :] in timm_names():
        return TIMM
    return backbones.get(name)


TIMM = Entry(
    "timm/<name>",
    "backbone",
    lambda: None,
    "Any timm model, written timm/<name> (`runner ls backbones --timm` lists them).",
    ("lightning",),
    {"family": "timm"},
)
