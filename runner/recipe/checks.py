"""Stage 3: rules that span several keys. Each is a small named function that yields
(key path, problem, fix) for every way the normalized recipe breaks it."""
from runner.catalog import augmentations, datasets, optimizers, schedules
from runner.catalog.backbones import RESNET_FAMILY, lookup as lookup_backbone
from runner.recipe.urls import ARCHIVE_URL, MIRROR_URL, SHA256
from runner.recipe.errors import RecipeError, RecipeInvalid, dotted, in_file_order
from runner.recipe.facts import backbone_family, dataset_info, shapes_through
from runner.recipe.numbers import known_before_files

CHECKS = []

# Precisions each backend can run on each accelerator; `auto` is resolved when the run starts.
PRECISIONS = {
    ("lightning", "cpu"): {"64", "32", "bf16-mixed", "bf16-true"},
    ("lightning", "gpu"): {"64", "32", "16-mixed", "bf16-mixed", "16-true", "bf16-true"},
    ("lightning", "mps"): {"32", "16-mixed", "bf16-mixed"},
    ("lightning", "tpu"): {"32", "bf16-mixed", "bf16-true"},
    ("paddle", "cpu"): {"32"},
    ("paddle", "gpu"): {"32", "16-mixed", "bf16-mixed"},
}
STRATEGIES = {"lightning": {"auto", "ddp", "fsdp", "deepspeed"}, "paddle": {"auto", "ddp"}}
DISTRIBUTED = {"ddp", "fsdp", "deepspeed"}


def check(function):
    CHECKS.append(function)
    return function


@check
def accelerator_on_backend(r):
    """The backend must be able to drive the chosen accelerator."""
    hw, backend = r["hardware"], r["backend"]
    known = {a for b, a in PRECISIONS if b == backend}
    if hw["accelerator"] != "auto" and hw["accelerator"] not in known:
        yield ("hardware", "accelerator"), f"{hw['accelerator']!r} is not available on the {backend} backend", \
            "use one of: auto, " + ", ".join(sorted(known))


@check
def precision_on_accelerator(r):
    """The precision must be one the accelerator computes in (no fp16 on CPUs, for example)."""
    hw, backend = r["hardware"], r["backend"]
    allowed = PRECISIONS.get((backend, hw["accelerator"]))
    if hw["accelerator"] == "auto":
        allowed = set().union(*(p for (b, _), p in PRECISIONS.items() if b == backend))
    if allowed is not None and hw["precision"] not in allowed:
        where = "" if hw["accelerator"] == "auto" else f" on {hw['accelerator']}"
        yield ("hardware", "precision"), f"{hw['precision']!r} is not supported by {backend}{where}", \
            "use one of: " + ", ".join(sorted(allowed))


@check
def strategy_on_backend(r):
    """The distributed strategy must exist on the backend."""
    strategy, backend = r["hardware"]["strategy"], r["backend"]
    if strategy not in STRATEGIES[backend]:
        yield ("hardware", "strategy"), f"{strategy!r} is not available on the {backend} backend", \
            "use one of: " + ", ".join(sorted(STRATEGIES[backend]))


@check
def distributed_needs_several_devices(r):
    """A distributed strategy with one device on one node is a mistake, not a speed-up."""
    hw = r["hardware"]
    if hw["strategy"] in DISTRIBUTED and hw["devices"] == 1 and hw["num_nodes"] == 1:
        yield ("hardware", "strategy"), f"{hw['strategy']!r} needs more than one device", \
            "set hardware.devices above 1, or strategy: auto"


@check
def batch_divisible_by_devices(r):
    """data.batch_size is split evenly across every device of every node."""
    hw, batch = r["hardware"], r["data"]["batch_size"]
    if hw["devices"] != "auto":
        world = hw["devices"] * hw["num_nodes"]
        if batch % world:
            yield ("data", "batch_size"), f"{batch} is not divisible by {world} devices", \
                f"use a multiple of {world}, such as {max(world, batch // world * world)}"


@check
def components_on_backend(r):
    """Every named component must be implemented by the recipe's backend."""
    backend = r["backend"]
    named = [(("model", "backbone"), lookup_backbone(r["model"]["backbone"])),
             (("data", "dataset"), datasets.get(r["data"]["dataset"])),
             (("optim", "name"), optimizers.get(r["optim"]["name"])),
             (("schedule", "name"), schedules.get(r["schedule"]["name"]))]
    for stage in ("train", "eval"):
        named += [(("augment", stage, i, "name"), augmentations.get(step["name"]))
                  for i, step in enumerate(r["augment"][stage])]
    for path, entry in named:
        if backend not in entry.backends:
            name = _value(r, path)
            yield path, f"{entry.kind} {name!r} is not available on the {backend} backend", \
                f"choose another {entry.kind}, or backend: {entry.backends[0]}"


def _value(recipe: dict, path):
    for part in path:
        recipe = recipe[part]
    return recipe


@check
def num_classes_matches_dataset(r):
    """An explicit model.num_classes must equal the dataset's number of classes."""
    given, known = r["model"]["num_classes"], dataset_info(r).num_classes
    if given != "auto" and known is not None and given != known:
        yield ("model", "num_classes"), f"{given} disagrees with {r['data']['dataset']}'s {known} classes", \
            "set num_classes: auto, or remove it"


@check
def cifar_stem_needs_resnet(r):
    """`stem: cifar` rewrites a ResNet-style stem; other networks have no such stem."""
    family = backbone_family(r)
    if r["model"]["stem"] == "cifar" and family not in RESNET_FAMILY:
        yield ("model", "stem"), f"cifar applies to ResNet-style backbones, not {r['model']['backbone']!r}", \
            "use stem: standard, or a resnet/resnext/wide_resnet backbone"


@check
def pretrained_weights_exist(r):
    """The built-in CNN has no published weights to start from."""
    if r["model"]["pretrained"] and backbone_family(r) == "simple_cnn":
        yield ("model", "pretrained"), "simple_cnn has no pretrained weights", "set pretrained: false"


@check
def one_warmup_length(r):
    """Warm-up is given in epochs or in steps, not both."""
    s = r["schedule"]
    if s["warmup_epochs"] and s["warmup_steps"]:
        yield ("schedule", "warmup_steps"), "warmup_epochs and warmup_steps are both set", "keep one of them"


@check
def mirror_is_a_url(r):
    """A mirror stands in for the official hosts: an http(s) base URL."""
    mirror = r["data"]["mirror"]
    if mirror and not MIRROR_URL.fullmatch(mirror):
        yield ("data", "mirror"), f"{mirror!r} is not an http:// or https:// base URL", \
            "give the mirror's address, e.g. https://mirror.example.org/datasets/"


@check
def archive_is_pinned(r):
    """A folder archive is fetched over http(s) and kept only if it matches the SHA-256 given."""
    data = r["data"]
    if data["dataset"] != "folder":
        return
    url, sha256 = data["url"], data["sha256"]
    if url and not ARCHIVE_URL.fullmatch(url):
        yield ("data", "url"), f"{url!r} is not an http:// or https:// URL", \
            "give the archive's full address, e.g. https://example.org/photos.tar.gz"
    if url and not sha256:
        yield ("data", "url"), "an archive is fetched only with its sha256", \
            "add sha256: <64 hex digits> beside url (`sha256sum FILE` prints it)"
    if sha256 and not SHA256.fullmatch(sha256):
        yield ("data", "sha256"), f"{sha256!r} is not a SHA-256 (64 hex digits)", \
            "copy the first word `sha256sum FILE` prints"
    if sha256 and not url:
        yield ("data", "sha256"), "is used only with url", "add the archive's url, or remove sha256"


@check
def validation_split_exists(r):
    """A dataset without a test split needs part of the training set held out."""
    info = dataset_info(r)
    if not info.has_test_split and r["data"]["val_fraction"] == 0:
        yield ("data", "val_fraction"), f"{r['data']['dataset']} has no test split to validate on", \
            "hold out part of the training set, e.g. val_fraction: 0.2"


@check
def batch_steps_last_in_training(r):
    """mixup and cutmix mix whole batches and labels: training only, after per-image steps."""
    for stage in ("train", "eval"):
        steps = r["augment"][stage]
        batch = [augmentations.get(s["name"]).info.get("batch", False) for s in steps]
        for i, is_batch in enumerate(batch):
            if is_batch and stage == "eval":
                yield ("augment", "eval", i, "name"), f"{steps[i]['name']} mixes labels, so it cannot run at evaluation", \
                    "move it to augment.train"
            elif is_batch and not all(batch[i:]):
                yield ("augment", "train", i, "name"), f"{steps[i]['name']} must come after every per-image step", \
                    "move it to the end of augment.train"


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
                    yield ("augment", stage, i, key), "mean and std have different lengths", "give one value per channel in each"
                elif n and shape and n != shape[0]:
                    yield ("augment", stage, i, key), f"has {n} values for {shape[0]}-channel images", \
                        f"give {shape[0]} values, or [] for the dataset's"


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
                yield ("augment", stage, i, "name"), f"{names[i]} works on pixels in [0, 1], which normalize has already shifted", \
                    "move it before normalize"


@check
def images_fit_crops(r):
    """A crop must fit the image it cuts (after padding), and images that vary in size (files)
    must reach one fixed size before they are batched."""
    info = dataset_info(r)
    for stage in ("train", "eval"):
        shape = None
        for i, step, (_, h, w), shape in shapes_through(r, info, stage):
            pad = 2 * step.get("padding", 0)
            if step["name"] in ("center_crop", "random_crop") and h is not None and step["size"] > min(h, w) + pad:
                yield ("augment", stage, i, "size"), f"{step['size']} is larger than the {h}x{w} images it crops", \
                    f"use at most {min(h, w) + pad}, or resize first"
        if info.shape is None and (shape is None or shape[1] is None):
            yield ("augment", stage), f"{r['data']['dataset']} images vary in size, so each batch needs one fixed size", \
                "end the pipeline with a crop, e.g. resize 256 then center_crop 224 (or random_resized_crop 224)"


@check
def monitor_direction(r):
    """Losses improve downwards and accuracy upwards."""
    ckpt = r["train"]["checkpoint"]
    better = "min" if ckpt["monitor"].endswith("loss") else "max"
    if ckpt["mode"] != better:
        yield ("train", "checkpoint", "mode"), f"{ckpt['monitor']} is better when {'lower' if better == 'min' else 'higher'}", \
            f"set mode: {better}"


@check
def training_has_full_batches(r):
    """At least one full batch per epoch, and a warm-up shorter than training."""
    numbers = known_before_files(r)
    if numbers is None:
        return
    if numbers.train_size < r["data"]["batch_size"]:
        yield ("data", "batch_size"), f"{r['data']['batch_size']} is larger than the {numbers.train_size} training images", \
            f"use at most {numbers.train_size}"
    elif numbers.warmup_steps >= numbers.total_steps:
        key = "warmup_steps" if r["schedule"]["warmup_steps"] else "warmup_epochs"
        yield ("schedule", key), f"warm-up of {numbers.warmup_steps} steps is not shorter than the {numbers.total_steps} training steps", \
            "shorten the warm-up or train longer"


def run_checks(recipe: dict, lines) -> None:
    """Raise RecipeInvalid listing every rule the recipe breaks."""
    errors = [RecipeError(lines.where(path), dotted(path), problem, fix)
              for rule in CHECKS for path, problem, fix in rule(recipe)]
    if errors:
        raise RecipeInvalid(in_file_order(errors))
