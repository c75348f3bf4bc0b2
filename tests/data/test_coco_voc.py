"""COCO 2017 and PASCAL VOC 2012 from their official archives: fetched from a server on 127.0.0.1
at the official paths, checked against the pinned size and SHA-256 (here swapped for the tiny
archives' own), extracted safely and read into the samples a run trains on. The archives are
built by the tests in the official layouts (tests/data/fake_official.py); nothing touches the
network."""

import numpy as np
import pytest

from runner.data import dense
from runner.data.acquire import acquire
from runner.data.annotated import semantic_mask
from runner.data.files import sources
from runner.data.files.store import prepare
from runner.data.steps.dense import DenseTransform
from runner.data.voc import CLASSES, read_voc
from runner.recipe.errors import RunFailed
from runner.recipe.stages import compile_file
from tests.conftest import ROOT
from tests.data.fake_datasets import expect, hidden, place
from tests.data.fake_official import VOC_ROOT, coco_files, palette_png, voc_files, voc_mask, voc_xml, write_voc

OFFICIAL_PATHS = {
    "train2017.zip": "zips/train2017.zip",
    "val2017.zip": "zips/val2017.zip",
    "annotations_trainval2017.zip": "annotations/annotations_trainval2017.zip",
}


def program(tmp_path, recipe: str, *overrides: str):
    """A shipped recipe on one device, with data.root under tmp_path and a batch the tiny sets fill."""
    path, one = str(ROOT / "recipes" / f"{recipe}.yaml"), ["hardware.devices=1", "hardware.strategy=auto"]
    return compile_file(path, [f"data.root={tmp_path / 'data'}", "data.batch_size=1", *one, *overrides])[1]


def test_coco_is_fetched_from_its_paths_verified_extracted_and_read(tmp_path, monkeypatch, host):
    files = coco_files()
    base = host.serve({OFFICIAL_PATHS[name]: data for name, data in files.items()})
    expect(monkeypatch, "coco", files, base_url=base)
    found, counted = dense.split(program(tmp_path, "fasterrcnn_coco"))
    assert sorted(path for path, _ in host.requests) == sorted(OFFICIAL_PATHS.values())
    folder = tmp_path / "data" / "coco"
    assert {p.name for p in folder.iterdir() if p.is_dir()} == {"train2017", "val2017", "annotations"}
    assert hidden(folder) == []  # no .part file nor scratch folder left
    # detection learns the categories by name, in id order; COCO's ids are kept for the results file
    assert found.classes == ("person", "car", "toothbrush") and found.category_ids == (1, 3, 90)
    assert [s.image_id for s in found.train] == [9, 25, 30] and [s.image_id for s in found.val] == [139, 285]
    first = found.train[0]
    np.testing.assert_array_equal(first.boxes, [[2, 3, 12, 11], [30, 0, 31, 30]])  # [x, y, w, h] -> corners
    assert first.labels.tolist() == [0, 1] and first.crowd.tolist() == [False, True]
    assert counted.numbers.train_size == 3 and counted.numbers.val_size == 2 and counted.num_classes == 3

    segmentation = program(tmp_path, "fasterrcnn_coco", "task=segmentation", "model.arch=deeplabv3_resnet50")
    found = dense.split(segmentation)[0]
    assert found.classes == ("background", "person", "car", "toothbrush")
    mask = semantic_mask(found.train[0], found.ignore_index)
    assert (mask[3:11, 2:12] == 1).all() and (mask[:, 30] == 255).all()  # the crowd counts for no class
    assert np.count_nonzero(mask) == 8 * 10 + 30

    for name in files:  # once extracted, the folders alone are enough, with no network
        (folder / name).unlink()
    monkeypatch.setenv("RUNNER_OFFLINE", "1")
    assert [s.image_id for s in dense.split(segmentation)[0].val] == [139, 285]


def test_voc_detection_boxes_are_0_based_corners_and_difficult_is_crowd(tmp_path, monkeypatch, host):
    files = voc_files()
    base = host.serve(files)
    expect(monkeypatch, "voc", files, base_url=base)
    found = dense.split(program(tmp_path, "retinanet_voc"))[0]
    assert host.requests == [("VOCtrainval_11-May-2012.tar", None)]
    assert found.classes == CLASSES and len(CLASSES) == 20 and CLASSES[:3] == ("aeroplane", "bicycle", "bird")
    assert [s.image_id for s in found.train] == [2008000001, 2008000002] and len(found.val) == 1
    person_and_dog, cat = found.train
    # xmin 1 .. xmax 50 of a 50-pixel-wide image is the whole width: 0 .. 50; the person's <part>
    # boxes are not objects
    np.testing.assert_array_equal(person_and_dog.boxes, [[0, 0, 50, 40], [9, 19, 30, 35]])
    assert [CLASSES[i] for i in person_and_dog.labels] == ["person", "dog"]
    assert person_and_dog.crowd.tolist() == [False, True]  # difficult: no target, no miss
    np.testing.assert_array_equal(cat.boxes, [[4, 4, 20, 20]])
    assert (tmp_path / "data" / "voc" / VOC_ROOT / "JPEGImages" / "2008_000003.jpg").is_file()


def test_voc_segmentation_reads_palette_indices_with_255_ignored(tmp_path, monkeypatch):
    files = voc_files()
    expect(monkeypatch, "voc", files)
    place(tmp_path / "data" / "voc", files)  # placed by hand, then verified and extracted
    found = dense.split(program(tmp_path, "deeplabv3_voc"))[0]
    assert found.classes == ("background", *CLASSES) and found.ignore_index == 255
    assert [s.image_id for s in found.train] == [2008000001] and [s.image_id for s in found.val] == [2008000003]
    image, target = dense.DenseSamples(found.train, "segmentation", DenseTransform([], "segmentation"))[0]
    want = voc_mask("2008_000001")
    np.testing.assert_array_equal(target["mask"], want)  # the palette's indices, not its colours
    assert set(np.unique(target["mask"]).tolist()) == {12, 15, 255} and image.shape == (3, 40, 50)


def test_a_download_failing_the_checksum_is_refused_and_nothing_extracted(tmp_path, monkeypatch, host):
    files = voc_files()
    pinned = expect(monkeypatch, "voc", files)
    tampered = bytearray(files["VOCtrainval_11-May-2012.tar"])
    tampered[600] ^= 1  # the same size, one bit changed
    base = host.serve({"VOCtrainval_11-May-2012.tar": bytes(tampered)})
    with pytest.raises(RunFailed, match="VOCtrainval_11-May-2012.tar downloaded from .* failed the sha256 check"):
        prepare(pinned, tmp_path / "data", True, mirror=base)
    assert [p.name for p in (tmp_path / "data" / "voc").iterdir() if p.name != ".lock"] == []


@pytest.mark.parametrize("dataset, recipe", [("coco", "fasterrcnn_coco"), ("voc", "retinanet_voc")])
def test_download_false_fails_fast_naming_each_file_and_its_url(tmp_path, dataset, recipe):
    with pytest.raises(RunFailed) as failed:
        acquire(program(tmp_path, recipe, "data.download=false").data)
    message = str(failed.value)
    assert "data.download is false" in message and f"{tmp_path / 'data' / dataset}/" in message
    assert all(sources.SOURCES[dataset].url(r) in message for r in sources.SOURCES[dataset].files)
    if dataset == "coco":
        assert "missing train2017.zip, val2017.zip, annotations_trainval2017.zip in" in message
        assert "(or the folders train2017/, val2017/, annotations/ extracted from them)" in message
        assert "http://images.cocodataset.org/zips/train2017.zip" in message
        assert "http://images.cocodataset.org/annotations/annotations_trainval2017.zip" in message
    else:
        assert "missing VOCtrainval_11-May-2012.tar in" in message and "(or the folder VOCdevkit/ extracted" in message
        assert "http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar" in message
    assert not (tmp_path / "data").exists()


def test_download_and_list_know_both_and_a_mirror_serves_them_by_name(tmp_path, monkeypatch, host, cli):
    files = voc_files()
    expect(monkeypatch, "voc", files, base_url="https://unreachable.invalid/")
    root = tmp_path / "data"
    result = cli("download", "voc", "--root", root, "--mirror", host.serve(files))
    assert result.code == 0, result.err
    assert f"voc: present and verified in {root / 'voc' / VOC_ROOT}" in result.out
    rows = {line.split()[0]: line for line in cli("download", "--list", "--root", root).out.splitlines()}
    assert rows["voc"].endswith("present (extracted)") and rows["coco"].endswith("missing")
    assert " 20,405 MB " in rows["coco"]  # 19,336,861,798 + 815,585,330 + 252,907,541 bytes
    assert "nothing to fetch" in rows["shapes"]


def bad_voc(tmp_path, **replaced: bytes):
    return write_voc(tmp_path / "VOC2012", **replaced)


def test_a_malformed_annotation_file_is_named_and_skip_bad_leaves_its_image_out(tmp_path):
    root = bad_voc(tmp_path, **{"Annotations/2008_000002.xml": b"<annotation><object><name>cat</name>"})
    with pytest.raises(RunFailed) as failed:
        read_voc(root, "detection", "train", False, "data.dataset")
    assert f"data.dataset: {root} has 1 problem:" in str(failed.value)
    assert "Annotations/2008_000002.xml is not well-formed XML (no element found: line 1" in str(failed.value)
    assert "set skip_bad: true" in str(failed.value)
    kept = read_voc(root, "detection", "train", True, "data.dataset")
    assert [s.image_id for s in kept.samples] == [2008000001]
    problem = "is not well-formed XML (no element found: line 1, column 36)"
    assert kept.skipped == (f"{root}: Annotations/2008_000002.xml {problem}; left out",)


ENTITIES = '<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
EXTERNAL = '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
CAT = voc_xml("2008_000002").decode()
UNSAFE_OR_WRONG = {
    "entity expansion": (ENTITIES + "<annotation>&b;</annotation>", "declares a document type"),
    "external entity": (EXTERNAL + "<annotation>&e;</annotation>", "declares a document type"),
    "undeclared entity": ("<annotation>&e;</annotation>", "is not well-formed XML (undefined entity"),
    "not VOC": ("<size><width>30</width></size>", "is not a VOC annotation: its root element is <size>"),
    "class": (CAT.replace(">cat<", ">kitten<"), "object 1: class 'kitten' is not one of VOC's 20"),
    "box": (
        CAT.replace("<xmax>20<", "<xmax>32<"),
        "object 1 (cat): bndbox 5, 5, 32, 20 is empty or reaches outside its 30x20 image",
    ),
    "number": (CAT.replace("<ymin>5<", "<ymin>five<"), "object 1: bndbox/ymin 'five' is not a number"),
}


@pytest.mark.parametrize("xml, problem", UNSAFE_OR_WRONG.values(), ids=UNSAFE_OR_WRONG)
def test_unsafe_or_wrong_annotation_files_are_refused_with_their_name(tmp_path, xml, problem):
    root = bad_voc(tmp_path, **{"Annotations/2008_000002.xml": xml.encode()})
    with pytest.raises(RunFailed) as failed:
        read_voc(root, "detection", "train", False, "data.dataset")
    assert f"Annotations/2008_000002.xml {problem}" in str(failed.value)


def test_bad_masks_and_missing_files_are_named(tmp_path):
    wrong = voc_mask("2008_000001")
    wrong[0, 0] = 30
    root = bad_voc(tmp_path, **{"SegmentationClass/2008_000001.png": palette_png(wrong)})
    (root / "SegmentationClass/2008_000003.png").unlink()
    with pytest.raises(RunFailed, match="SegmentationClass/2008_000001.png holds class index 30; VOC's are 0"):
        read_voc(root, "segmentation", "train", False, "data.dataset")
    with pytest.raises(RunFailed, match="SegmentationClass/2008_000003.png is missing"):
        read_voc(root, "segmentation", "val", False, "data.dataset")
    (root / "JPEGImages/2008_000002.jpg").unlink()
    with pytest.raises(RunFailed, match="JPEGImages/2008_000002.jpg is missing"):
        read_voc(root, "detection", "train", False, "data.dataset")
    (root / "ImageSets/Main/val.txt").write_text("2008_000003\n../../etc/passwd\n")
    with pytest.raises(RunFailed, match="lists '../../etc/passwd', not a VOC image name"):
        read_voc(root, "detection", "val", False, "data.dataset")


@pytest.mark.parametrize(
    "recipe, sizes",
    [("fasterrcnn_coco", (118_287, 5_000)), ("retinanet_voc", (5_717, 5_823)), ("deeplabv3_voc", (1_464, 1_449))],
)
def test_the_catalog_knows_the_real_split_sizes_of_each_task(tmp_path, recipe, sizes):
    numbers = program(tmp_path, recipe).numbers
    assert (numbers.train_size, numbers.val_size) == sizes
