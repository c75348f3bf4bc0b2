"""Datasets, shared by both backends. Each entry returns the facts compile needs about the data
(classes, image shape, split sizes, normalisation statistics) for the parameters given."""

from dataclasses import dataclass, field
from typing import Annotated

from runner.catalog.registry import Param, Registry

datasets = Registry("dataset", "datasets")

CLASSIFICATION, DENSE = ("classification",), ("detection", "segmentation")

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class DatasetInfo:
    num_classes: int | None  # None: known only once the files are read (`folder`)
    shape: tuple[int, int, int] | None  # channels, height, width of stored images; None: varies
    mean: tuple[float, ...]
    std: tuple[float, ...]
    train_size: int | None
    test_size: int | None  # None: not known before the files are read
    in_memory: bool  # small enough to hold as one uint8 array
    has_test_split: bool = True  # False: validation needs data.val_fraction
    classes: tuple[str, ...] | None = None  # names in label order; None: the labels, or the folders' names
    # (train, test) sizes of the tasks whose splits differ from train_size and test_size
    task_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)


DIGITS = tuple("0123456789")
CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# CIFAR-100's fine labels, in label order (fine_label_names.txt in the archive: alphabetical)
CIFAR100 = tuple(
    "apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can "
    "castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin "
    "elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster "
    "man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck "
    "pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk "
    "skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger "
    "tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm".split()
)
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@datasets.register(tasks=CLASSIFICATION)
def cifar10() -> DatasetInfo:
    """CIFAR-10: 60,000 32x32 colour images in 10 classes (50,000 train, 10,000 test)."""
    return DatasetInfo(
        10, (3, 32, 32), (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616), 50_000, 10_000, True, classes=CIFAR10
    )


@datasets.register(tasks=CLASSIFICATION)
def cifar100() -> DatasetInfo:
    """CIFAR-100: 60,000 32x32 colour images in 100 classes (50,000 train, 10,000 test)."""
    return DatasetInfo(
        100, (3, 32, 32), (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762), 50_000, 10_000, True, classes=CIFAR100
    )


@datasets.register(tasks=CLASSIFICATION)
def mnist() -> DatasetInfo:
    """MNIST: 70,000 28x28 greyscale handwritten digits (60,000 train, 10,000 test)."""
    return DatasetInfo(10, (1, 28, 28), (0.1307,), (0.3081,), 60_000, 10_000, True, classes=DIGITS)


@datasets.register(tasks=CLASSIFICATION)
def fashion_mnist() -> DatasetInfo:
    """Fashion-MNIST: 70,000 28x28 greyscale clothing images in 10 classes."""
    return DatasetInfo(10, (1, 28, 28), (0.2860,), (0.3530,), 60_000, 10_000, True, classes=FASHION)


@datasets.register(tasks=CLASSIFICATION)
def imagenet() -> DatasetInfo:
    """ImageNet-1k (ILSVRC 2012) from local archives or folders in torchvision's layout."""
    return DatasetInfo(1000, None, IMAGENET_MEAN, IMAGENET_STD, 1_281_167, 50_000, False)


@datasets.register(tasks=CLASSIFICATION)
def folder(
    train_dir: Annotated[str, Param("folder of class subfolders holding training images")],
    val_dir: Annotated[str, Param("folder of class subfolders for validation; '' splits train")] = "",
    url: Annotated[
        str,
        Param(
            "tar or zip archive of the folders, fetched and extracted into "
            "data.root when train_dir is missing; '' fetches nothing"
        ),
    ] = "",
    sha256: Annotated[
        str, Param("the archive's SHA-256 (64 hex digits; `sha256sum FILE` prints it); required with url")
    ] = "",
) -> DatasetInfo:
    """Your own images: one subfolder per class, as torchvision's ImageFolder reads them."""
    return DatasetInfo(None, None, IMAGENET_MEAN, IMAGENET_STD, None, None, False, has_test_split=bool(val_dir))


@datasets.register(tasks=CLASSIFICATION)
def digits() -> DatasetInfo:
    """scikit-learn's bundled 8x8 handwritten digits: 1,797 real images, no download."""
    # Pixel statistics of the 16-level images scaled to [0, 1] (load_digits().data / 16).
    return DatasetInfo(10, (1, 8, 8), (0.3053,), (0.3760,), 1_797, 0, True, has_test_split=False, classes=DIGITS)


@datasets.register(tasks=CLASSIFICATION)
def synthetic(
    num_classes: Annotated[int, Param("number of classes", min=2, max=10_000)] = 10,
    image_size: Annotated[int, Param("height and width of each image, in pixels", min=4, max=1024)] = 32,
    channels: Annotated[int, Param("1 for greyscale, 3 for colour", min=1, max=4)] = 3,
    train_size: Annotated[int, Param("number of training images", min=1)] = 2048,
    val_size: Annotated[int, Param("number of validation images", min=1)] = 512,
) -> DatasetInfo:
    """Generated images: each class a fixed random pattern under noise. Learnable, needs no files."""
    return DatasetInfo(
        num_classes,
        (channels, image_size, image_size),
        (0.5,) * channels,
        (0.25,) * channels,
        train_size,
        val_size,
        True,
    )


@datasets.register(tasks=DENSE)
def shapes(
    image_size: Annotated[int, Param("height and width of each image, in pixels", min=32, max=1024)] = 64,
    train_size: Annotated[int, Param("number of training images", min=1, max=100_000)] = 512,
    val_size: Annotated[int, Param("number of validation images", min=1, max=100_000)] = 128,
    max_objects: Annotated[int, Param("most shapes in one image", min=1, max=10)] = 3,
) -> DatasetInfo:
    """Generated circles, squares and triangles with exact boxes and masks; seeded, offline, written once."""
    return DatasetInfo(None, (3, image_size, image_size), (0.5,) * 3, (0.25,) * 3, train_size, val_size, False)


@datasets.register(tasks=DENSE)
def coco_format(
    train_images: Annotated[str, Param("folder of training images")],
    train_annotations: Annotated[str, Param("COCO annotations JSON of the training images")],
    val_images: Annotated[str, Param("folder of validation images; '' splits train")] = "",
    val_annotations: Annotated[str, Param("COCO annotations JSON of the validation images")] = "",
    skip_bad: Annotated[bool, Param("skip bad images and annotations, counting them, instead of stopping")] = False,
) -> DatasetInfo:
    """Your own images with COCO-format annotations (boxes, polygon or RLE masks), for both tasks."""
    return DatasetInfo(None, None, IMAGENET_MEAN, IMAGENET_STD, None, None, False, has_test_split=bool(val_images))


@datasets.register(tasks=("segmentation",))
def mask_folder(
    train_dir: Annotated[str, Param("folder holding images/ and masks/ (PNGs of class indices, same names)")],
    val_dir: Annotated[str, Param("the same for validation; '' splits train")] = "",
    ignore_index: Annotated[int, Param("mask value of pixels that count for no class", min=0, max=255)] = 255,
    skip_bad: Annotated[bool, Param("skip bad image and mask pairs, counting them, instead of stopping")] = False,
) -> DatasetInfo:
    """Your own images with one mask PNG each, holding a class index per pixel (palette PNGs too)."""
    return DatasetInfo(None, None, IMAGENET_MEAN, IMAGENET_STD, None, None, False, has_test_split=bool(val_dir))


@datasets.register(tasks=DENSE)
def coco(
    skip_bad: Annotated[bool, Param("skip bad images and annotations, counting them, instead of stopping")] = False,
) -> DatasetInfo:
    """COCO 2017: 80 categories with boxes and masks, 118,287 train / 5,000 val images; a 20.4 GB download."""
    # val2017 is the test split: test2017's annotations were never published.
    return DatasetInfo(None, None, IMAGENET_MEAN, IMAGENET_STD, 118_287, 5_000, False)


@datasets.register(tasks=DENSE)
def voc(
    skip_bad: Annotated[bool, Param("skip bad images and annotations, counting them, instead of stopping")] = False,
) -> DatasetInfo:
    """PASCAL VOC 2012: 20 classes; boxes on 5,717 train / 5,823 val images, masks on 1,464 / 1,449."""
    # The image lists of VOC2012's ImageSets/Main and ImageSets/Segmentation (the devkit's
    # statistics, host.robots.ox.ac.uk/pascal/VOC/voc2012/dbstats.html); val is the test split:
    # the test images were released without annotations.
    return DatasetInfo(
        None, None, IMAGENET_MEAN, IMAGENET_STD, 5_717, 5_823, False, task_sizes={"segmentation": (1_464, 1_449)}
    )
