"""DataLoaders for detection and segmentation on the Lightning backend: the annotated images
runner.data.dense reads, loaded and moved by the per-image steps in the workers, then batched by
padding each image to the batch's largest (zeros; masks with the ignored value, which counts for
no class), so images of many sizes share a batch. Every process reads its share of the order
runner.data.order draws, as for classification."""

import numpy as np
import torch
from torch.utils.data import Dataset

from runner.data import dense, padding
from runner.recipe.compile import Program


class DenseFiles(Dataset):
    """runner.data.dense.DenseSamples, a detection target's arrays as tensors (a segmentation
    mask stays numpy until its batch is padded)."""

    def __init__(self, samples: dense.DenseSamples):
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        image, target = self.samples[index]
        if "mask" in target:
            return image, target["mask"]
        return image, {
            "boxes": torch.from_numpy(np.asarray(target["boxes"], np.float32).reshape(-1, 4)),
            "labels": torch.from_numpy(np.asarray(target["labels"], np.int64)),
            "crowd": torch.from_numpy(np.asarray(target["crowd"], bool)),
            "image_id": target["image_id"],
            "scale": target["scale"],
        }


def collate_masks(batch):
    """uint8 (N, 3, H, W) images and int64 (N, H, W) masks, padded as runner.data.padding does
    for both backends."""
    x, y = padding.pad_masks(batch)
    return torch.from_numpy(x), torch.from_numpy(y)


def collate_boxes(batch):
    images, targets = zip(*batch)
    return torch.from_numpy(padding.pad_images(list(images))), list(targets)


COLLATE = {"segmentation": collate_masks, "detection": collate_boxes}


def datasets(program: Program, found: dense.DenseSplit) -> tuple[DenseFiles, DenseFiles]:
    """(train Dataset, val Dataset) of a dense task's annotated images, through the recipe's
    per-image steps."""
    from runner.backends.lightning.augment import split_pipeline

    task, ignore = program.task.name, found.ignore_index
    train = DenseFiles(dense.DenseSamples(found.train, task, split_pipeline(program, "train")[0], ignore))
    val = DenseFiles(dense.DenseSamples(found.val, task, split_pipeline(program, "eval")[0], ignore))
    return train, val
