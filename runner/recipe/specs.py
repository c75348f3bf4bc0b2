"""The typed parts of a compiled Program, one per thing a backend acts on, each read from the
normalized recipe here and only here: the recipe's shape lives in this module, and backends read
these fields instead of subscripting the recipe."""

from dataclasses import dataclass

from runner.catalog.backbones import lookup as lookup_backbone
from runner.catalog.datasets import DatasetInfo
from runner.catalog.models import models
from runner.catalog.tasks import TASKS
from runner.recipe.facts import COLOUR_CHANNELS, dataset_info, dataset_params, schedule_params


@dataclass(frozen=True)
class Step:
    """One augmentation step: its registered name and its parameters by name."""

    name: str
    params: dict


@dataclass(frozen=True)
class DataSpec:
    dataset: str
    params: dict  # the dataset's own parameters (synthetic's sizes, folder's train_dir, ...)
    info: DatasetInfo  # what the catalog knows of it for these parameters
    root: str
    download: bool
    mirror: str  # as the recipe gives it; '' leaves the choice to $RUNNER_DATASET_MIRROR
    batch_size: int  # images per optimizer step across every process
    num_workers: int
    val_fraction: float
    seed: int  # the recipe's seed, which splits and orders the data


@dataclass(frozen=True)
class ModelSpec:
    backbone: str  # classification: the classifier; detection, segmentation: the arch's encoder ('' none)
    library: str  # where the backend finds it: builtin, torchvision, timm, smp or paddle.vision
    family: str
    num_classes: int | None  # None until a folder dataset's classes are counted
    num_classes_auto: bool  # taken from the data (model.num_classes: auto), not the recipe
    in_channels: int
    pretrained: bool
    stem: str
    arch: str = ""  # the detection or segmentation network; '' for classification


@dataclass(frozen=True)
class AugmentSpec:
    train: tuple[Step, ...]
    eval: tuple[Step, ...]

    def stage(self, name: str) -> tuple[Step, ...]:
        return {"train": self.train, "eval": self.eval}[name]


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    params: dict  # every parameter of the optimizer, lr and weight_decay among them, in the recipe's order
    decay_norm_and_bias: bool

    @property
    def lr(self) -> float:
        """The peak learning rate, which the schedule scales."""
        return self.params["lr"]

    @property
    def weight_decay(self) -> float:
        return self.params["weight_decay"]

    @property
    def settings(self) -> dict:
        """The optimizer's own parameters beyond lr and weight_decay (momentum, betas, eps, ...)."""
        return {k: v for k, v in self.params.items() if k not in ("lr", "weight_decay")}


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    params: dict
    warmup_epochs: float
    warmup_steps: int


@dataclass(frozen=True)
class LoopSpec:
    epochs: int
    label_smoothing: float
    grad_clip: float  # 0: off
    accumulate: int
    val_every: int
    monitor: str
    mode: str
    stop_on_nonfinite: bool


@dataclass(frozen=True)
class HardwareSpec:
    accelerator: str
    devices: int | str  # a count, or "auto"
    num_nodes: int
    strategy: str
    precision: str
    deterministic: bool
    compile: bool
    channels_last: bool


@dataclass(frozen=True)
class MlflowSpec:
    enabled: bool
    tracking_uri: str  # as the recipe gives it: MLflow reads a relative path from the working folder
    experiment: str  # the recipe's name where the recipe leaves it empty


@dataclass(frozen=True)
class WandbSpec:
    enabled: bool
    project: str
    mode: str  # offline, online or disabled


@dataclass(frozen=True)
class LogSpec:
    dir: str
    tensorboard: bool
    every_n_steps: int
    report: bool  # write report/index.html when the run ends
    mlflow: MlflowSpec
    wandb: WandbSpec


# Where each backend finds a backbone of each family that is not its own built-in network.
LIBRARIES = {"lightning": "torchvision", "paddle": "paddle.vision"}


def data_spec(r: dict) -> DataSpec:
    d = r["data"]
    return DataSpec(
        d["dataset"],
        dataset_params(r),
        dataset_info(r),
        d["root"],
        d["download"],
        d["mirror"],
        d["batch_size"],
        d["num_workers"],
        d["val_fraction"],
        r["seed"],
    )


def model_spec(r: dict) -> ModelSpec:
    m, info = r["model"], dataset_info(r)
    auto = m["num_classes"] == "auto"
    channels = info.shape[0] if info.shape else COLOUR_CHANNELS
    num_classes = info.num_classes if auto else m["num_classes"]
    if m["arch"]:
        entry = models.get(m["arch"])
        library = entry.info["library"]
        backbone = m["backbone"] or entry.info.get("encoder", "")  # the arch's default encoder, if it takes one
        spec = (backbone, library, m["arch"], num_classes, auto, channels, m["pretrained"], m["stem"], m["arch"])
        return ModelSpec(*spec)
    family = lookup_backbone(m["backbone"]).info["family"]
    library = {"simple_cnn": "builtin", "timm": "timm"}.get(family, LIBRARIES[r["backend"]])
    return ModelSpec(m["backbone"], library, family, num_classes, auto, channels, m["pretrained"], m["stem"])


def augment_spec(r: dict) -> AugmentSpec:
    def steps(stage):
        return tuple(Step(s["name"], {k: v for k, v in s.items() if k != "name"}) for s in r["augment"][stage])

    return AugmentSpec(steps("train"), steps("eval"))


def optimizer_spec(r: dict) -> OptimizerSpec:
    o = r["optim"]
    params = {k: v for k, v in o.items() if k not in ("name", "decay_norm_and_bias")}
    return OptimizerSpec(o["name"], params, o["decay_norm_and_bias"])


def schedule_spec(r: dict) -> ScheduleSpec:
    s = r["schedule"]
    return ScheduleSpec(s["name"], schedule_params(r), s["warmup_epochs"], s["warmup_steps"])


def loop_spec(r: dict) -> LoopSpec:
    t = r["train"]
    monitor, mode = TASKS[r["task"]].ranking(t["checkpoint"]["monitor"], t["checkpoint"]["mode"])
    return LoopSpec(
        t["epochs"],
        t["label_smoothing"],
        t["grad_clip"],
        t["accumulate"],
        t["val_every"],
        monitor,
        mode,
        t["stop_on_nonfinite"],
    )


def hardware_spec(r: dict) -> HardwareSpec:
    return HardwareSpec(**r["hardware"])


def log_spec(r: dict) -> LogSpec:
    g, m = r["log"], r["log"]["mlflow"]
    mlflow = MlflowSpec(m["enabled"], m["tracking_uri"], m["experiment"] or r["name"])
    return LogSpec(g["dir"], g["tensorboard"], g["every_n_steps"], g["report"], mlflow, WandbSpec(**g["wandb"]))
