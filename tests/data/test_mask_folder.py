"""Mask folders: images/ and masks/ paired by name, palette and greyscale PNGs read as class
indices, and the message for each pair that cannot be used (or, with skip_bad, the rest kept)."""

import numpy as np
import pytest
from PIL import Image

from runner.data.coco_format import semantic_mask
from runner.data.mask_folder import scan_masks
from runner.recipe.errors import RunFailed

KEY = "data.train_dir"
CLASSES = np.array([[0, 1, 2, 255], [2, 2, 1, 0], [0, 0, 0, 0]], np.uint8)  # 4 wide, 3 high; 255 ignored


def palette_png(path, indices):
    """A palette PNG whose colours say nothing of the classes: index 1 is blue, 2 red."""
    mask = Image.fromarray(indices, "P")
    mask.putpalette([0, 0, 0, 0, 0, 255, 255, 0, 0] + [255, 255, 255] * 253)
    mask.save(path)


def write(root, names=("a", "b"), size=(4, 3), nested=False):
    for name in names:
        at = f"sub/{name}" if nested else name
        for folder in ("images", "masks"):
            (root / folder / at).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, (90, 90, 90)).save(root / "images" / f"{at}.jpg")
        palette_png(root / "masks" / f"{at}.png", CLASSES)
    return root


def test_palette_masks_are_class_indices_not_colours(tmp_path):
    read = scan_masks(write(tmp_path, nested=True), ignore_index=255, key=KEY, skip_bad=False)
    assert read.num_classes == 3 and read.skipped == ()
    first, second = read.samples
    assert first.file == str(tmp_path / "images" / "sub" / "a.jpg")
    assert first.mask_file == str(tmp_path / "masks" / "sub" / "a.png") and second.image_id == 1
    assert (first.height, first.width) == (3, 4) and first.boxes.shape == (0, 4)
    mask = semantic_mask(first, ignore_index=255)
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, CLASSES)


def test_greyscale_masks_and_a_class_index_above_the_ignore_index(tmp_path):
    write(tmp_path, names=("a",))
    indices = np.array([[0, 7, 5, 4]] * 3, np.uint8)
    Image.fromarray(indices, "L").save(tmp_path / "masks" / "a.png")
    read = scan_masks(tmp_path, ignore_index=5, key=KEY, skip_bad=False)
    assert read.num_classes == 8
    np.testing.assert_array_equal(semantic_mask(read.samples[0], 5), indices)


def test_a_mask_of_another_size_is_named_with_both_sizes(tmp_path):
    write(tmp_path)
    palette_png(tmp_path / "masks" / "b.png", np.zeros((5, 4), np.uint8))
    with pytest.raises(RunFailed) as failed:
        scan_masks(tmp_path, 255, KEY, skip_bad=False)
    assert str(failed.value).startswith(f"{KEY}: {tmp_path} has 1 problem:\n  ")
    image, mask = tmp_path / "images" / "b.jpg", tmp_path / "masks" / "b.png"
    assert f"mask {mask} is 4x5 pixels but its image {image} is 4x3" in str(failed.value)
    read = scan_masks(tmp_path, 255, KEY, skip_bad=True)
    assert [s.file for s in read.samples] == [str(tmp_path / "images" / "a.jpg")] and len(read.skipped) == 1


def test_colour_masks_are_refused_with_the_fix(tmp_path):
    write(tmp_path)
    Image.fromarray(np.zeros((3, 4, 3), np.uint8)).save(tmp_path / "masks" / "a.png")
    with pytest.raises(RunFailed) as failed:
        scan_masks(tmp_path, 255, KEY, skip_bad=False)
    assert f"mask {tmp_path / 'masks' / 'a.png'} holds colours (mode RGB); save each pixel's class index" in str(
        failed.value
    )


@pytest.mark.parametrize(
    "spoil, text",
    [
        (lambda root: (root / "masks" / "b.png").unlink(), "images/b.jpg has no mask {root}/masks/b.png"),
        (lambda root: (root / "masks" / "b.png").write_bytes(b"junk"), "cannot decode mask {root}/masks/b.png"),
        (lambda root: (root / "images" / "b.jpg").write_bytes(b"junk"), "cannot read image {root}/images/b.jpg"),
        (
            lambda root: Image.new("RGB", (4, 3)).save(root / "images" / "b.png"),
            "{root}/images/b.jpg and {root}/images/b.png share the name 'b'",
        ),
    ],
)
def test_unusable_pairs_are_named_and_skip_bad_keeps_the_rest(tmp_path, spoil, text):
    spoil(write(tmp_path))
    with pytest.raises(RunFailed) as failed:
        scan_masks(tmp_path, 255, KEY, skip_bad=False)
    assert text.format(root=tmp_path) in str(failed.value)
    read = scan_masks(tmp_path, 255, KEY, skip_bad=True)
    assert [s.file for s in read.samples] == [str(tmp_path / "images" / "a.jpg")]
    assert len(read.skipped) == 1 and text.format(root=tmp_path) in read.skipped[0]


def test_masks_of_0_and_255_are_explained(tmp_path):
    write(tmp_path, names=("a",))
    Image.fromarray(np.array([[0, 255, 255, 0]] * 3, np.uint8), "L").save(tmp_path / "masks" / "a.png")
    with pytest.raises(RunFailed, match="hold only class 0 .* saved as 0 and 255 should hold 0 and 1"):
        scan_masks(tmp_path, 255, KEY, skip_bad=False)


def test_a_root_without_the_two_folders_is_explained(tmp_path):
    (tmp_path / "images").mkdir()
    with pytest.raises(RunFailed, match="masks is not a folder; .* should hold images/ and masks/"):
        scan_masks(tmp_path, 255, KEY, skip_bad=False)
    (tmp_path / "masks").mkdir()
    with pytest.raises(RunFailed, match="images holds no images"):
        scan_masks(tmp_path, 255, KEY, skip_bad=False)
    write(tmp_path, names=("a",))
    (tmp_path / "masks" / "a.png").unlink()
    with pytest.raises(RunFailed, match="has no usable image and mask pairs after leaving out 1 bad item;"):
        scan_masks(tmp_path, 255, KEY, skip_bad=True)
