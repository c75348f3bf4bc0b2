"""Reading COCO annotation files: boxes, labels, crowd regions and per-pixel masks from a hand-made
file whose answers are counted by hand, and the message for each kind of bad input (or, with
skip_bad, the good items kept and each bad one listed)."""

import json

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as coco_mask

from runner.data.coco_format import load_image, read_coco, semantic_mask
from runner.data.rle import segment_mask
from runner.recipe.errors import RunFailed

KEY = "data.train_annotations"
W, H = 8, 6


def rle_of(rows: slice, cols: slice) -> dict:
    mask = np.zeros((H, W), np.uint8)
    mask[rows, cols] = 1
    rle = coco_mask.encode(np.asfortranarray(mask))
    return {"size": [H, W], "counts": rle["counts"].decode()}


def coco() -> dict:
    """Categories with gaps and out of order; image 1 has a polygon, an uncompressed crowd RLE and a
    compressed RLE over part of the polygon; image 2 has no annotations."""
    return {
        "images": [
            {"id": 1, "file_name": "a.png", "width": W, "height": H},
            {"id": 2, "file_name": "b.png", "width": W, "height": H},
        ],
        "annotations": [
            {
                "id": 11,
                "image_id": 1,
                "category_id": 7,
                "bbox": [1, 1, 3, 2],
                "iscrowd": 0,
                "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]],
            },  # fmt: skip
            # column 6 whole: 36 pixels off (columns 0-5, column-major), 6 on, 6 off
            {
                "id": 12,
                "image_id": 1,
                "category_id": 3,
                "bbox": [6, 0, 1, 6],
                "iscrowd": 1,
                "segmentation": {"size": [H, W], "counts": [36, 6, 6]},
            },  # fmt: skip
            {
                "id": 13,
                "image_id": 1,
                "category_id": 1,
                "bbox": [3, 2, 2, 2],
                "iscrowd": 0,
                "segmentation": rle_of(slice(2, 4), slice(3, 5)),
            },  # fmt: skip
        ],
        "categories": [{"id": 7, "name": "dog"}, {"id": 1, "name": "bird"}, {"id": 3, "name": "cat"}],
    }


def write(folder, data, images=("a.png", "b.png")) -> tuple:
    (folder / "images").mkdir(exist_ok=True)
    for name in images:
        Image.new("RGB", (W, H), (10, 20, 30)).save(folder / "images" / name)
    path = folder / "annotations.json"
    path.write_text(json.dumps(data) if isinstance(data, dict) else data)
    return path, folder / "images"


def test_boxes_labels_crowd_and_mask_of_a_hand_made_file(tmp_path):
    read = read_coco(*write(tmp_path, coco()), skip_bad=False, key=KEY)
    assert read.classes == ("bird", "cat", "dog") and read.category_ids == (1, 3, 7)
    assert read.skipped == ()
    first, empty = read.samples
    assert first.file == str(tmp_path / "images" / "a.png") and (first.height, first.width) == (H, W)
    np.testing.assert_array_equal(first.boxes, [[1, 1, 4, 3], [6, 0, 7, 6], [3, 2, 5, 4]])
    assert first.boxes.dtype == np.float32
    np.testing.assert_array_equal(first.labels, [2, 1, 0])
    np.testing.assert_array_equal(first.crowd, [False, True, False])
    assert first.segments == tuple(a["segmentation"] for a in coco()["annotations"])
    assert empty.image_id == 2 and empty.boxes.shape == (0, 4) and empty.labels.shape == (0,) and empty.segments == ()
    expected = np.zeros((H, W), np.uint8)
    expected[1:3, 1:4] = 3  # the polygon: dog (index 2) + 1, pixels of columns 1-3, rows 1-2
    expected[:, 6] = 255  # the crowd region
    expected[2:4, 3:5] = 1  # bird (index 0) + 1, painted over the dog
    np.testing.assert_array_equal(semantic_mask(first, ignore_index=255), expected)
    assert np.count_nonzero(expected == 3) == 5 and np.count_nonzero(expected == 1) == 4
    assert not semantic_mask(empty, 255).any()
    assert load_image(first.file).shape == (H, W, 3)


def test_a_box_past_the_edge_within_a_pixel_is_clipped(tmp_path):
    data = coco()
    data["annotations"][0]["bbox"] = [-0.5, 1, W + 0.9, 2]
    first = read_coco(*write(tmp_path, data), skip_bad=False, key=KEY).samples[0]
    np.testing.assert_array_equal(first.boxes[0], [0, 1, W, 3])


def bad(change):
    data = coco()
    change(data)
    return data


def annotation(i, **values):
    return lambda data: data["annotations"][i].update(values)


def image(i, **values):
    return lambda data: data["images"][i].update(values)


SEGMENTATION = "segmentation is neither polygons of 3+ points inside the image nor an RLE of size [6, 8]"
# A change to the good file and what the message says; skip_bad keeps both images, less one annotation.
BAD_ANNOTATIONS = {
    "zero width": (annotation(0, bbox=[1, 1, 0, 2]), "11 (image id 1): bbox [1, 1, 0, 2] has zero or negative"),
    "negative height": (annotation(0, bbox=[1, 1, 2, -1]), "11 (image id 1): bbox [1, 1, 2, -1] has zero"),
    "outside": (annotation(1, bbox=[6, 0, 1, 7.5]), "12 (image id 1): bbox [6, 0, 1, 7.5] reaches outside its 8x6"),
    "not a box": (annotation(2, bbox=[3, 2]), "13 (image id 1): bbox [3, 2] is not [x, y, width, height]"),
    "unknown category": (annotation(0, category_id=2), "11 (image id 1): category id 2 is not among the 3 categories"),
    "unknown image": (annotation(2, image_id=42), "13: image id 42 is not among the file's images"),
    "bad polygon": (annotation(0, segmentation=[[1, 1, 4, 1]]), f"11 (image id 1): {SEGMENTATION}"),
    # pycocotools would allocate memory in proportion to the coordinates: 12 GB for this one
    "polygon far outside": (annotation(0, segmentation=[[0, 0, 1e8, 0, 0, 1e8]]), f"11 (image id 1): {SEGMENTATION}"),
    "RLE of another size": (
        annotation(1, segmentation={"size": [3, 3], "counts": [9]}),
        f"12 (image id 1): {SEGMENTATION}",
    ),
    "RLE never ends": (annotation(2, segmentation={"size": [H, W], "counts": "P"}), f"13 (image id 1): {SEGMENTATION}"),
}
# The same for images, with the image ids and the number of annotations skip_bad keeps.
BAD_IMAGES = {
    "no width": (lambda d: d["images"][0].pop("width"), "1: needs a file_name and a positive integer width", [2], 0),
    "size differs": (image(1, width=9), "2: {images}/b.png is 8x6 pixels, the file says 9x6", [1], 3),
    "missing image": (image(1, file_name="gone.png"), "2: {images}/gone.png is missing", [1], 3),
}


@pytest.mark.parametrize("case", BAD_ANNOTATIONS)
def test_bad_annotations_are_named_and_skip_bad_leaves_out_only_them(tmp_path, case):
    change, text = BAD_ANNOTATIONS[case]
    fails_then_skips(tmp_path, change, f"annotation id {text}", kept=[1, 2], annotations=2)


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_bad_images_are_named_and_skip_bad_leaves_out_only_them(tmp_path, case):
    change, text, kept, annotations = BAD_IMAGES[case]
    fails_then_skips(tmp_path, change, f"image id {text}".format(images=tmp_path / "images"), kept, annotations)


def fails_then_skips(tmp_path, change, text: str, kept: list[int], annotations: int):
    path, images = write(tmp_path, bad(change))
    with pytest.raises(RunFailed) as failed:
        read_coco(path, images, skip_bad=False, key=KEY)
    message = str(failed.value)
    assert message.startswith(f"{KEY}: {path} has 1 problem:\n  {text}"), message
    assert message.endswith("set skip_bad: true to leave the bad items out (each is listed when the run starts)")
    read = read_coco(path, images, skip_bad=True, key=KEY)
    assert len(read.skipped) == 1 and read.skipped[0].startswith(f"{path}: {text}"), read.skipped
    assert read.skipped[0].endswith("; left out")
    assert [s.image_id for s in read.samples] == kept
    assert sum(len(s.labels) for s in read.samples) == annotations


def test_a_missing_and_a_corrupt_image_are_named(tmp_path):
    path, images = write(tmp_path, coco(), images=("b.png",))
    (images / "b.png").write_bytes(b"not a png")
    with pytest.raises(RunFailed) as failed:
        read_coco(path, images, skip_bad=False, key=KEY)
    assert f"image id 1: {images / 'a.png'} is missing" in str(failed.value)
    assert f"image id 2: cannot read image {images / 'b.png'}" in str(failed.value)
    with pytest.raises(RunFailed, match="has no usable images after leaving out 2 bad items"):
        read_coco(path, images, skip_bad=True, key=KEY)


def test_many_problems_show_the_first_five_and_a_count(tmp_path):
    data = coco()
    data["annotations"] = [dict(data["annotations"][0], id=100 + i, category_id=99) for i in range(8)]
    with pytest.raises(RunFailed) as failed:
        read_coco(*write(tmp_path, data), skip_bad=False, key=KEY)
    message = str(failed.value)
    assert "has 8 problems" in message and "annotation id 104 " in message and "annotation id 105 " not in message
    assert "\n  and 3 more\n" in message
    read = read_coco(tmp_path / "annotations.json", tmp_path / "images", skip_bad=True, key=KEY)
    assert len(read.skipped) == 8 and [len(s.labels) for s in read.samples] == [0, 0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{not json", "is not JSON (Expecting property name"),
        ("[1, 2]", "is not a COCO annotation file: it lacks the 'images', 'annotations', 'categories' lists"),
        (json.dumps({"images": [], "annotations": []}), "it lacks the 'categories' list;"),
        (json.dumps(bad(lambda d: d["images"].append(dict(d["images"][0])))), "image id 1 appears twice"),
        (json.dumps(bad(lambda d: d["categories"].append({"id": 3, "name": "x"}))), "category id 3 appears twice"),
        (json.dumps(bad(lambda d: d.update(categories=[]))), "has no categories"),
    ],
)
def test_a_file_that_is_not_coco_fails_even_with_skip_bad(tmp_path, text, expected):
    path, images = write(tmp_path, text)
    with pytest.raises(RunFailed) as failed:
        read_coco(path, images, skip_bad=True, key=KEY)
    assert str(failed.value).startswith(f"{KEY}: {path}") and expected in str(failed.value)


def test_a_missing_file_or_images_folder_is_named(tmp_path):
    with pytest.raises(RunFailed, match="annotations.json does not exist"):
        read_coco(tmp_path / "annotations.json", tmp_path, skip_bad=False, key=KEY)
    path, _ = write(tmp_path, coco())
    with pytest.raises(RunFailed, match="elsewhere is not a folder; it should hold the images annotations.json names"):
        read_coco(path, tmp_path / "elsewhere", skip_bad=False, key=KEY)


def test_a_corrupt_image_fails_to_load_with_its_path(tmp_path):
    png = tmp_path / "a.png"
    Image.new("RGB", (64, 64)).save(png)
    png.write_bytes(png.read_bytes()[:60])  # a whole header, truncated pixels
    with pytest.raises(ValueError, match=f"cannot decode image {png}: "):
        load_image(str(png))


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # pycocotools' decode, numpy 2
def test_rle_and_polygons_decode_as_pycocotools_does():
    rng = np.random.default_rng(0)
    for trial in range(200):
        height, width = rng.integers(1, 40, 2).tolist()
        pixels = (rng.random((height, width)) < [0, 1, rng.random()][trial % 3]).astype(np.uint8)
        rle = coco_mask.encode(np.asfortranarray(pixels))
        np.testing.assert_array_equal(segment_mask({**rle, "counts": rle["counts"].decode()}, height, width), pixels)
    polygons = [[0.5, 0.5, 30.2, 3.7, 12, 25.1], [20, 20, 39, 20, 39, 39, 20, 39]]
    expected = coco_mask.decode(coco_mask.merge(coco_mask.frPyObjects(polygons, 40, 40)))
    np.testing.assert_array_equal(segment_mask(polygons, 40, 40), expected)
