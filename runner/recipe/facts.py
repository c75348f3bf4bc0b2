"""What a normalized recipe implies before anything is read from disk: the dataset's facts for
its parameters, the image shape after each augmentation step, the backbone's family. Checks
and compile both read these; nothing here derives the training loop's numbers (numbers.py)."""

import dataclasses

from runner.catalog import datasets, schedules
from runner.catalog.backbones import lookup as lookup_backbone
from runner.catalog.datasets import DatasetInfo
from runner.catalog.models import models
from runner.catalog.registry import Entry

# Steps that make every image size x size; `resize` sets only the shorter side.
CROPS = ("center_crop", "random_crop", "random_resized_crop")
COLOUR_CHANNELS = 3  # files are decoded as RGB


def dataset_params(recipe: dict) -> dict:
    """The data section's parameters that belong to the dataset itself."""
    entry = datasets.get(recipe["data"]["dataset"])
    return {k: v for k, v in recipe["data"].items() if k in entry.params}


def dataset_info(recipe: dict) -> DatasetInfo:
    """The catalog's facts for the recipe's dataset, with the split sizes of the recipe's task."""
    info = datasets.get(recipe["data"]["dataset"]).function(**dataset_params(recipe))
    if recipe["task"] in info.task_sizes:
        train, test = info.task_sizes[recipe["task"]]
        return dataclasses.replace(info, train_size=train, test_size=test)
    return info


def schedule_params(recipe: dict) -> dict:
    entry = schedules.get(recipe["schedule"]["name"])
    return {k: v for k, v in recipe["schedule"].items() if k in entry.params}


def network(recipe: dict) -> Entry:
    """The registry entry of the whole network: model.arch's (detection, segmentation), or the
    backbone's (classification, where the backbone is the classifier)."""
    m = recipe["model"]
    return models.get(m["arch"]) if m["arch"] else lookup_backbone(m["backbone"])


def backbone_family(recipe: dict) -> str:
    """The classifier's family (resnet, timm, ...); '' for the networks named by model.arch."""
    model = recipe["model"]
    return "" if model["arch"] or not model["backbone"] else lookup_backbone(model["backbone"]).info["family"]


def builtin_network(recipe: dict) -> bool:
    """Whether the network is one of the runner's own, which no one published weights for."""
    return backbone_family(recipe) == "simple_cnn" or network(recipe).info.get("library") == "builtin"


def shapes_through(recipe: dict, info: DatasetInfo, stage: str):
    """(index, step, shape before, shape after) for each step of augment.<stage>; a shape is
    (channels, height, width), with height and width None while images vary in size."""
    shape = info.shape or (COLOUR_CHANNELS, None, None)
    for i, step in enumerate(recipe["augment"][stage]):
        before, (c, h, w) = shape, shape
        if step["name"] in CROPS:
            shape = (c, step["size"], step["size"])
        elif step["name"] == "resize" and h is not None:
            # as torchvision's Resize: the shorter side becomes size, the longer int(size * ratio)
            size, short = step["size"], min(h, w)
            shape = (c, size if h == short else int(size * h / short), size if w == short else int(size * w / short))
        yield i, step, before, shape


def input_shape(recipe: dict, info: DatasetInfo, stage: str = "train") -> tuple:
    """The (channels, height, width) the network receives from augment.<stage>."""
    shapes = [after for _, _, _, after in shapes_through(recipe, info, stage)]
    return shapes[-1] if shapes else info.shape or (COLOUR_CHANNELS, None, None)
