"""Segmentation networks for the Paddle backend, by model.arch, each the same network as the
Lightning backend's of that name (tests copy the torch weights in and compare the outputs): the
built-in tiny U-Net (runner/backends/lightning/dense_networks.py's TinyUNet), and
segmentation-models-pytorch's U-Net, over a paddle.vision ResNet as its encoder."""

import paddle
import paddle.nn.functional as F
from paddle import nn

from runner.backends.paddle.networks import paddle_vision
from runner.recipe.compile import Program


def block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """Two 3x3 convolutions with batch norm and ReLU; the first strides."""
    return nn.Sequential(
        nn.Conv2D(cin, cout, 3, stride, 1, bias_attr=False),
        nn.BatchNorm2D(cout),
        nn.ReLU(),
        nn.Conv2D(cout, cout, 3, 1, 1, bias_attr=False),
        nn.BatchNorm2D(cout),
        nn.ReLU(),
    )


class TinyUNet(nn.Layer):
    """Three levels (16, 32, 64 channels, the lower two at half and quarter resolution), decoded
    by bilinear upsampling (half-pixel centres: align_corners=False, paddle's align_mode 0, torch's
    meaning) and concatenation with the level above; one logit per class per pixel."""

    def __init__(self, in_channels: int, num_classes: int, widths=(16, 32, 64)):
        super().__init__()
        a, b, c = widths
        self.down = nn.LayerList([block(in_channels, a), block(a, b, 2), block(b, c, 2)])
        self.up = nn.LayerList([block(c + b, b), block(b + a, a)])
        self.head = nn.Conv2D(a, num_classes, 1)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        skips = []
        for level in self.down:
            x = level(x)
            skips.append(x)
        for level, skip in zip(self.up, reversed(skips[:-1])):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False, align_mode=0)
            x = level(paddle.concat([x, skip], axis=1))
        return self.head(x)


def conv_bn_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2D(cin, cout, 3, padding=1, bias_attr=False), nn.BatchNorm2D(cout), nn.ReLU())


class DecoderBlock(nn.Layer):
    """smp's UnetDecoderBlock: nearest upsampling to the skip's size, concatenation, two 3x3 convs."""

    def __init__(self, cin: int, skip: int, cout: int):
        super().__init__()
        self.conv1, self.conv2 = conv_bn_relu(cin + skip, cout), conv_bn_relu(cout, cout)

    def forward(self, x: paddle.Tensor, size, skip: paddle.Tensor | None) -> paddle.Tensor:
        x = F.interpolate(x, size=size, mode="nearest")
        if skip is not None:
            x = paddle.concat([x, skip], axis=1)
        return self.conv2(self.conv1(x))


class ResNetUNet(nn.Layer):
    """segmentation-models-pytorch's Unet with its defaults (depth 5, decoder channels 256 to 16,
    batch norm, nearest upsampling, a 3x3 head), over a paddle.vision ResNet: the encoder's five
    strides (2 to 32) feed the decoder, whose last block comes back to the input's size. Its
    parameters carry smp's names, so a test can copy smp's weights in."""

    DECODER = (256, 128, 64, 32, 16)
    STRIDE = 32  # the sides must divide by it, as smp requires

    def __init__(self, encoder: nn.Layer, widths: tuple[int, ...], num_classes: int):
        super().__init__()
        self.encoder = encoder
        head, *skips = reversed(widths)  # widths: each stride's channels, 2 to 32
        ins, skips = (head, *self.DECODER[:-1]), (*skips, 0)
        self.decoder = nn.Layer()
        self.decoder.blocks = nn.LayerList([DecoderBlock(i, s, o) for i, s, o in zip(ins, skips, self.DECODER)])
        self.segmentation_head = nn.Sequential(nn.Conv2D(self.DECODER[-1], num_classes, 3, padding=1))

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        height, width = x.shape[-2:]
        if height % self.STRIDE or width % self.STRIDE:
            up = [-(-side // self.STRIDE) * self.STRIDE for side in (height, width)]
            raise ValueError(
                f"Wrong input shape height={height}, width={width}. Expected image height and width "
                f"divisible by {self.STRIDE}. Consider pad your images to shape ({up[0]}, {up[1]})."
            )
        e = self.encoder
        features = [e.relu(e.bn1(e.conv1(x)))]
        for stage in (lambda f: e.layer1(e.maxpool(f)), e.layer2, e.layer3, e.layer4):
            features.append(stage(features[-1]))
        sizes = [f.shape[-2:] for f in reversed(features[:-1])] + [[height, width]]
        y, skips = features[-1], list(reversed(features[:-1])) + [None]
        for block, size, skip in zip(self.decoder.blocks, sizes, skips):
            y = block(y, size, skip)
        return self.segmentation_head(y)


# Each paddle.vision ResNet's channels at strides 2, 4, 8, 16 and 32 (BasicBlock or Bottleneck).
RESNET_WIDTHS = {"resnet18": (64, 64, 128, 256, 512), "resnet34": (64, 64, 128, 256, 512)}
RESNET_WIDTHS["resnet50"] = (64, 256, 512, 1024, 2048)


def _tiny_unet(program: Program) -> nn.Layer:
    return TinyUNet(program.model.in_channels, program.model.num_classes)


def _unet(program: Program) -> nn.Layer:
    model = program.model
    encoder = paddle_vision(model.backbone, 0, model.pretrained)  # no classifier: its weights fit all
    if model.in_channels != 3:
        encoder.conv1 = nn.Conv2D(model.in_channels, 64, 7, 2, 3, bias_attr=False)
    return ResNetUNet(encoder, RESNET_WIDTHS[model.backbone], model.num_classes)


# model.arch (the catalog's names of the segmentation networks paddle has) -> its builder.
ARCHS = {"tiny_unet": _tiny_unet, "unet": _unet}


def segmenter(program: Program) -> nn.Layer:
    return ARCHS[program.model.arch](program)
