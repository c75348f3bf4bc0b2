"""Rules on the augmentation pipelines: the order of steps, normalisation per channel, and crops
that fit the images they cut."""

from runner.catalog import augmentations
from runner.recipe.checks.rule import check
from runner.recipe.facts import dataset_info, shapes_through

# Steps that work on pixel values in [0, 1] and so must run before normalize shifts them.
PIXEL_STEPS = ("color_jitter", "grayscale", "auto_augment", "rand_augment", "trivial_augment")


@check
def batch_steps_last_in_training(r):
    """mixup and cutmix mix whole batches and labels: training only, after per-image steps."""
    for stage in ("train", "eval"):
        steps = r["augment"][stage]
        batch = [augmentations.get(s["name"]).info.get("batch", False) for s in steps]
        for i, is_batch in enumerate(batch):
            if is_batch and stage == "eval":
                yield (
                    ("augment", "eval", i, "name"),
                    f"{steps[i]['name']} mixes labels, so it cannot run at evaluation",
                    "move it to augment.train",
                )
            elif is_batch and not all(batch[i:]):
                yield (
                    ("augment", "train", i, "name"),
                    f"{steps[i]['name']} must come after every per-image step",
                    "move it to the end of augment.train",
                )


@check
def normalize_matches_channels(r):
    """normalize's mean and std give one value per image channel, or none to use the dataset's."""
    shape = dataset_info(r).shape
    for stage in ("train", "eval"):
        for i, step in enumerate(r["augment"][stage]):
            if step["name"] != "normalize":
                continue
            for key in ("mean", "std"):
                n = len(step[key])
                if n and len(step["mean"]) != len(step["std"]):
                    yield (
                        ("augment", stage, i, key),
                        "mean and std have different lengths",
                        "give one value per channel in each",
                    )
                elif n and shape and n != shape[0]:
                    yield (
                        ("augment", stage, i, key),
                        f"has {n} values for {shape[0]}-channel images",
                        f"give {shape[0]} values, or [] for the dataset's",
                    )


# Steps that work on pixel values in [0, 1] and so must run before normalize shifts them.
PIXEL_STEPS = ("color_jitter", "grayscale", "auto_augment", "rand_augment", "trivial_augment")


@check
def pixel_steps_before_normalize(r):
    """Colour changes and augmentation policies clamp to [0, 1], so they belong before normalize."""
    for stage in ("train", "eval"):
        names = [s["name"] for s in r["augment"][stage]]
        if "normalize" not in names:
            continue
        for i in range(names.index("normalize") + 1, len(names)):
            if names[i] in PIXEL_STEPS:
                yield (
                    ("augment", stage, i, "name"),
                    f"{names[i]} works on pixels in [0, 1], which normalize has already shifted",
                    "move it before normalize",
                )


@check
def images_fit_crops(r):
    """A crop must fit the image it cuts (after padding), and a classifier's images that vary in
    size (files) must reach one fixed size before they are batched. Detection and segmentation
    batches pad each image to the batch's largest instead, so theirs may keep their sizes."""
    info, fixed = dataset_info(r), r["task"] == "classification"
    for stage in ("train", "eval"):
        shape = None
        for i, step, (_, h, w), after in shapes_through(r, info, stage):
            shape = after
            pad = 2 * step.get("padding", 0)
            if step["name"] in ("center_crop", "random_crop") and h is not None and step["size"] > min(h, w) + pad:
                yield (
                    ("augment", stage, i, "size"),
                    f"{step['size']} is larger than the {h}x{w} images it crops",
                    f"use at most {min(h, w) + pad}, or resize first",
                )
        if fixed and info.shape is None and (shape is None or shape[1] is None):
            yield (
                ("augment", stage),
                f"{r['data']['dataset']} images vary in size, so each batch needs one fixed size",
                "end the pipeline with a crop, e.g. resize 256 then center_crop 224 (or random_resized_crop 224)",
            )
