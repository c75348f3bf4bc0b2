"""Detection and segmentation augmentation (runner.data.steps.dense), property by property: boxes
and masks follow the pixels through every geometric step, boxes are clipped and dropped with
their labels and crowd flags, and masks keep their classes, with `ignore_index` where pixels come
from outside the image. The transform's contract (which steps, randomness, pickling, imports) is
in test_dense_transform.py."""

import inspect
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.catalog import augmentations
from runner.data.steps.dense import DenseTransform
from runner.recipe.specs import Step

IGNORE = 255
NO_BOXES = (np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros(0, bool))
EXACT = ("center_crop", "random_crop", "hflip", "vflip")  # whole-pixel moves: boxes stay on the pixel grid
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def catalog_params(name: str, **given) -> dict:
    """Every parameter of catalog step `name`: its defaults, with `given` for the rest."""
    signature = inspect.signature(augmentations.get(name).function).parameters
    return {k: given[k] if k in given else p.default for k, p in signature.items()}


def step(name: str, **given) -> Step:
    return Step(name, catalog_params(name, **given))


@st.composite
def scenes(draw, min_side=8):
    """An (H, W, 3) image, zero but for up to four filled rectangles of 255, one per quarter; its
    mask with class 10 * (k + 1) on rectangle k (far apart, so that interpolation would show);
    the rectangles as boxes with those classes as labels, and random crowd flags."""
    h, w = draw(st.integers(min_side, 80)), draw(st.integers(min_side, 80))
    image, mask = np.zeros((h, w, 3), np.uint8), np.zeros((h, w), np.uint8)
    boxes, labels = [], []
    for k, (top, left) in enumerate([(0, 0), (0, w // 2), (h // 2, 0), (h // 2, w // 2)]):
        bottom, right = (h if top else h // 2), (w if left else w // 2)
        if bottom == top or right == left or not draw(st.booleans()):
            continue
        y0, x0 = draw(st.integers(top, bottom - 1)), draw(st.integers(left, right - 1))
        y1, x1 = draw(st.integers(y0 + 1, bottom)), draw(st.integers(x0 + 1, right))
        image[y0:y1, x0:x1] = 255
        mask[y0:y1, x0:x1] = 10 * (k + 1)
        boxes.append((x0, y0, x1, y1))
        labels.append(10 * (k + 1))
    crowd = draw(st.lists(st.booleans(), min_size=len(boxes), max_size=len(boxes)))
    return image, mask, np.array(boxes, np.float32).reshape(-1, 4), np.array(labels, np.int64), np.array(crowd, bool)


def geometric_steps(exact, resampling=()):
    """1 to 3 steps: whole-pixel moves, and at most one step that resamples, since nearest-neighbour
    masks lose up to a pixel at each resampling, which a later enlargement would magnify."""
    sizes = st.integers(4, 64)
    p = st.sampled_from([0.0, 0.5, 1.0])
    made = {
        "resize": st.builds(lambda s: step("resize", size=s), st.integers(8, 64)),
        "center_crop": st.builds(lambda s: step("center_crop", size=s), sizes),
        "random_crop": st.builds(lambda s, pad: step("random_crop", size=s, padding=pad), sizes, st.integers(0, 8)),
        "random_resized_crop": st.builds(lambda s: step("random_resized_crop", size=s), st.integers(8, 64)),
        "hflip": st.builds(lambda q: step("hflip", p=q), p),
        "vflip": st.builds(lambda q: step("vflip", p=q), p),
        "rotation": st.builds(lambda d: step("rotation", degrees=d), st.floats(0, 180)),
    }
    moves = st.lists(st.one_of(*(made[n] for n in exact)), min_size=0 if resampling else 1, max_size=2)
    if not resampling:
        return moves
    one = st.one_of(*(made[n] for n in resampling))
    return st.tuples(moves, one, st.integers(0, 2)).map(lambda t: [*t[0][: t[2]], t[1], *t[0][t[2] :]])


def extent(where: np.ndarray):
    """(x0, y0, x1, y1) of the True pixels, pixel edges as pascal_voc boxes count them; None if none."""
    ys, xs = np.nonzero(where)
    return None if len(xs) == 0 else np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)


def run(steps, scene, seed, task="segmentation", **kwargs):
    random.seed(seed)
    return DenseTransform(steps, task, **kwargs)(*scene)


def check_outputs(scene, out):
    image, mask, boxes, labels, crowd = out
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[0] == 3 and image.flags.c_contiguous
    assert mask.dtype == np.uint8 and mask.shape == image.shape[1:] and mask.flags.c_contiguous
    assert boxes.dtype == np.float32 and boxes.shape == (len(labels), 4)
    assert labels.dtype == np.int64 and crowd.dtype == bool and len(crowd) == len(labels)
    # nearest neighbour only: no class that interpolation would invent; outside pixels are ignored
    assert set(np.unique(mask)) <= set(np.unique(scene[1])) | {IGNORE}
    assert len(set(labels)) == len(labels) and set(labels) <= set(scene[3])
    crowd_in = dict(zip(scene[3].tolist(), scene[4].tolist()))
    assert [crowd_in[label] for label in labels.tolist()] == crowd.tolist()  # each flag stays with its box
    h, w = mask.shape
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= w).all() and (boxes[:, 3] <= h).all()  # clipped


@SETTINGS
@given(scene=scenes(min_side=2), steps=geometric_steps(EXACT), seed=st.integers(0, 2**32 - 1))
def test_crops_and_flips_move_boxes_exactly_with_the_pixels(scene, steps, seed):
    out = run(steps, scene, seed)
    check_outputs(scene, out)
    image, mask, boxes, labels, _ = out
    kept = dict(zip(labels.tolist(), boxes))
    for label in scene[3].tolist():
        seen = extent(mask == label)
        if label in kept:
            np.testing.assert_allclose(kept[label], seen, atol=1e-3)
        else:
            assert seen is None  # dropped, with its label and crowd flag, only when it left the crop
    # the image's object pixels are the mask's, and padding is 0 in the image and ignored in the mask
    objects = (mask > 0) & (mask < IGNORE)
    np.testing.assert_array_equal(image, np.broadcast_to(np.where(objects, 255, 0).astype(np.uint8), image.shape))


@SETTINGS
@given(scene=scenes(), steps=geometric_steps(EXACT, ["resize", "random_resized_crop"]), seed=st.integers(0, 2**32))
def test_resizing_moves_boxes_with_the_pixels(scene, steps, seed):
    out = run(steps, scene, seed)
    check_outputs(scene, out)
    image, mask, boxes, labels, _ = out
    for box, label in zip(boxes, labels):
        if min(box[2] - box[0], box[3] - box[1]) >= 3:  # smaller boxes may fall between pixel centres
            np.testing.assert_allclose(box, extent(mask == label), atol=2)
    if len(scene[3]) == len(labels) == 1 and min(boxes[0, 2] - boxes[0, 0], boxes[0, 3] - boxes[0, 1]) >= 3:
        np.testing.assert_allclose(boxes[0], extent(image[0] >= 128), atol=2)


@SETTINGS
@given(scene=scenes(), steps=geometric_steps(EXACT, ["rotation"]), seed=st.integers(0, 2**32))
def test_rotated_boxes_frame_their_objects(scene, steps, seed):
    """A rotated box is the envelope of its rotated corners: it holds the object, and more."""
    out = run(steps, scene, seed)
    check_outputs(scene, out)
    _, mask, boxes, labels, _ = out
    kept = dict(zip(labels.tolist(), boxes))
    for label in scene[3].tolist():
        seen = extent(mask == label)
        if label in kept and seen is not None:
            assert (seen[:2] >= kept[label][:2] - 1.5).all() and (seen[2:] <= kept[label][2:] + 1.5).all()
        elif label not in kept:
            assert (mask == label).sum() <= 2  # dropped with under min_area of it in view


def test_a_box_that_leaves_the_crop_is_dropped_with_its_label_and_flag():
    image = np.zeros((40, 40, 3), np.uint8)
    boxes = np.array([[0, 0, 10, 10], [15, 15, 25, 25]], np.float32)
    out = DenseTransform([step("center_crop", size=12)], "detection")(
        image, None, boxes, np.array([3, 7]), np.array([True, False])
    )
    assert out[1] is None
    np.testing.assert_allclose(out[2], [[1, 1, 11, 11]], atol=1e-3)  # 15..25 in the 14..26 window
    assert out[3].tolist() == [7] and out[4].tolist() == [False]


def test_boxes_are_clipped_to_the_image_and_small_ones_dropped():
    image = np.zeros((20, 30, 3), np.uint8)
    boxes = np.array([[-5, -5, 10, 10], [29.5, 0, 40, 1], [5, 5, 5, 9], [2, 2, 4, 4]], np.float32)
    labels, crowd = np.arange(4), np.zeros(4, bool)
    _, _, kept, kept_labels, _ = DenseTransform([], "detection", min_area=1.0)(image, None, boxes, labels, crowd)
    np.testing.assert_allclose(kept, [[0, 0, 10, 10], [2, 2, 4, 4]], atol=1e-3)
    assert kept_labels.tolist() == [0, 3]  # 0.5 px² in view, and an empty box, are dropped
    _, _, kept, kept_labels, _ = DenseTransform([], "detection", min_area=5.0)(image, None, boxes, labels, crowd)
    assert kept_labels.tolist() == [0]  # 2 x 2 = 4 px² < 5


def test_no_boxes():
    image, mask = np.zeros((20, 30, 3), np.uint8), np.zeros((20, 30), np.uint8)
    out = run([step("random_resized_crop", size=16), step("hflip")], (image, mask, *NO_BOXES), seed=0)
    check_outputs((image, mask, *NO_BOXES), out)
    assert out[0].shape == (3, 16, 16) and out[2].shape == (0, 4) and len(out[3]) == 0


OUTSIDE = {  # steps that bring in pixels from outside the image
    "rotation": step("rotation", degrees=180),
    "center_crop": step("center_crop", size=40),
    "random_crop-padding": step("random_crop", size=20, padding=6),
    "random_crop-larger": step("random_crop", size=40, padding=0),  # larger than the image: padded up to size
}


@pytest.mark.parametrize("name", OUTSIDE)
def test_pixels_from_outside_the_image_are_ignored_in_the_mask_and_black_in_the_image(name):
    image, mask = np.full((24, 32, 3), 200, np.uint8), np.full((24, 32), 3, np.uint8)
    outside = 0
    for seed in range(10):
        out = run([OUTSIDE[name]], (image, mask, *NO_BOXES), seed)
        assert set(np.unique(out[1])) <= {3, IGNORE}  # never class 0
        outside += (out[1] == IGNORE).sum()
        inside = out[1] == 3
        assert (out[0][:, inside] > 0).all() and (out[0][:, ~inside] < 200).all()  # edges blend the two
    assert outside > 0
