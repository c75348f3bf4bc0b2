"""The detection and segmentation pictures put boxes and masks where they are: an outline colours
exactly its edge's pixels, a mask exactly its class's pixels, and a box drawn on an image's tile
lands where the box is in the image. Mistakes are counted as COCO matches boxes, per-image IoU is
the scores' own, and the curves plot each task's metrics, runs of different tasks only the ones
they share."""

import numpy as np
import pytest

from runner.backends.inference import Detected
from runner.report import detected, overlays, segmented
from runner.report.compare import shared_metrics
from runner.report.tasks import panels

RED, BLUE = np.array([1.0, 0, 0], np.float32), np.array([0, 0, 1.0], np.float32)


def outline(top: int, left: int, bottom: int, right: int, width: int, shape) -> np.ndarray:
    """True on the `width` outermost rows and columns of rows top..bottom-1, columns left..right-1."""
    inside = np.zeros(shape, bool)
    inside[top:bottom, left:right] = True
    core = np.zeros(shape, bool)
    core[top + width : bottom - width, left + width : right - width] = True
    return inside & ~core


@pytest.mark.parametrize("width", [1, 2])
def test_a_box_colours_exactly_its_outline(width):
    blank = np.zeros((20, 30, 3), np.float32)
    drawn = overlays.boxes(blank, np.array([[4, 5, 14, 12]]), RED[None], width=width)
    changed = drawn.any(axis=2)
    assert (changed == outline(5, 4, 12, 14, width, (20, 30))).all()
    assert (drawn[changed] == RED).all() and not blank.any()


def test_a_box_past_the_edge_is_clipped_and_a_flat_one_draws_nothing():
    drawn = overlays.boxes(np.zeros((10, 10, 3)), np.array([[-5, 6, 4, 30], [3, 3, 3, 8]]), np.stack([RED, BLUE]), 1)
    assert (drawn.any(axis=2) == outline(6, 0, 10, 4, 1, (10, 10))).all()


def test_a_mask_colours_exactly_its_classes_pixels():
    image = np.full((12, 12, 3), 0.5, np.float32)
    classes = np.zeros((12, 12), np.int64)
    classes[2:8, 3:9] = 2
    classes[9:, 9:] = 255  # ignored: counts for no class, and is not painted
    palette = np.stack([BLUE, BLUE, RED])
    painted = overlays.mask(image, classes, palette, alpha=0.6)
    changed = (painted != image).any(axis=2)
    assert (changed == (classes == 2)).all()
    edge = outline(2, 3, 8, 9, 1, (12, 12))
    assert (painted[edge] == RED).all()
    assert np.allclose(painted[classes == 2][~edge[classes == 2]], 0.4 * 0.5 + 0.6 * RED)


def test_a_box_lands_on_its_place_in_the_images_tile():
    image = np.zeros((3, 32, 64), np.uint8)  # 64 wide, 32 high: the 128-pixel tile stretches it 2 across, 4 down
    box = np.array([[8, 4, 24, 20]], np.float32)
    found = Detected(box, np.array([1]), np.array([0.9], np.float32))
    target = {"boxes": box, "labels": np.array([1]), "crowd": np.array([False])}
    drawn = detected.draw(image, found, target, ("circle", "square", "triangle"), 128)
    expected = outline(16, 16, 80, 48, 2, (128, 128))
    for tile in (drawn.predicted, drawn.truth):
        assert (tile.any(axis=2) == expected).all()
        assert np.allclose(tile[expected], detected.palette(3)[1])
    assert [(x, y, text) for x, y, text, _ in drawn.notes] == [(16, 16, "square 0.90")]


def test_a_mask_lands_on_its_place_in_the_images_tile():
    image = np.zeros((3, 16, 16), np.uint8)
    mask = np.zeros((16, 16), np.int64)
    mask[4:8, 2:6] = 3
    drawn = segmented.draw(image, mask, {"mask": mask}, ("background", "circle", "square", "triangle"), 64)
    for tile in (drawn.predicted, drawn.truth):
        assert (tile.any(axis=2) == np.kron(mask == 3, np.ones((4, 4), bool))).all()


def boxes(*rows) -> np.ndarray:
    return np.array(rows, np.float32).reshape(-1, 4)


def test_mistakes_are_counted_as_coco_matches_boxes():
    truth = {"boxes": boxes([0, 0, 10, 10], [20, 20, 30, 30]), "labels": np.array([0, 1]), "crowd": np.zeros(2, bool)}
    found = Detected(
        boxes([1, 1, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]),
        np.array([0, 0, 2, 1]),
        np.array([0.9, 0.8, 0.7, 0.3], np.float32),
    )
    # the first box finds the circle; the second is a duplicate (false); the third names the wrong
    # class (false, and the square is missed); the fourth scores under the threshold
    assert detected.errors(found, truth) == (1, 2)
    judged = detected.judge(found, truth, 3)
    assert judged.badness == 3 and judged.title == "1 missed, 2 false"
    crowd = {**truth, "crowd": np.array([False, True])}
    on_crowd = Detected(boxes([0, 0, 10, 10], [20, 20, 29, 30]), np.array([0, 1]), np.array([0.9, 0.9], np.float32))
    assert detected.errors(on_crowd, crowd) == (0, 0)  # a crowd region is never missed, nor a box on it false


def test_an_images_iou_is_its_own_mean_over_the_classes_it_shows():
    mask = np.zeros((4, 4), np.int64)
    mask[:2] = 1
    assert segmented.image_iou(mask, mask, 3) == 1.0
    wrong = mask.copy()
    wrong[:2, :2] = 2  # background IoU 1, class 1 IoU 1/2, class 2 IoU 0
    assert segmented.image_iou(wrong, mask, 3) == pytest.approx((1 + 0.5 + 0) / 3)


def test_the_curves_plot_each_tasks_metrics():
    common = (("learning rate", ("lr",)), ("images/s", ("images_per_s",)))
    assert panels(["detection"]) == (("loss", ("train_loss",)), ("mAP", ("val_map", "val_map50", "val_map75")), *common)
    assert panels(["segmentation"])[:2] == (
        ("loss", ("train_loss", "val_loss")),
        ("IoU and pixel accuracy", ("val_miou", "val_pixel_acc")),
    )
    accuracy = ("accuracy", ("train_acc", "val_acc"))
    assert panels(["classification"])[:2] == (("loss", ("train_loss", "val_loss")), accuracy)
    assert panels(["classification", "detection"]) == (("loss", ("train_loss",)), *common)


def test_runs_of_different_tasks_are_compared_on_what_they_share():
    both = ("val_loss", "val_miou", "val_pixel_acc", "train_loss", "best")
    assert shared_metrics(["segmentation", "segmentation"]) == both
    assert shared_metrics(["classification", "segmentation"]) == ("val_loss", "train_loss")
    assert shared_metrics(["detection", "classification"]) == ("train_loss",)
