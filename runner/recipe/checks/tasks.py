"""Rules the task sets: which model key names the network, which backends can run it, and the keys
that mean something for one task only. The components each task accepts (datasets,
augmentations, networks) are the registries' `tasks=`, judged in components.py."""

from runner.catalog.models import encoder_problem, models
from runner.catalog.tasks import TASKS
from runner.recipe.checks.rule import check

EXAMPLES = {"classification": "resnet18", "detection": "tiny_detector", "segmentation": "tiny_unet"}


@check
def network_named_for_task(r):
    """Classification names its network with model.backbone; detection and segmentation with
    model.arch, the backbone then being the arch's encoder."""
    task, model = TASKS[r["task"]], r["model"]
    example = EXAMPLES[task.name]
    if task.network_key == "backbone":
        if model["arch"]:
            yield (
                ("model", "arch"),
                f"task {task.name} takes its network from model.backbone; {model['arch']!r} is a "
                f"{'/'.join(_tasks_of(model['arch']))} network",
                f"remove arch and set backbone (e.g. backbone: {example}), or set task: {_tasks_of(model['arch'])[0]}",
            )
        elif not model["backbone"]:
            yield (
                ("model", "backbone"),
                "a classification recipe names its network",
                f"set backbone: {example}, or another that `runner ls backbones` lists",
            )
    elif not model["arch"]:
        yield (
            ("model", "arch"),
            f"a {task.name} recipe names its network with model.arch",
            f"set arch: {example}, or another that `runner ls models --task {task.name}` lists",
        )
    else:
        problem = encoder_problem(model["arch"], model["backbone"], r["backend"])
        if problem:
            yield (("model", "backbone"), *problem)


def _tasks_of(arch: str) -> tuple[str, ...]:
    return models.get(arch).tasks


@check
def task_runs_on_backend(r):
    """A task a backend cannot run is refused where the backend is chosen, with the reason."""
    task = TASKS[r["task"]]
    why = dict(task.refused).get(r["backend"])
    if why:
        other = next(b for b in ("lightning", "paddle") if b not in dict(task.refused))
        yield ("backend",), f"task {task.name} does not run on {r['backend']}: {why}", f"use backend: {other}"


@check
def classification_only_keys(r):
    """Label smoothing and the CIFAR stem shape a classifier; other tasks refuse them."""
    if r["task"] == "classification":
        return
    if r["train"]["label_smoothing"]:
        yield (
            ("train", "label_smoothing"),
            f"label smoothing softens one class per image; task {r['task']} has no such target",
            "remove label_smoothing",
        )
    if r["model"]["stem"] != "standard":
        yield ("model", "stem"), f"stem applies to classifiers, not to task {r['task']}", "remove stem"


@check
def normalize_ends_dense_pipelines(r):
    """Detection and segmentation move boxes and masks with each image before `normalize`, one
    image at a time; after it only the image is on the device, so nothing may follow it there."""
    if r["task"] == "classification":
        return
    for stage in ("train", "eval"):
        names = [step["name"] for step in r["augment"][stage]]
        if "normalize" in names and names.index("normalize") < len(names) - 1:
            after = names.index("normalize") + 1
            yield (
                ("augment", stage, after, "name"),
                f"{names[after]} follows normalize, where {r['task']}'s boxes and masks no longer follow the image",
                "move it before normalize",
            )


# Steps that cut part of the image away: a detection's eval boxes could no longer be mapped back
# to the image's own pixels, where the results file gives them (COCO's tools read them there).
CROPS = ("center_crop", "random_crop", "random_resized_crop")


@check
def detection_evaluates_whole_images(r):
    """Detection scores whole images: its eval steps may resize, not crop."""
    if r["task"] != "detection":
        return
    for i, step in enumerate(r["augment"]["eval"]):
        if step["name"] in CROPS:
            yield (
                ("augment", "eval", i, "name"),
                f"{step['name']} cuts part of each validation image away, so its detections could not be "
                "given in the image's own pixels",
                "use resize in augment.eval",
            )
