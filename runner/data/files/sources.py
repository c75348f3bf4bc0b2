"""Where each downloaded dataset comes from, what its files must be, and where they live.

Layout on disk, one folder per dataset under `data.root` ($RUNNER_DATA, else
~/.cache/runner/datasets: runner.recipe.environment), files kept exactly as the host serves them, each
with a `<file>.verified` marker once its checksum has been checked:

    data/mnist/          train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
                         t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz
    data/fashion_mnist/  the same four file names
    data/cifar10/        cifar-10-binary.tar.gz   and, extracted from it, cifar-10-batches-bin/
                         (data_batch_1.bin .. data_batch_5.bin, test_batch.bin, batches.meta.txt)
    data/cifar100/       cifar-100-binary.tar.gz  and, extracted from it, cifar-100-binary/
                         (train.bin, test.bin, coarse_label_names.txt, fine_label_names.txt)
    data/coco/           train2017.zip, val2017.zip, annotations_trainval2017.zip and, extracted
                         from them, train2017/ and val2017/ (the JPEGs) and annotations/
                         (instances_train2017.json, instances_val2017.json and the rest)
    data/voc/            VOCtrainval_11-May-2012.tar and, extracted from it, VOCdevkit/VOC2012/
                         (JPEGImages/, Annotations/, SegmentationClass/, ImageSets/Main and
                         ImageSets/Segmentation)

An archive's folder, once extracted with every file the readers need, is used as it is, so the
archive may be deleted after the first run (COCO's three take 20.4 GB, 19 GiB, and what they
hold about as much again).

Sizes (bytes) and SHA-256 sums are the ones TensorFlow Datasets pins in
tensorflow_datasets/url_checksums/{mnist,fashion_mnist,cifar10,cifar100,coco,voc}.txt. TFDS fetches
MNIST from storage.googleapis.com/cvdf-datasets/mnist/; the ossci-datasets mirror serves the
same bytes (both match torchvision's MD5s for the original yann.lecun.com files, and other
projects pin these SHA-256 sums against the ossci URL). TFDS fetches VOC 2012 from the
pjreddie.com mirror; torchvision's prototype datasets pin the same SHA-256 against the file on
host.robots.ox.ac.uk (torchvision/prototype/datasets/_builtin/voc.py).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Remote:
    """One file as the host serves it."""

    name: str  # file name on disk, and on a mirror
    size: int | None  # bytes; None: not known ahead (a user's archive, checked by SHA-256 alone)
    sha256: str
    path: str = ""  # where below the official host's base URL it lies, when not at its name
    unpacked: str = ""  # an archive: the one folder it holds, extracted beside it; '' a file read as it is
    needs: tuple[str, ...] = ()  # an archive: the files in `unpacked` the readers open, there once extracted


@dataclass(frozen=True)
class Source:
    dataset: str  # the recipe's data.dataset, and the folder's name under data.root
    base_url: str  # the files are fetched from base_url + path (or name); a mirror serves each by name
    files: tuple[Remote, ...]  # what is downloaded and verified
    format: str  # which reader parses the splits: 'idx', 'cifar10' or 'cifar100' in memory, 'coco', 'voc'
    train: tuple[str, ...] = ()  # in-memory formats: the files in `home` holding the training split
    test: tuple[str, ...] = ()  # in-memory formats: the files in `home` holding the test split
    home: str = ""  # the folder below the dataset's that the readers read; '' the dataset's own

    def url(self, remote: Remote, mirror: str | None = None) -> str:
        if mirror:
            return mirror.rstrip("/") + "/" + remote.name
        return self.base_url.rstrip("/") + "/" + (remote.path or remote.name)


IDX_TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
IDX_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
CIFAR10_TRAIN, CIFAR10_TEST = tuple(f"data_batch_{i}.bin" for i in range(1, 6)), ("test_batch.bin",)
# The image lists of both VOC tasks' splits (runner.data.voc reads them)
VOC_LISTS = tuple(f"VOC2012/ImageSets/{t}/{s}.txt" for t in ("Main", "Segmentation") for s in ("train", "val"))

SOURCES = {
    "mnist": Source(
        "mnist",
        # yann.lecun.com no longer serves the files; torchvision fetches them from this mirror.
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        (
            Remote(
                "train-images-idx3-ubyte.gz",
                9_912_422,
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            ),
            Remote(
                "train-labels-idx1-ubyte.gz", 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
            ),
            Remote(
                "t10k-images-idx3-ubyte.gz",
                1_648_877,
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            ),
            Remote(
                "t10k-labels-idx1-ubyte.gz", 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
            ),
        ),
        "idx",
        IDX_TRAIN,
        IDX_TEST,
    ),
    "fashion_mnist": Source(
        "fashion_mnist",
        # Zalando's own bucket, as torchvision and TFDS use it. An S3 website endpoint answers
        # plain HTTP only; the SHA-256 check below is what guards these files' integrity.
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        (
            Remote(
                "train-images-idx3-ubyte.gz",
                26_421_880,
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            ),
            Remote(
                "train-labels-idx1-ubyte.gz", 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
            ),
            Remote(
                "t10k-images-idx3-ubyte.gz",
                4_422_102,
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            ),
            Remote(
                "t10k-labels-idx1-ubyte.gz", 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
            ),
        ),
        "idx",
        IDX_TRAIN,
        IDX_TEST,
    ),
    "cifar10": Source(
        "cifar10",
        "https://www.cs.toronto.edu/~kriz/",
        (
            Remote(
                "cifar-10-binary.tar.gz",
                170_052_171,
                "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
                unpacked="cifar-10-batches-bin",
                needs=CIFAR10_TRAIN + CIFAR10_TEST,
            ),
        ),
        "cifar10",
        CIFAR10_TRAIN,
        CIFAR10_TEST,
        home="cifar-10-batches-bin",
    ),
    "cifar100": Source(
        "cifar100",
        "https://www.cs.toronto.edu/~kriz/",
        (
            Remote(
                "cifar-100-binary.tar.gz",
                168_513_733,
                "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
                unpacked="cifar-100-binary",
                needs=("train.bin", "test.bin"),
            ),
        ),
        "cifar100",
        ("train.bin",),
        ("test.bin",),
        home="cifar-100-binary",
    ),
    # COCO 2017, 20.4 GB (19 GiB) of archives. The test2017 images have no public annotations, so the
    # val2017 images are the test split. S3 serves the host over plain HTTP, as TFDS fetches it;
    # the SHA-256 checks are what guard these files.
    "coco": Source(
        "coco",
        "http://images.cocodataset.org/",
        (
            Remote(
                "train2017.zip",
                19_336_861_798,
                "69a8bb58ea5f8f99d24875f21416de2e9ded3178e903f1f7603e283b9e06d929",
                path="zips/train2017.zip",
                unpacked="train2017",
            ),
            Remote(
                "val2017.zip",
                815_585_330,
                "4f7e2ccb2866ec5041993c9cf2a952bbed69647b115d0f74da7ce8f4bef82f05",
                path="zips/val2017.zip",
                unpacked="val2017",
            ),
            Remote(
                "annotations_trainval2017.zip",
                252_907_541,
                "113a836d90195ee1f884e704da6304dfaaecff1f023f49b6ca93c4aaae470268",
                path="annotations/annotations_trainval2017.zip",
                unpacked="annotations",
                needs=("instances_train2017.json", "instances_val2017.json"),
            ),
        ),
        "coco",
    ),
    # PASCAL VOC 2012's train and val images with their annotations, 2.0 GB (its test images were
    # released without annotations). The Oxford host serves plain HTTP only.
    "voc": Source(
        "voc",
        "http://host.robots.ox.ac.uk/pascal/VOC/voc2012/",
        (
            Remote(
                "VOCtrainval_11-May-2012.tar",
                1_999_639_040,
                "e14f763270cf193d0b5f74b169f44157a4b0c6efa708f4dd0ff78ee691763bcb",
                unpacked="VOCdevkit",
                needs=VOC_LISTS,
            ),
        ),
        "voc",
        home="VOCdevkit/VOC2012",
    ),
}
