"""Augmentations: the steps of the `augment.train` and `augment.eval` pipelines.

Each function declares one step's name and parameters; the backends implement the step with the
same meaning (torchvision.transforms.v2 or batched tensor code on Lightning, paddle.vision or
batched code on Paddle). Entries marked `batch=True` mix whole batches and labels, so they belong
at the end of the training pipeline only.
"""

from typing import Annotated, Literal

from runner.catalog.registry import Param, Registry

augmentations = Registry("augmentation", "augmentations")

Pixels = Annotated[int, Param("size in pixels", min=1)]
Probability = Annotated[float, Param("probability of applying the step", min=0.0, max=1.0)]
LIGHTNING_ONLY = ("lightning",)  # paddle.vision.transforms has no equivalent policy
# Steps that change the pixels alone, or mix labels: they would leave boxes and masks behind.
CLASSIFICATION = ("classification",)


@augmentations.register
def resize(size: Pixels):
    """Resize so the shorter side is `size` pixels, keeping the aspect ratio."""


@augmentations.register
def center_crop(size: Pixels):
    """Crop the central size x size square."""


@augmentations.register
def random_crop(
    size: Pixels,
    padding: Annotated[int, Param("zero padding added to each side first, in pixels", min=0)] = 0,
):
    """Crop a random size x size window, after padding each side by `padding` pixels."""


@augmentations.register
def random_resized_crop(
    size: Pixels,
    scale: Annotated[tuple[float, float], Param("range of the crop's area as a fraction")] = (0.08, 1.0),
    ratio: Annotated[tuple[float, float], Param("range of the crop's aspect ratio")] = (0.75, 1.3333),
):
    """Crop a random area and aspect ratio, then resize to size x size (Inception-style)."""


@augmentations.register
def hflip(p: Probability = 0.5):
    """Flip left-right with probability `p`."""


@augmentations.register
def vflip(p: Probability = 0.5):
    """Flip top-bottom with probability `p`."""


@augmentations.register
def rotation(degrees: Annotated[float, Param("largest rotation either way, in degrees", min=0, max=180)]):
    """Rotate by a random angle in [-degrees, degrees]."""


@augmentations.register
def color_jitter(
    brightness: Annotated[float, Param("brightness change, as a fraction", min=0)] = 0.4,
    contrast: Annotated[float, Param("contrast change, as a fraction", min=0)] = 0.4,
    saturation: Annotated[float, Param("saturation change, as a fraction", min=0)] = 0.4,
    hue: Annotated[float, Param("hue shift, as a fraction of the colour wheel", min=0, max=0.5)] = 0.0,
):
    """Randomly change brightness, contrast, saturation and hue."""


@augmentations.register
def grayscale(p: Probability = 1.0):
    """Convert to greyscale with probability `p`, keeping the number of channels."""


@augmentations.register(backends=LIGHTNING_ONLY, tasks=CLASSIFICATION)
def auto_augment(
    policy: Annotated[Literal["imagenet", "cifar10", "svhn"], Param("data set the policy was learned on")] = "imagenet",
):
    """AutoAugment with a learned policy (Cubuk et al., 2019)."""


@augmentations.register(backends=LIGHTNING_ONLY, tasks=CLASSIFICATION)
def rand_augment(
    num_ops: Annotated[int, Param("operations applied to each image", min=1, max=14)] = 2,
    magnitude: Annotated[int, Param("strength of each operation, 0 to 30", min=0, max=30)] = 9,
):
    """RandAugment: `num_ops` random operations at one magnitude (Cubuk et al., 2020)."""


@augmentations.register(backends=LIGHTNING_ONLY, tasks=CLASSIFICATION)
def trivial_augment():
    """TrivialAugment Wide: one random operation at a random magnitude (Müller & Hutter, 2021)."""


@augmentations.register(tasks=CLASSIFICATION)
def random_erasing(
    p: Probability = 0.25,
    scale: Annotated[tuple[float, float], Param("range of the erased area as a fraction")] = (0.02, 0.33),
):
    """Erase a random rectangle of a normalised image (Zhong et al., 2020)."""


@augmentations.register
def normalize(
    mean: Annotated[list[float], Param("per-channel mean; [] uses the dataset's")] = (),
    std: Annotated[list[float], Param("per-channel standard deviation; [] uses the dataset's")] = (),
):
    """Scale pixels to [0, 1], then subtract the mean and divide by the standard deviation."""


@augmentations.register(batch=True, tasks=CLASSIFICATION)
def mixup(alpha: Annotated[float, Param("Beta(alpha, alpha) mixing strength", min=0.0)] = 0.2):
    """Blend pairs of images and their labels (Zhang et al., 2018). Training only."""


@augmentations.register(batch=True, tasks=CLASSIFICATION)
def cutmix(alpha: Annotated[float, Param("Beta(alpha, alpha) box-size strength", min=0.0)] = 1.0):
    """Paste a box from one image into another, mixing labels by area (Yun et al., 2019). Training only."""
