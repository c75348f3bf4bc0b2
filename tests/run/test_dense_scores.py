"""Detection and segmentation scores: mAP through the Lightning backend's tally equals COCO's own
COCOeval on a hand-made set (category ids with gaps, a crowd region, an image without objects),
and its results file is what COCOeval reads; mIoU and pixel accuracy equal a hand count."""

import contextlib
import io
import json

import numpy as np
import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from runner.backends.lightning.detection import DetectionTally
from runner.run.dense_scores import IGNORE, SegmentationTally, segmentation_scores

CATEGORY_IDS = (1, 5, 90)  # gaps, as in COCO's own 1..90
NAMES = ("cat", "dog", "kite")
# Per image: (boxes x0 y0 x1 y1, class index, crowd)
TRUTH = {
    11: [((10, 10, 50, 50), 0, False), ((60, 60, 90, 95), 1, False), ((0, 70, 40, 99), 2, True)],
    12: [((5, 5, 30, 40), 2, False), ((40, 10, 80, 50), 0, False)],
    13: [],  # an image without objects
}
# Per image: (box, class index, score): hits, near misses, a duplicate, a detection in the crowd
# region and one on the empty image.
FOUND = {
    11: [((12, 11, 49, 52), 0, 0.9), ((61, 58, 88, 96), 1, 0.8), ((11, 10, 50, 48), 0, 0.3), ((2, 72, 38, 97), 2, 0.7)],
    12: [((6, 4, 31, 42), 2, 0.95), ((45, 20, 80, 50), 0, 0.6), ((40, 10, 60, 30), 1, 0.5)],
    13: [((10, 10, 20, 20), 1, 0.4)],
}


def coco_truth() -> dict:
    images = [{"id": i, "width": 100, "height": 100, "file_name": f"{i}.png"} for i in TRUTH]
    annotations = [
        {
            "id": n,
            "image_id": image,
            "category_id": CATEGORY_IDS[label],
            "bbox": [x0, y0, x1 - x0, y1 - y0],
            "area": (x1 - x0) * (y1 - y0),
            "iscrowd": int(crowd),
        }
        for n, (image, (box, label, crowd)) in enumerate(((i, a) for i, objs in TRUTH.items() for a in objs), 1)
        for x0, y0, x1, y1 in [box]
    ]
    categories = [{"id": c, "name": n} for c, n in zip(CATEGORY_IDS, NAMES)]
    return {"images": images, "annotations": annotations, "categories": categories}


def tensors(objects, score: bool) -> dict:
    boxes = torch.tensor([o[0] for o in objects], dtype=torch.float32).reshape(-1, 4)
    labels = torch.tensor([o[1] for o in objects], dtype=torch.int64)
    if score:
        return {"boxes": boxes, "labels": labels, "scores": torch.tensor([o[2] for o in objects])}
    return {"boxes": boxes, "labels": labels, "iscrowd": torch.tensor([int(o[2]) for o in objects])}


def cocoeval(truth: dict, detections: list[dict]) -> COCOeval:
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = truth
        gt.createIndex()
        found = COCOeval(gt, gt.loadRes(detections), "bbox")
        found.evaluate(), found.accumulate(), found.summarize()
    return found


def test_map_equals_cocoeval_with_crowds_gaps_and_empty_images(tmp_path):
    tally = DetectionTally(len(NAMES))
    tally.category_ids = list(CATEGORY_IDS)
    for image in TRUTH:
        tally.add([tensors(FOUND[image], True)], [tensors(TRUTH[image], False)], [(image, (1.0, 1.0))])
    result = tally.write(tmp_path / "eval.json", tmp_path / "best.ckpt", "val", NAMES)
    detections = json.loads((tmp_path / result["detections_file"]).read_text())
    assert len(detections) == sum(len(v) for v in FOUND.values())
    assert {d["category_id"] for d in detections} <= set(CATEGORY_IDS)
    reference = cocoeval(coco_truth(), detections)
    assert result["map"] == pytest.approx(reference.stats[0], abs=1e-4)
    assert result["map50"] == pytest.approx(reference.stats[1], abs=1e-4)
    assert result["map75"] == pytest.approx(reference.stats[2], abs=1e-4)
    precision = reference.eval["precision"][:, :, :, 0, 2]  # IoU x recall x class, all areas, 100 dets
    for k, name in enumerate(NAMES):
        per_class = precision[:, :, k]
        expected = per_class[per_class > -1].mean()
        assert result["per_class_ap"][name] == pytest.approx(expected, abs=1e-4), name
    assert 0 < result["map"] < 1  # the set is neither trivially right nor wrong


def test_miou_and_pixel_accuracy_equal_a_hand_count(tmp_path):
    target = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, IGNORE, IGNORE], [2, 2, 0, 0]])
    predicted = np.array([[0, 1, 1, 1], [0, 0, 1, 0], [2, 0, 1, 2], [2, 2, 0, 0]])
    tally = SegmentationTally(4)
    tally.add(predicted[None], target[None], loss_sum=1.5)
    result = tally.write(tmp_path / "eval.json", tmp_path / "best.ckpt", "val", ("bg", "a", "b", "never"))
    # Counted by hand over the 14 pixels not ignored:
    # bg: 6 true, 7 predicted (one a and one b pixel taken for bg), 5 both: 5 / (6 + 7 - 5)
    # a: 4 true, 4 predicted (one of them a bg pixel), 3 both: 3 / (4 + 4 - 3)
    # b: 4 true, 3 predicted, 3 both: 3 / (4 + 3 - 3)
    # never: absent from both, so it has no IoU and stays out of the mean
    assert result["per_class_iou"] == pytest.approx({"bg": 5 / 8, "a": 3 / 5, "b": 3 / 4, "never": None})
    assert result["miou"] == pytest.approx((5 / 8 + 3 / 5 + 3 / 4) / 3)
    assert result["pixel_acc"] == pytest.approx(11 / 14)
    assert result["pixels"] == 14 and result["loss"] == pytest.approx(1.5 / 14)


def test_miou_equals_torchmetrics_where_every_class_is_present():
    from torchmetrics.functional.classification import multiclass_jaccard_index

    rng = np.random.default_rng(0)
    target = rng.integers(0, 5, (3, 16, 16))
    predicted = np.where(rng.random((3, 16, 16)) < 0.7, target, rng.integers(0, 5, (3, 16, 16)))
    tally = SegmentationTally(5)
    tally.add(predicted, target, 0.0)
    reference = multiclass_jaccard_index(torch.from_numpy(predicted), torch.from_numpy(target), 5, average="macro")
    assert segmentation_scores(tally.matrix)["miou"] == pytest.approx(float(reference), abs=1e-6)


def test_the_results_file_gives_boxes_in_the_images_own_pixels(tmp_path):
    """An image the eval steps resized to half its size: its detections go back to full size."""
    tally = DetectionTally(1)
    found = {
        "boxes": torch.tensor([[10.0, 5.0, 30.0, 25.0]]),
        "labels": torch.tensor([0]),
        "scores": torch.tensor([0.9]),
    }
    truth = {
        "boxes": torch.tensor([[10.0, 5.0, 30.0, 25.0]]),
        "labels": torch.tensor([0]),
        "iscrowd": torch.tensor([0]),
    }
    tally.add([found], [truth], [(7, (2.0, 2.0))])
    result = tally.write(tmp_path / "eval.json", tmp_path / "best.ckpt", "val", ("thing",))
    (detection,) = json.loads((tmp_path / result["detections_file"]).read_text())
    assert detection["bbox"] == [20.0, 10.0, 40.0, 40.0] and detection["image_id"] == 7
    assert result["map"] == pytest.approx(1.0)  # scored in the network's pixels, where truth and boxes meet
