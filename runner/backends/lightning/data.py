"""DataLoaders for the Lightning backend.

In-memory datasets are sliced into uint8 batches with no worker processes and augmented on the
device. Image files (folder, imagenet) are decoded and cropped in DataLoader workers, with pinned
memory and persistent workers, then finished on the device.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler, TensorDataset

from runner.data import imagefiles
from runner.data.arrays import Arrays, load_arrays
from runner.recipe.compile import Program
from runner.recipe.numbers import per_process_batch


@dataclass
class Data:
    program: Program  # completed with counted numbers for file-backed datasets
    train: DataLoader
    val: DataLoader
    file_backed: bool
    classes: tuple[str, ...] | None = None  # class folder names, for file-backed datasets


def prepare(program: Program, processes: int = 1) -> Data:
    """Read (or fetch) the recipe's dataset; raises RunFailed when it cannot be had.
    data.batch_size counts images across all `processes`, so each loads its share."""
    batch = per_process_batch(program.recipe["data"]["batch_size"], processes)
    if program.dataset.in_memory:
        return memory_data(program, load_arrays(program), batch, processes)
    from runner.backends.lightning.augment import split_pipeline

    files, program = imagefiles.split(program)
    workers = program.recipe["data"]["num_workers"]
    common = {
        "batch_size": batch,
        "num_workers": workers,
        "pin_memory": torch.cuda.is_available(),
        "persistent_workers": workers > 0,
    }
    train = ImageFiles(files.train, split_pipeline(program, "train")[0])
    val = ImageFiles(files.val, split_pipeline(program, "eval")[0])
    return Data(
        program,
        DataLoader(train, drop_last=True, **shuffled(train, program, processes), **common),
        DataLoader(val, **common),
        True,
        files.classes,
    )


def memory_data(program: Program, arrays: Arrays, batch: int | None = None, processes: int = 1) -> Data:
    batch = batch or program.recipe["data"]["batch_size"]
    train = TensorDataset(torch.from_numpy(arrays.x_train), torch.from_numpy(arrays.y_train))
    val = TensorDataset(torch.from_numpy(arrays.x_val), torch.from_numpy(arrays.y_val))
    return Data(
        program,
        DataLoader(train, batch_size=batch, drop_last=True, **shuffled(train, program, processes)),
        DataLoader(val, batch_size=batch),
        False,
    )


def shuffled(dataset, program: Program, processes: int) -> dict:
    """The training order: a function of (seed, epoch) alone, so a resumed run reads the epochs
    it has left in the order a run that never stopped would have. Several processes use the
    DistributedSampler Lightning puts in, which is seeded and set to each epoch the same way."""
    if processes > 1:
        return {"shuffle": True}
    generator = torch.Generator()
    return {"sampler": EpochSampler(len(dataset), program.recipe["seed"], generator), "generator": generator}


class EpochSampler(Sampler):
    """A random permutation drawn from (seed, epoch) alone; Lightning calls set_epoch before each
    epoch. The DataLoader's own generator (its workers' seeds) is reseeded the same way."""

    def __init__(self, n: int, seed: int, loader_generator: torch.Generator):
        self.n, self.seed, self.loader_generator = n, seed, loader_generator
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.loader_generator.manual_seed(self.seed * 1_000_003 + epoch)

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        order = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        return iter(torch.randperm(self.n, generator=order).tolist())


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
    """An image file as RGB uint8 (3, H, W): torchvision's decoders, Pillow for other formats."""
    from torchvision.io import ImageReadMode, decode_image, read_file

    try:
        return decode_image(read_file(path), mode=ImageReadMode.RGB)
    except RuntimeError:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                return torch.from_numpy(np.asarray(image.convert("RGB")).copy()).permute(2, 0, 1)
        except (OSError, UnidentifiedImageError) as e:
            raise ValueError(f"cannot decode image {path}: {e}") from None
