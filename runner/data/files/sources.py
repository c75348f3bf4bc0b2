"""Where each file-backed in-memory dataset comes from, what its files must be, and where they live.

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

An extracted CIFAR folder that holds every file the readers need is used as it is, so the
archive may be deleted after the first run.

Sizes (bytes) and SHA-256 sums are the ones TensorFlow Datasets pins in
tensorflow_datasets/url_checksums/{mnist,fashion_mnist,cifar10,cifar100}.txt. TFDS fetches
MNIST from storage.googleapis.com/cvdf-datasets/mnist/; the ossci-datasets mirror serves the
same bytes (both match torchvision's MD5s for the original yann.lecun.com files, and other
projects pin these SHA-256 sums against the ossci URL).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Remote:
    """One file as the host serves it."""

    name: str  # file name on the host, and on disk
    size: int | None  # bytes; None: not known ahead (a user's archive, checked by SHA-256 alone)
    sha256: str


@dataclass(frozen=True)
class Source:
    dataset: str  # the recipe's data.dataset, and the folder's name under data.root
    base_url: str  # the files are fetched from base_url + name; a mirror can stand in for it
    files: tuple[Remote, ...]  # what is downloaded and verified
    format: str  # 'idx', 'cifar10' or 'cifar100': which reader parses the splits
    train: tuple[str, ...]  # the files holding the training split
    test: tuple[str, ...]  # the files holding the test split
    unpacked: str = ""  # archives only: the folder the archive holds, extracted beside it

    def url(self, remote: Remote, mirror: str | None = None) -> str:
        return (mirror or self.base_url).rstrip("/") + "/" + remote.name


IDX_TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
IDX_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

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
            ),
        ),
        "cifar10",
        tuple(f"data_batch_{i}.bin" for i in range(1, 6)),
        ("test_batch.bin",),
        unpacked="cifar-10-batches-bin",
    ),
    "cifar100": Source(
        "cifar100",
        "https://www.cs.toronto.edu/~kriz/",
        (
            Remote(
                "cifar-100-binary.tar.gz",
                168_513_733,
                "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
            ),
        ),
        "cifar100",
        ("train.bin",),
        ("test.bin",),
        unpacked="cifar-100-binary",
    ),
}
