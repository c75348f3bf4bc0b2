"""DataLoaders for detection and segmentation on the Lightning backend: the annotated images
runner.data.dense reads, loaded and moved by the per-image steps in the workers, then batched by
padding each image to the batch's largest (zeros; masks with the ignored value, which counts for
no class), so images of many sizes share a batch. Every process reads its share of the order
runner.data.order draws, as for classification."""

import numpy as np
import torch
from torch.utils.data import Dataset

from runner.catalog.tasks import IGNORE_INDEX
from runner.data import dense
from runner.recipe.compile import Program


class DenseFiles(Dataset):
    """runner.data.dense.DenseSamples as tensors."""

    def __init__(self, samples: dense.DenseSamples):
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        image, target = self.samples[index]
        image = torch.from_numpy(np.ascontiguousarray(image))
        if "mask" in target:
            return image, torch.from_numpy(np.ascontiguousarray(target["mask"])).long()
        return image, {
            "boxes": torch.from_numpy(np.asarray(target["boxes"], np.float32).reshape(-1, 4)),
            "labels": torch.from_numpy(np.asarray(target["labels"], np.int64)),
            "crowd": torch.from_numpy(np.asarray(target["crowd"], bool)),
            "image_id": target["image_id"],
        }


def pad_images(images: list[torch.Tensor]) -> torch.Tensor:
    """uint8 (N, C, H, W), each image at the top left of the batch's largest size."""
    height, width = max(i.shape[1] for i in images), max(i.shape[2] for i in images)
    out = images[0].new_zeros((len(images), images[0].shape[0], height, width))
    for slot, image in zip(out, images):
        slot[:, : image.shape[1], : image.shape[2]] = image
    return out


def collate_masks(batch):
    images, masks = zip(*batch)
    x = pad_images(list(images))
    y = torch.full((len(masks), *x.shape[2:]), IGNORE_INDEX, dtype=torch.long)
    for slot, mask in zip(y, masks):
        slot[: mask.shape[0], : mask.shape[1]] = mask
    return x, y


def collate_boxes(batch):
    images, targets = zip(*batch)
    return pad_images(list(images)), list(targets)


COLLATE = {"segmentation": collate_masks, "detection": collate_boxes}


def datasets(program: Program, found: dense.DenseSplit) -> tuple[DenseFiles, DenseFiles]:
    """(train Dataset, val Dataset) of a dense task's annotated images, through the recipe's
    per-image steps."""
    from runner.backends.lightning.augment import split_pipeline

    task, ignore = program.task.name, found.ignore_index
    train = DenseFiles(dense.DenseSamples(found.train, task, split_pipeline(program, "train")[0], ignore))
    val = DenseFiles(dense.DenseSamples(found.val, task, split_pipeline(program, "eval")[0], ignore))
    return train, val
