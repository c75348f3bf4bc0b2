"""Datasets for segmentation on the Paddle backend: the annotated images runner.data.dense reads,
loaded and moved by the per-image steps in paddle.io.DataLoader workers, then batched by padding
each image to the batch's largest (runner.data.padding: zeros; masks with the ignored value), as
the Lightning backend batches them. The order of every epoch is runner.data.order's, as for
classification (data.py's ShareBatches)."""

import numpy as np
import paddle

from runner.data import dense, padding
from runner.recipe.compile import Program


class DenseFiles(paddle.io.Dataset):
    """runner.data.dense.DenseSamples as NumPy arrays, which the DataLoader makes tensors."""

    def __init__(self, samples: dense.DenseSamples):
        super().__init__()
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        image, target = self.samples[index]
        return np.ascontiguousarray(image), np.ascontiguousarray(target["mask"])


# Task name -> the collate that batches its samples. Detection is refused on paddle (catalog/tasks.py).
COLLATE = {"segmentation": padding.pad_masks}


def datasets(program: Program, found: dense.DenseSplit) -> tuple[DenseFiles, DenseFiles]:
    """(train, val) datasets of a dense task's annotated images, through the recipe's per-image steps."""
    from runner.backends.paddle.augment import split_pipeline

    task, ignore = program.task.name, found.ignore_index
    train = DenseFiles(dense.DenseSamples(found.train, task, split_pipeline(program, "train")[0], ignore))
    val = DenseFiles(dense.DenseSamples(found.val, task, split_pipeline(program, "eval")[0], ignore))
    return train, val
