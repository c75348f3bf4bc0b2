"""DataLoaders for the Lightning backend.

In-memory datasets are sliced into uint8 batches with no worker processes and augmented on the
device. Image files (folder, imagenet) are decoded and cropped in DataLoader workers, with pinned
memory and persistent workers, then finished on the device. Every process reads its share of the
order runner.data.order draws, the one the Paddle backend reads too.
"""

from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Dataset, Sampler, TensorDataset

from runner.backends.lightning import dense_data
from runner.data import dense, imagefiles, order
from runner.data.annotated import load_image
from runner.data.arrays import Arrays, class_names, load_arrays
from runner.recipe.compile import Program
from runner.recipe.numbers import per_process_batch


@dataclass
class Data:
    program: Program  # completed with counted numbers for file-backed datasets
    train: DataLoader
    val: DataLoader
    file_backed: bool
    classes: tuple[str, ...]  # the class names, in label order
    category_ids: tuple[int, ...] = ()  # detection: the annotation file's id of each class
    skipped: tuple[str, ...] = ()  # bad images and annotations data.skip_bad left out


def prepare(program: Program, processes: int = 1, split: str = "val") -> Data:
    """Read (or fetch) the recipe's dataset; raises RunFailed when it cannot be had. `split`: what
    `val` holds ("val", the run's validation images; "test", the dataset's test split).
    data.batch_size counts images across all `processes`, so each loads its share."""
    batch = per_process_batch(program.data.batch_size, processes)
    if program.data.info.in_memory:
        return memory_data(program, load_arrays(program.data, split), batch)
    from runner.backends.lightning.augment import split_pipeline

    if program.task.name in dense_data.COLLATE:
        return _dense(program, batch, split)

    files, program = imagefiles.split(program, stage=split)
    common = _file_loading(program, batch)
    train = ImageFiles(files.train, split_pipeline(program, "train")[0])
    val = ImageFiles(files.val, split_pipeline(program, "eval")[0])
    return Data(program, _training(train, program, **common), _evaluation(val, **common), True, files.classes)


def _dense(program: Program, batch: int, split: str) -> Data:
    found, program = dense.split(program, stage=split)
    return dense_loaders(program, found, batch)


def dense_loaders(program: Program, found: dense.DenseSplit, batch: int) -> Data:
    """Detection or segmentation loaders over `found`'s images, `batch` per process."""
    train, val = dense_data.datasets(program, found)
    common = _file_loading(program, batch, collate_fn=dense_data.COLLATE[program.task.name])
    loaders = _training(train, program, **common), _evaluation(val, **common)
    return Data(program, *loaders, True, found.classes, found.category_ids, found.skipped)


def _file_loading(program: Program, batch: int, **extra) -> dict:
    """DataLoader settings for files decoded in worker processes."""
    workers = program.data.num_workers
    return {
        "batch_size": batch,
        "num_workers": workers,
        "pin_memory": torch.cuda.is_available(),
        "persistent_workers": workers > 0,
        **extra,
    }


def memory_data(program: Program, arrays: Arrays, batch: int | None = None) -> Data:
    batch = batch or program.data.batch_size
    train = TensorDataset(torch.from_numpy(arrays.x_train), torch.from_numpy(arrays.y_train))
    val = TensorDataset(torch.from_numpy(arrays.x_val), torch.from_numpy(arrays.y_val))
    classes = class_names(program.data, program.num_classes)
    return Data(
        program, _training(train, program, batch_size=batch), _evaluation(val, batch_size=batch), False, classes
    )


def _training(dataset, program: Program, **loader) -> DataLoader:
    generator = torch.Generator()
    sampler = EpochSampler(len(dataset), program.seed, generator)
    return DataLoader(dataset, sampler=sampler, generator=generator, drop_last=True, **loader)


def _evaluation(dataset, **loader) -> DataLoader:
    return DataLoader(dataset, sampler=ShareSampler(len(dataset)), **loader)


def _ranks() -> tuple[int, int]:
    """(rank, world size) of this process, once Lightning has set up the process group; (0, 1) alone."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class EpochSampler(Sampler):
    """This process's share of each epoch's training order (runner.data.order: a function of seed
    and epoch alone, so a resumed run reads the epochs it has left as an unbroken one would).
    Lightning calls set_epoch before each epoch; the DataLoader's own generator, which seeds its
    workers, is reseeded the same way."""

    def __init__(self, n: int, seed: int, loader_generator: torch.Generator):
        self.n, self.seed, self.loader_generator = n, seed, loader_generator
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.loader_generator.manual_seed(self.seed * 1_000_003 + epoch)

    def __len__(self) -> int:
        return self.n // _ranks()[1]

    def __iter__(self):
        return iter(order.training_share(self.n, self.seed, self.epoch, *_ranks()).tolist())


class ShareSampler(Sampler):
    """This process's share of an evaluation, in order (all of it when alone)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return len(order.evaluation_share(self.n, *_ranks()))

    def __iter__(self):
        return iter(order.evaluation_share(self.n, *_ranks()).tolist())


class ImageFiles(Dataset):
    """(path, label) pairs -> (uint8 C x H x W tensor after the per-image steps, label)."""

    def __init__(self, pairs: list[tuple[str, int]], transform):
        self.pairs, self.transform = pairs, transform

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int):
        path, label = self.pairs[index]
        return self.transform(decode(path)), label


def decode(path: str) -> torch.Tensor:
    """An image file as RGB uint8 (3, H, W), decoded by Pillow as the Paddle backend and `runner
    predict` decode it: the same pixels on every path (torchvision's decoders scale 16-bit PNGs
    where Pillow clips them, and are deprecated since torchvision 0.29)."""
    return torch.from_numpy(load_image(path)).permute(2, 0, 1).contiguous()
