"""Batches of images of many sizes, in NumPy for any backend's data workers: each image at the top
left of the batch's largest size rounded up to a multiple of MULTIPLE, padded with zeros, and a
segmentation mask padded with the ignored value, so the padding counts for no class."""

import numpy as np

from runner.catalog.tasks import IGNORE_INDEX

# Encoder-decoders (smp's U-Net and FPN, Paddle's U-Net) halve their input five times and join
# each level to the one above, so a side must divide by 32; torchvision's detectors pad so too.
MULTIPLE = 32


def padded_side(side: int) -> int:
    return -(-side // MULTIPLE) * MULTIPLE


def pad_images(images: list[np.ndarray]) -> np.ndarray:
    """(C, H, W) arrays -> one (N, C, H, W) array of their dtype."""
    height, width = (padded_side(max(i.shape[d] for i in images)) for d in (1, 2))
    out = np.zeros((len(images), images[0].shape[0], height, width), dtype=images[0].dtype)
    for slot, image in zip(out, images):
        slot[:, : image.shape[1], : image.shape[2]] = image
    return out


def pad_masks(batch: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 (3, H, W) image, (H, W) class mask) pairs -> uint8 (N, 3, H, W) images and int64
    (N, H, W) masks, the labels a cross-entropy takes."""
    images, masks = zip(*batch)
    x = pad_images(list(images))
    y = np.full((len(masks), *x.shape[2:]), IGNORE_INDEX, dtype=np.int64)
    for slot, mask in zip(y, masks):
        slot[: mask.shape[0], : mask.shape[1]] = mask
    return x, y
