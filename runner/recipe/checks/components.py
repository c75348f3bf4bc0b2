"""Rules on the named components: each exists on the recipe's backend and serves its task, and the
model fits the data."""

from runner.catalog import augmentations, datasets, optimizers, schedules
from runner.catalog.backbones import RESNET_FAMILY
from runner.catalog.backbones import lookup as lookup_backbone
from runner.recipe.checks.rule import check
from runner.recipe.facts import backbone_family, dataset_info


def _named(r) -> list:
    """(key path, registry entry) of every component the recipe names."""
    named = [
        (("model", "backbone"), lookup_backbone(r["model"]["backbone"])),
        (("data", "dataset"), datasets.get(r["data"]["dataset"])),
        (("optim", "name"), optimizers.get(r["optim"]["name"])),
        (("schedule", "name"), schedules.get(r["schedule"]["name"])),
    ]
    for stage in ("train", "eval"):
        named += [
            (("augment", stage, i, "name"), augmentations.get(step["name"]))
            for i, step in enumerate(r["augment"][stage])
        ]
    return named


@check
def components_on_backend(r):
    """Every named component must be implemented by the recipe's backend."""
    backend = r["backend"]
    for path, entry in _named(r):
        if backend not in entry.backends:
            name = _value(r, path)
            yield (
                path,
                f"{entry.kind} {name!r} is not available on the {backend} backend",
                f"choose another {entry.kind}, or backend: {entry.backends[0]}",
            )


@check
def components_for_task(r):
    """Every named component must serve the recipe's task."""
    task = r["task"]
    for path, entry in _named(r):
        if task not in entry.tasks:
            yield (
                path,
                f"{entry.kind} {_value(r, path)!r} does not serve task {task}",
                f"choose a {entry.kind} that serves {task}" + (f", or task: {entry.tasks[0]}" if entry.tasks else ""),
            )


def _value(recipe: dict, path):
    for part in path:
        recipe = recipe[part]
    return recipe


@check
def num_classes_matches_dataset(r):
    """An explicit model.num_classes must equal the dataset's number of classes."""
    given, known = r["model"]["num_classes"], dataset_info(r).num_classes
    if given != "auto" and known is not None and given != known:
        yield (
            ("model", "num_classes"),
            f"{given} disagrees with {r['data']['dataset']}'s {known} classes",
            "set num_classes: auto, or remove it",
        )


@check
def cifar_stem_needs_resnet(r):
    """`stem: cifar` rewrites a ResNet-style stem; other networks have no such stem."""
    family = backbone_family(r)
    if r["model"]["stem"] == "cifar" and family not in RESNET_FAMILY:
        yield (
            ("model", "stem"),
            f"cifar applies to ResNet-style backbones, not {r['model']['backbone']!r}",
            "use stem: standard, or a resnet/resnext/wide_resnet backbone",
        )


@check
def pretrained_weights_exist(r):
    """The built-in CNN has no published weights to start from."""
    if r["model"]["pretrained"] and backbone_family(r) == "simple_cnn":
        yield ("model", "pretrained"), "simple_cnn has no pretrained weights", "set pretrained: false"
