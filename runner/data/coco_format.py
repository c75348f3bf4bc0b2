"""COCO-format annotation files for detection and segmentation: one JSON of images, annotations and
categories beside a folder of images. Every check happens here, when the file is read (each
image's header is opened too), so a bad box or a missing image stops the run before training, or
with skip_bad is left out and listed, instead of failing an hour in.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runner.data.annotated import Sample, image_size, load_image, load_mask, semantic_mask
from runner.data.bad_items import none_left, settle
from runner.data.imagefiles import is_folder
from runner.data.rle import rle_counts
from runner.recipe.errors import RunFailed
from runner.recipe.reading import Kind, Unreadable, read_json

# COCO 2017's largest, instances_train2017.json, is 448 MiB.
ANNOTATIONS = Kind("a COCO annotation file", 1 << 30)
TOLERANCE = 1.0  # pixels a box may reach past its image (exporters' float rounding) before it is refused
WORKERS = 8  # threads opening image headers: the wait is the disk, not the CPU
PARTS = ("images", "annotations", "categories")
# Decoding lives in runner.data.annotated; named here too so a COCO reader needs one import.
__all__ = ["ANNOTATIONS", "CocoSet", "Sample", "image_size", "load_image", "load_mask", "read_coco", "semantic_mask"]


@dataclass(frozen=True)
class CocoSet:
    classes: tuple[str, ...]  # category names, categories sorted by id
    category_ids: tuple[int, ...]  # the COCO id of each class index
    samples: tuple[Sample, ...]
    skipped: tuple[str, ...]  # one message per item left out (skip_bad)


def read_coco(annotations: Path, images: Path, skip_bad: bool, key: str) -> CocoSet:
    """The file's images that exist, with their annotations; `key` names the recipe key in messages."""
    where, data = str(annotations), _load(annotations, key)
    if not is_folder(images, key):
        raise RunFailed(f"{key}: {images} is not a folder; it should hold the images {annotations.name} names")
    category_ids, classes = _categories(data["categories"], where, key)
    entries, problems = _entries(data["images"], where, key), []
    named = {}  # image id -> (absolute path, width, height) of the entries that have all three
    for entry in entries:
        name, width, height = entry.get("file_name"), entry.get("width"), entry.get("height")
        if isinstance(name, str) and name and _is_int(width) and _is_int(height) and width > 0 and height > 0:
            named[entry["id"]] = (os.path.abspath(images / name), width, height)
        else:
            problems.append(f"image id {entry['id']}: needs a file_name and a positive integer width and height")
    with ThreadPoolExecutor(WORKERS) as pool:
        checked = list(pool.map(_file_problem, named.values()))
    problems += [f"image id {i}: {problem}" for i, problem in zip(named, checked) if problem]
    unusable = {e["id"] for e in entries} - set(named)  # listed above, with their annotations
    bad = unusable | {i for i, problem in zip(named, checked) if problem}
    labels = {category: index for index, category in enumerate(category_ids)}
    kept = {image_id: [] for image_id in named}
    for n, annotation in enumerate(data["annotations"]):
        if isinstance(annotation, dict) and _is_int(annotation.get("image_id")) and annotation["image_id"] in unusable:
            continue
        try:
            image_id, parsed = _annotation(annotation, n, labels, named)
        except ValueError as e:
            problems.append(str(e))
            continue
        kept[image_id].append(parsed)
    skipped = settle(problems, where, key, skip_bad)
    samples = [_sample(i, *named[i], kept[i]) for i in (e["id"] for e in entries) if i not in bad]
    none_left(len(samples), skipped, "images", where, key)
    return CocoSet(classes, category_ids, tuple(samples), skipped)


def _load(path: Path, key: str) -> dict:
    try:
        data = read_json(path, ANNOTATIONS)
    except FileNotFoundError:
        raise RunFailed(f"{key}: {path} does not exist; point {key} at a COCO annotation JSON file") from None
    except Unreadable as e:
        raise RunFailed(f"{key}: {path} {e.problem}") from None
    except OSError as e:
        raise RunFailed(f"{key}: {path} cannot be read ({e.strerror})") from None
    except ValueError as e:  # not UTF-8 or not JSON
        raise RunFailed(f"{key}: {path} is not JSON ({e}); it should be a COCO annotation file") from None
    lacking = [part for part in PARTS if not isinstance(data, dict) or not isinstance(data.get(part), list)]
    if lacking:
        raise RunFailed(
            f"{key}: {path} is not a COCO annotation file: it lacks the {', '.join(map(repr, lacking))} "
            f"list{'s' if len(lacking) > 1 else ''}; a COCO file is an object holding lists {', '.join(PARTS)}"
        )
    return data


def _categories(categories: list, where: str, key: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    found = {}
    for c in categories:
        if not (isinstance(c, dict) and _is_int(c.get("id")) and isinstance(c.get("name"), str)):
            raise RunFailed(f"{key}: {where}: category {c!r} needs an integer id and a name")
        if c["id"] in found:
            raise RunFailed(f"{key}: {where}: category id {c['id']} appears twice; give each category its own id")
        found[c["id"]] = c["name"]
    if not found:
        raise RunFailed(f"{key}: {where} has no categories; list the classes under 'categories'")
    ids = tuple(sorted(found))
    return ids, tuple(found[i] for i in ids)


def _entries(entries: list, where: str, key: str) -> list[dict]:
    """The images list, each entry an object with an integer id of its own; anything else leaves
    the annotations' image ids meaning nothing, which skip_bad cannot mend."""
    seen = set()
    for e in entries:
        if not (isinstance(e, dict) and _is_int(e.get("id"))):
            raise RunFailed(f"{key}: {where}: image {str(e)[:80]} needs an integer id")
        if e["id"] in seen:
            raise RunFailed(f"{key}: {where}: image id {e['id']} appears twice; give each image its own id")
        seen.add(e["id"])
    return entries


def _annotation(a, n: int, labels: dict, images: dict) -> tuple[int, tuple]:
    """(image id, (box, label, crowd, segmentation)) of the file's n-th annotation, or ValueError
    saying which annotation and what is wrong."""
    if not (isinstance(a, dict) and "id" in a):
        raise ValueError(f"annotation #{n} is not an object with an id")
    image_id, category = a.get("image_id"), a.get("category_id")
    if not _is_int(image_id) or image_id not in images:
        raise ValueError(f"annotation id {a['id']}: image id {image_id!r} is not among the file's images")
    where = f"annotation id {a['id']} (image id {image_id}):"
    if not _is_int(category) or category not in labels:
        ids = f"ids {min(labels)}..{max(labels)}" if len(labels) > 1 else f"id {next(iter(labels))}"
        raise ValueError(f"{where} category id {category!r} is not among the {len(labels)} categories ({ids})")
    _, width, height = images[image_id]
    segment = a.get("segmentation", [])
    if not _is_segmentation(segment, height, width):
        shape = f"[{height}, {width}]"
        raise ValueError(
            f"{where} segmentation is neither polygons of 3+ points inside the image nor an RLE of size {shape}"
        )
    return image_id, (_box(a.get("bbox"), width, height, where), labels[category], bool(a.get("iscrowd")), segment)


def _box(bbox, width: int, height: int, where: str) -> list[float]:
    """COCO's [x, y, w, h] as x0, y0, x1, y1, clipped to the image after the tolerance."""
    if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)):
        raise ValueError(f"{where} bbox {bbox!r} is not [x, y, width, height]")
    x, y, w, h = bbox
    if w <= 0 or h <= 0:
        raise ValueError(f"{where} bbox {bbox} has zero or negative size")
    corners = [max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)]
    beyond = min(x, y, width - x - w, height - y - h)
    if beyond < -TOLERANCE or corners[2] <= corners[0] or corners[3] <= corners[1]:
        raise ValueError(f"{where} bbox {bbox} reaches outside its {width}x{height} image")
    return corners


def _is_segmentation(segment, height: int, width: int) -> bool:
    if isinstance(segment, list):  # polygons: x, y pairs inside the image (within the tolerance)
        return all(
            isinstance(p, list)
            and len(p) >= 6
            and len(p) % 2 == 0
            and all(map(_is_number, p))
            and all(-TOLERANCE <= v <= side + TOLERANCE for v, side in zip(p, [width, height] * (len(p) // 2)))
            for p in segment
        )
    if not (isinstance(segment, dict) and segment.get("size") == [height, width]):
        return False
    counts = segment.get("counts")
    if isinstance(counts, str):
        try:
            counts = rle_counts(counts)
        except ValueError:
            return False
    return isinstance(counts, list) and all(_is_int(c) and c >= 0 for c in counts) and sum(counts) == height * width


def _file_problem(named: tuple[str, int, int]) -> str | None:
    path, width, height = named
    try:
        size = image_size(path)
    except FileNotFoundError:
        return f"{path} is missing"
    except ValueError as e:
        return str(e)
    return None if size == (width, height) else f"{path} is {size[0]}x{size[1]} pixels, the file says {width}x{height}"


def _sample(image_id: int, file: str, width: int, height: int, annotations: list) -> Sample:
    boxes, labels, crowd, segments = zip(*annotations) if annotations else ((), (), (), ())
    return Sample(
        file,
        image_id,
        height,
        width,
        np.array(boxes, np.float32).reshape(-1, 4),
        np.array(labels, np.int64),
        np.array(crowd, bool),
        tuple(segments),
    )


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
