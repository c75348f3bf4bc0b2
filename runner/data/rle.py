"""COCO segmentations as pixel masks: polygons rasterised by pycocotools (so masks match COCO's
own evaluation pixel for pixel), run-length encodings decoded here in numpy, because
pycocotools' decode warns on every call under numpy 2.
"""

import numpy as np
from pycocotools import mask as coco_mask


def segment_mask(segment, height: int, width: int) -> np.ndarray:
    """bool (height, width): the pixels of one COCO segmentation, polygons or RLE (compressed or
    not). An RLE must be of this size; coco_format checks that when it reads the file."""
    if isinstance(segment, list):  # polygons, each [x0, y0, x1, y1, ...]
        counts = coco_mask.merge(coco_mask.frPyObjects(segment, height, width))["counts"]
    else:
        counts = segment["counts"]
    runs = counts if isinstance(counts, list) else rle_counts(counts)
    # Runs alternate 0s and 1s, starting with 0s, down each column in turn (column-major).
    return np.repeat(np.arange(len(runs)) % 2 == 1, runs).reshape(width, height).T


def rle_counts(counts: str | bytes) -> list[int]:
    """The run lengths of a compressed RLE string (pycocotools' maskApi.c rleFrString): each run
    in 5-bit groups, 0x20 marking another group to come and 0x10 the sign of the last one, each
    run after the second stored as its difference from the run two before. ValueError for a
    string that is not one."""
    runs, value, shift = [], 0, 0
    for char in counts.encode() if isinstance(counts, str) else counts:
        group = char - 48
        if not 0 <= group < 64:
            raise ValueError(f"compressed RLE holds {chr(char)!r}, which is not one of its characters")
        value |= (group & 0x1F) << shift
        shift += 5
        if group & 0x20:
            continue
        if group & 0x10:
            value |= -1 << shift
        runs.append(value + runs[-2] if len(runs) > 2 else value)
        value = shift = 0
    if shift:
        raise ValueError("compressed RLE ends inside a run")
    if any(run < 0 for run in runs):
        raise ValueError("compressed RLE has a negative run")
    return runs
