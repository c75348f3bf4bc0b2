"""PASCAL VOC 2012 as its archive holds it (VOCdevkit/VOC2012/): the image lists of each task's
splits (ImageSets/Main for detection, ImageSets/Segmentation), the images (JPEGImages/<name>.jpg),
and per image an annotation file (Annotations/<name>.xml: each object's class and box) or a
class mask (SegmentationClass/<name>.png: a palette PNG whose index is the class, 0 the
background, 255 the objects' outlines, which count for no class). Every file is checked here,
before training; a bad one is reported with its name, or with skip_bad left out with its image.

Boxes: VOC gives 1-based pixel indices, xmin..xmax inclusive. As the continuous 0-based corners
the runner uses (COCO's) a box spans xmin - 1 to xmax, so that 1..W, the whole width, becomes
0..W; detectron2 converts them the same way (detectron2/data/datasets/pascal_voc.py). A
`difficult` object counts as COCO's crowd: no training target, and neither a hit nor a miss in mAP.

Annotation files are untrusted input. They are parsed by expat with no document type declaration
allowed: VOC's files have none, and without one no entity can be declared, so a file that parses
holds neither an entity-expansion bomb ("billion laughs", "quadratic blowup") nor an external
entity. xml.etree alone refuses only the external ones, and Python's documentation warns that
Expat before 2.7.2 may be open to the expansion attacks (docs.python.org/3/library/xml.html,
"XML security"; Python 3.7.1 only stopped xml.sax from fetching external entities, bpo-17239);
refusing the declaration holds whichever Expat Python links.
"""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np

from runner.data.annotated import Sample, image_size, load_mask
from runner.data.bad_items import none_left, settle
from runner.data.coco_format import TOLERANCE, CocoSet
from runner.recipe.errors import RunFailed
from runner.recipe.reading import Kind, Unreadable, read_bytes, read_text

# VOC's 20 classes in the devkit's order (VOCinit.m; torchvision and TFDS list them the same way)
CLASSES = tuple(
    "aeroplane bicycle bird boat bottle bus car cat chair cow diningtable dog horse motorbike person "
    "pottedplant sheep sofa train tvmonitor".split()
)
LISTS = {"detection": "Main", "segmentation": "Segmentation"}  # ImageSets/<folder>/<split>.txt
NAME = re.compile(r"[0-9]{4}_[0-9]{6}")  # 2008_000008: the year, then the image's number
ANNOTATION = Kind("a VOC annotation file", 1 << 20)  # VOC's largest is a few kilobytes
IMAGE_LIST = Kind("a VOC image list", 16 << 20)
OUTLINE = 255  # mask value of the objects' outlines and of pixels nobody labelled
WORKERS = 8  # threads reading files: the wait is the disk, not the CPU


def read_voc(root: Path, task: str, split: str, skip_bad: bool, key: str) -> CocoSet:
    """The images of `split` ('train' or 'val') of `task`'s list under `root` (VOCdevkit/VOC2012),
    with their boxes or masks; `key` names the recipe key in messages."""
    names = _image_names(root / "ImageSets" / LISTS[task] / f"{split}.txt", key)
    reader = _boxed if task == "detection" else _masked
    with ThreadPoolExecutor(WORKERS) as pool:
        found = list(pool.map(reader, [root] * len(names), names))
    problems = [problem for _, problem in found if problem]
    skipped = settle(problems, str(root), key, skip_bad)
    samples = tuple(sample for sample, problem in found if not problem)
    none_left(len(samples), skipped, "images", str(root), key)
    return CocoSet(CLASSES, tuple(range(1, len(CLASSES) + 1)), samples, skipped)


def parse_xml(data: bytes) -> ElementTree.Element:
    """The root element of an XML document; ValueError for one that is not well-formed, or that
    declares a document type (and with it, perhaps, entities)."""
    builder, parser = ElementTree.TreeBuilder(), expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler, parser.EndElementHandler = builder.start, builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise ValueError(f"is not well-formed XML ({e})") from None
    return builder.close()


def _refuse_doctype(*_):
    raise ValueError("declares a document type, which a VOC annotation file never does (it could declare entities)")


def _image_names(path: Path, key: str) -> list[str]:
    try:
        lines = read_text(path, IMAGE_LIST).split()
    except FileNotFoundError:
        raise RunFailed(
            f"{key}: {path} does not exist; the VOC folder is incomplete: delete VOCdevkit/ to extract it again"
        ) from None
    except (OSError, ValueError) as e:
        raise RunFailed(f"{key}: {path} cannot be read ({e})") from None
    bad = next((n for n in lines if not NAME.fullmatch(n)), None)
    if bad is not None:
        raise RunFailed(f"{key}: {path} lists {bad[:40]!r}, not a VOC image name such as 2008_000008")
    if not lines:
        raise RunFailed(f"{key}: {path} lists no images")
    return lines


def _boxed(root: Path, name: str) -> tuple[Sample | None, str | None]:
    """An image with its objects' boxes, or the problem that leaves it out."""
    xml = f"Annotations/{name}.xml"
    try:
        data = read_bytes(root / xml, ANNOTATION)
    except FileNotFoundError:
        return None, f"{xml} is missing"
    except Unreadable as e:
        return None, f"{xml} {e.problem}"
    except OSError as e:
        return None, f"{xml} cannot be read ({e.strerror})"
    image, (width, height), problem = _image(root, name)
    if problem:
        return None, problem
    try:
        boxes, labels, difficult = _objects(parse_xml(data), width, height)
    except ValueError as e:
        return None, f"{xml} {e}"
    segments = tuple([] for _ in labels)  # VOC's instance masks are not read: boxes only
    return Sample(image, _image_id(name), height, width, boxes, labels, difficult, segments), None


def _objects(annotation: ElementTree.Element, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(K, 4) float32 0-based corners, (K,) class indices and (K,) difficult flags of the
    annotation's objects (its direct <object> children: a person's <part>s are not objects)."""
    if annotation.tag != "annotation":
        raise ValueError(f"is not a VOC annotation: its root element is <{annotation.tag}>, not <annotation>")
    boxes, labels, difficult = [], [], []
    for n, thing in enumerate(annotation.findall("object"), 1):
        name = (thing.findtext("name") or "").strip()
        if name not in CLASSES:
            raise ValueError(f"object {n}: class {name[:40]!r} is not one of VOC's 20 ({', '.join(CLASSES[:4])}, ...)")
        corners = [_number(thing.find("bndbox"), part, n) for part in ("xmin", "ymin", "xmax", "ymax")]
        x0, y0, x1, y1 = corners[0] - 1, corners[1] - 1, corners[2], corners[3]
        if x1 <= x0 or y1 <= y0 or min(x0, y0) < -TOLERANCE or x1 > width + TOLERANCE or y1 > height + TOLERANCE:
            box = ", ".join(f"{v:g}" for v in corners)
            raise ValueError(
                f"object {n} ({name}): bndbox {box} is empty or reaches outside its {width}x{height} image"
            )
        boxes.append([max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)])
        labels.append(CLASSES.index(name))
        difficult.append((thing.findtext("difficult") or "0").strip() == "1")  # absent: not difficult
    return np.array(boxes, np.float32).reshape(-1, 4), np.array(labels, np.int64), np.array(difficult, bool)


def _number(bndbox: ElementTree.Element | None, part: str, n: int) -> float:
    text = (bndbox.findtext(part) if bndbox is not None else None) or ""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        raise ValueError(f"object {n}: bndbox/{part} {text.strip()[:20]!r} is not a number")
    return value


def _masked(root: Path, name: str) -> tuple[Sample | None, str | None]:
    """An image with its class mask, or the problem that leaves it out."""
    mask, path = f"SegmentationClass/{name}.png", os.path.abspath(root / "SegmentationClass" / f"{name}.png")
    image, (width, height), problem = _image(root, name)
    if problem:
        return None, problem
    try:
        pixels = load_mask(path)
    except FileNotFoundError:
        return None, f"{mask} is missing"
    except ValueError as e:
        return None, str(e)
    if pixels.shape != (height, width):
        return None, f"{mask} is {pixels.shape[1]}x{pixels.shape[0]} pixels but its image is {width}x{height}"
    beyond = np.setdiff1d(np.unique(pixels), [*range(len(CLASSES) + 1), OUTLINE])
    if beyond.size:
        return None, f"{mask} holds class index {beyond[0]}; VOC's are 0 (background) to 20, and 255 (outlines)"
    none = np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros(0, bool)
    return Sample(image, _image_id(name), height, width, *none, (), path), None


def _image(root: Path, name: str) -> tuple[str, tuple[int, int], str | None]:
    """The image's absolute path, its width and height from its header, and the problem that
    leaves it out (missing, not an image) or None."""
    path = os.path.abspath(root / "JPEGImages" / f"{name}.jpg")
    try:
        return path, image_size(path), None
    except FileNotFoundError:
        return path, (0, 0), f"JPEGImages/{name}.jpg is missing"
    except ValueError as e:
        return path, (0, 0), str(e)


def _image_id(name: str) -> int:
    return int(name.replace("_", ""))  # 2008_000008 -> 2008000008: unique, and readable back
