"""Tiny COCO 2017 and VOC 2012 archives in the official layouts (COCO's three zips, VOC's tar of
VOCdevkit/VOC2012/), with the answers each holds, for the download and reader tests."""

import io
import json
import tarfile
import zipfile

import numpy as np
from PIL import Image

from runner.data.voc import CLASSES

# COCO: (file, width, height) of each split's images; categories with gaps, out of order
COCO_IMAGES = {
    "train": {9: ("000000000009.jpg", 40, 30), 25: ("000000000025.jpg", 32, 24), 30: ("000000000030.jpg", 20, 20)},
    "val": {139: ("000000000139.jpg", 24, 16), 285: ("000000000285.jpg", 16, 16)},
}
COCO_CATEGORIES = [
    {"id": 90, "name": "toothbrush", "supercategory": "indoor"},
    {"id": 1, "name": "person", "supercategory": "person"},
    {"id": 3, "name": "car", "supercategory": "vehicle"},
]


def annotation(n: int, image: int, category: int, bbox: list, segmentation, crowd: int = 0) -> dict:
    fields = ("id", "image_id", "category_id", "bbox", "segmentation", "iscrowd")
    return dict(zip(fields, (n, image, category, bbox, segmentation, crowd)))


COCO_ANNOTATIONS = {
    "train": [
        annotation(1, 9, 1, [2, 3, 10, 8], [[2, 3, 12, 3, 12, 11, 2, 11]]),
        # a crowd of cars: the RLE covers column 30 whole (30 rows), column-major from the top left
        annotation(2, 9, 3, [30, 0, 1, 30], {"size": [30, 40], "counts": [900, 30, 270]}, crowd=1),
        annotation(3, 25, 90, [0, 0, 32, 24], [[0, 0, 32, 0, 32, 24, 0, 24]]),
    ],
    "val": [annotation(4, 139, 3, [1, 1, 5, 5], [[1, 1, 6, 1, 6, 6, 1, 6]])],
}

# VOC: name -> (width, height, objects as (class, xmin, ymin, xmax, ymax, difficult)), and the lists
VOC_IMAGES = {
    "2008_000001": (50, 40, [("person", 1, 1, 50, 40, 0), ("dog", 10, 20, 30, 35, 1)]),
    "2008_000002": (30, 20, [("cat", 5, 5, 20, 20, 0)]),
    "2008_000003": (20, 20, [("car", 2, 3, 4, 5, 0)]),
}
VOC_LISTS = {
    "Main/train.txt": ["2008_000001", "2008_000002"],
    "Main/val.txt": ["2008_000003"],
    "Segmentation/train.txt": ["2008_000001"],
    "Segmentation/val.txt": ["2008_000003"],
}
VOC_ROOT = "VOCdevkit/VOC2012"


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 60, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def palette_png(indices: np.ndarray) -> bytes:
    """A palette (P) PNG whose indices are `indices`, with VOC-like colours that are not the indices."""
    image = Image.fromarray(indices.astype(np.uint8), "P")
    image.putpalette([(i * 37) % 256 for i in range(256 * 3)])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tarred(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:  # VOC's archive is an uncompressed tar
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def coco_files() -> dict[str, bytes]:
    """The three archives by file name."""
    files = {}
    for split, images in COCO_IMAGES.items():
        files[f"{split}2017.zip"] = zipped({f"{split}2017/{f}": jpeg(w, h) for f, w, h in images.values()})
    annotations = {
        f"annotations/instances_{split}2017.json": json.dumps(
            {
                "images": [{"id": i, "file_name": f, "width": w, "height": h} for i, (f, w, h) in images.items()],
                "annotations": COCO_ANNOTATIONS[split],
                "categories": COCO_CATEGORIES,
            }
        ).encode()
        for split, images in COCO_IMAGES.items()
    }
    files["annotations_trainval2017.zip"] = zipped(annotations)
    return files


def bndbox(x0, y0, x1, y1) -> str:
    return f"<bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox>"


# A person's parts have boxes of their own, inside the object, that are not objects.
PART = f"<part><name>head</name>{bndbox(2, 2, 9, 9)}</part>"


def voc_xml(name: str) -> bytes:
    width, height, objects = VOC_IMAGES[name]
    things = "".join(
        f"<object><name>{c}</name><pose>Left</pose><truncated>0</truncated><difficult>{d}</difficult>"
        f"{bndbox(x0, y0, x1, y1)}{PART if c == 'person' else ''}</object>"
        for c, x0, y0, x1, y1, d in objects
    )
    return (
        f"<annotation><folder>VOC2012</folder><filename>{name}.jpg</filename>"
        f"<size><width>{width}</width><height>{height}</height><depth>3</depth></size>"
        f"<segmented>1</segmented>{things}</annotation>"
    ).encode()


def voc_mask(name: str) -> np.ndarray:
    """Each object's box filled with its class index (1-based), outlined with 255."""
    width, height, objects = VOC_IMAGES[name]
    mask = np.zeros((height, width), np.uint8)
    for c, x0, y0, x1, y1, _ in objects:
        mask[y0 - 1 : y1, x0 - 1 : x1] = 255
        mask[y0 : y1 - 1, x0 : x1 - 1] = CLASSES.index(c) + 1
    return mask


def voc_members(**replaced: bytes) -> dict[str, bytes]:
    """The archive's members by path below VOCdevkit/VOC2012/, with `replaced` ones swapped in."""
    members = {}
    for name, (width, height, _) in VOC_IMAGES.items():
        members[f"JPEGImages/{name}.jpg"] = jpeg(width, height)
        members[f"Annotations/{name}.xml"] = voc_xml(name)
        members[f"SegmentationClass/{name}.png"] = palette_png(voc_mask(name))
    for path, names in VOC_LISTS.items():
        members[f"ImageSets/{path}"] = "".join(n + "\n" for n in names).encode()
    return {**members, **replaced}


def voc_files(**replaced: bytes) -> dict[str, bytes]:
    members = voc_members(**replaced)
    return {"VOCtrainval_11-May-2012.tar": tarred({f"{VOC_ROOT}/{k}": v for k, v in members.items()})}


def write_voc(root, **replaced: bytes):
    """The VOC2012 folder as extracted, under `root`."""
    for path, data in voc_members(**replaced).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root
