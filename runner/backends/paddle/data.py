"""Batches for the Paddle backend.

paddle.Model.fit takes any iterable with a length, so each stage's data is a stream of batches
already on the device and augmented there: in-memory arrays are sliced as uint8 and sent whole;
image files are decoded and cropped in paddle.io.DataLoader workers first (segmentation's
annotated images with their masks, batched by padding: dense_data.py). Each process of a
data-parallel run reads its own share of every epoch's order (runner.data.order), the order the
Lightning backend reads too.
"""

from dataclasses import dataclass

import numpy as np
import paddle

from runner.backends.paddle import dense_data
from runner.data import dense, imagefiles, order
from runner.data.arrays import Arrays, class_names, load_arrays
from runner.recipe.compile import Program


@dataclass
class Data:
    program: Program  # completed with counted numbers for file-backed datasets
    train: "BatchStream | FileStream"
    val: "BatchStream | FileStream"
    file_backed: bool
    classes: tuple[str, ...]  # the class names, in label order
    skipped: tuple[str, ...] = ()  # bad images and annotations data.skip_bad left out


def ranks() -> tuple[int, int]:
    env = paddle.distributed.ParallelEnv()
    return env.rank, env.nranks


class BatchStream:
    """uint8 arrays -> (augmented float images, target) batches; one seeded order per epoch."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch: int, pipeline, train: bool, seed: int):
        rank, world = ranks()
        self.x, self.y, self.batch, self.pipeline = x, y, batch, pipeline
        self.train, self.seed, self.rank, self.world = train, seed, rank, world
        self.epoch = 0  # set by resume, so the order continues where it stopped

    def __len__(self) -> int:
        share = len(self.x) // self.world if self.train else -(-len(self.x) // self.world)
        return share // self.batch if self.train else -(-share // self.batch)

    def __iter__(self):
        if self.train:
            indices = order.training_share(len(self.x), self.seed, self.epoch, self.rank, self.world)
        else:  # every process evaluates as many images (the first few twice), as all-gather needs
            indices = order.evaluation_share(len(self.x), self.rank, self.world)
        for i in range(len(self)):
            index = indices[i * self.batch : (i + 1) * self.batch]
            yield self.pipeline(paddle.to_tensor(self.x[index]), paddle.to_tensor(self.y[index]))
        if self.train:
            self.epoch += 1


class ImageFiles(paddle.io.Dataset):
    """(path, label) pairs -> (uint8 C x H x W after the per-image steps, label)."""

    def __init__(self, pairs, transform):
        super().__init__()
        self.pairs, self.transform = pairs, transform

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int):
        from PIL import Image, UnidentifiedImageError

        path, label = self.pairs[index]
        try:
            with Image.open(path) as image:
                rgb = image.convert("RGB")
        except (OSError, UnidentifiedImageError) as e:
            raise ValueError(f"cannot decode image {path}: {e}") from None
        return self.transform(rgb), np.int64(label)


class ShareBatches:
    """Batches of indices into a dataset of `n`: this process's share of each epoch's order
    (training, whole batches only) or of the evaluation, in order."""

    def __init__(self, n: int, batch: int, train: bool, seed: int):
        self.n, self.batch, self.train, self.seed, self.epoch = n, batch, train, seed, 0
        self.rank, self.world = ranks()

    def indices(self) -> np.ndarray:
        if self.train:
            return order.training_share(self.n, self.seed, self.epoch, self.rank, self.world)
        return order.evaluation_share(self.n, self.rank, self.world)

    def __len__(self) -> int:
        share = len(self.indices())
        return share // self.batch if self.train else -(-share // self.batch)

    def __iter__(self):
        indices = self.indices().tolist()
        for i in range(len(self)):
            yield indices[i * self.batch : (i + 1) * self.batch]


class FileStream:
    """A DataLoader of decoded images, finished batch by batch on the device. `collate`: how a
    batch's samples become arrays, where paddle's own stacking does not do (images of many sizes)."""

    def __init__(self, dataset, batch: int, workers: int, pipeline, train: bool, seed: int, collate=None):
        self.batches = ShareBatches(len(dataset), batch, train, seed)
        self.loader = paddle.io.DataLoader(
            dataset,
            batch_sampler=self.batches,
            num_workers=workers,
            return_list=True,
            persistent_workers=workers > 0,
            collate_fn=collate,
        )
        self.pipeline, self.train, self.epoch = pipeline, train, 0

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self):
        self.batches.epoch = self.epoch
        for x, y in self.loader:
            yield self.pipeline(x, y)
        if self.train:
            self.epoch += 1


def prepare(program: Program, batch: int, split: str = "val") -> Data:
    """The recipe's data, `batch` images per process; raises RunFailed when it cannot be had.
    `split`: what `val` holds ("val", the run's validation images; "test", the dataset's test split)."""
    from runner.backends.paddle.augment import split_pipeline

    if program.data.info.in_memory:
        return memory_data(program, load_arrays(program.data, split), batch)
    if program.task.name in dense_data.COLLATE:
        found, program = dense.split(program, stage=split)
        return dense_streams(program, found, batch)
    files, program = imagefiles.split(program, stage=split)
    workers, seed = program.data.num_workers, program.seed
    (train_sample, train_device), (val_sample, val_device) = (split_pipeline(program, s) for s in ("train", "eval"))
    return Data(
        program,
        FileStream(ImageFiles(files.train, train_sample), batch, workers, train_device, True, seed),
        FileStream(ImageFiles(files.val, val_sample), batch, workers, val_device, False, seed),
        True,
        files.classes,
    )


def dense_streams(program: Program, found: dense.DenseSplit, batch: int) -> Data:
    """Segmentation streams over `found`'s images, `batch` per process."""
    from runner.backends.paddle.augment import split_pipeline

    train, val = dense_data.datasets(program, found)
    workers, seed, collate = program.data.num_workers, program.seed, dense_data.COLLATE[program.task.name]
    train_device, val_device = (split_pipeline(program, stage)[1] for stage in ("train", "eval"))
    return Data(
        program,
        FileStream(train, batch, workers, train_device, True, seed, collate),
        FileStream(val, batch, workers, val_device, False, seed, collate),
        True,
        found.classes,
        found.skipped,
    )


def memory_data(program: Program, arrays: Arrays, batch: int) -> Data:
    from runner.backends.paddle.augment import build_pipeline

    seed = program.seed
    return Data(
        program,
        BatchStream(arrays.x_train, arrays.y_train, batch, build_pipeline(program, "train"), True, seed),
        BatchStream(arrays.x_val, arrays.y_val, batch, build_pipeline(program, "eval"), False, seed),
        False,
        class_names(program.data, program.num_classes),
    )
