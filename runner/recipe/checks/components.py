"""Rules on the named components: each exists on the recipe's backend and serves its task, and the
model fits the data."""

from runner.catalog import augmentations, datasets, optimizers, schedules
from runner.catalog.backbones import RESNET_FAMILY
from runner.catalog.backbones import lookup as lookup_backbone
from runner.recipe.checks.rule import check
from runner.recipe.facts import backbone_family, builtin_network, dataset_info, network


def _named(r) -> list:
    """(key path, registry entry) of every component the recipe names."""
    model = r["model"]
    # The network: the arch where one is named, else the backbone (an arch's encoder is judged
    # against the arch in checks/tasks.py); neither, when the task's check reports it missing.
    if model["arch"]:
        named = [(("model", "arch"), network(r))]
    else:
        named = [(("model", "backbone"), lookup_backbone(model["backbone"]))] if model["backbone"] else []
    named += [
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
    """Every named component must serve the recipe's task (an arch under classification is
    reported by checks/tasks.py, which says where classification names its network)."""
    task = r["task"]
    for path, entry in _named(r):
        if task not in entry.tasks and not (path == ("model", "arch") and task == "classification"):
            yield (
                path,
                f"{entry.kind} {_value(r, path)!r} does not serve task {task}",
                f"choose one `runner ls {entry.kind}s --task {task}` lists"
                + (f", or task: {entry.tasks[0]}" if entry.tasks else ""),
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
    family, model = backbone_family(r), r["model"]
    if model["stem"] == "cifar" and family not in RESNET_FAMILY and (model["backbone"] or model["arch"]):
        yield (
            ("model", "stem"),
            f"cifar applies to ResNet-style backbones, not {model['arch'] or model['backbone']!r}",
            "use stem: standard, or a resnet/resnext/wide_resnet backbone",
        )


@check
def pretrained_weights_exist(r):
    """The built-in networks have no published weights to start from."""
    model = r["model"]
    if model["pretrained"] and (model["arch"] or model["backbone"]) and builtin_network(r):
        name = model["arch"] or model["backbone"]
        yield ("model", "pretrained"), f"{name} has no pretrained weights", "set pretrained: false"
