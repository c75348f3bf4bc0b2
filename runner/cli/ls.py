"""`runner ls [recipes|backbones|models|datasets|augmentations|optimizers|schedules|samplers|pruners] [--task T]
[--timm] [--encoders]`: the shipped recipes with their descriptions, or a registry's names with
their backends, tasks and parameters."""

from runner.catalog import REGISTRIES
from runner.catalog.backbones import TIMM, timm_names
from runner.catalog.models import FPN_RESNETS, PADDLE_ENCODERS, smp_encoders
from runner.catalog.registry import BACKENDS
from runner.catalog.tasks import TASKS
from runner.recipe import load, shipped
from runner.recipe.errors import RecipeInvalid

HELP = "List shipped recipes, or the names a registry offers on each backend."
EXAMPLE = (
    "runner ls            # shipped recipes\n  runner ls backbones  # or models, datasets, augmentations, optimizers, "
    "schedules,\n                       # samplers, pruners\n  runner ls models --task detection"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "what",
        nargs="?",
        default="recipes",
        choices=["recipes", *REGISTRIES],
    )
    parser.add_argument("--task", choices=list(TASKS), help="list only the names that serve this task")
    parser.add_argument("--timm", action="store_true", help="with backbones: list every timm/<name> as well")
    parser.add_argument(
        "--encoders", action="store_true", help="with models: list the encoders unet, fpn and the like take"
    )


def handle(args) -> int:
    if args.what == "recipes":
        print(recipes_table())
    else:
        print(registry_table(args.what, timm=args.timm, task=args.task, encoders=args.encoders))
    return 0


def recipes_table() -> str:
    rows = []
    for name, path in shipped.recipes().items():
        try:
            data, _ = load.parse(load.read(str(path)), str(path))
            description = data.get("description", "") if isinstance(data, dict) else ""
        except RecipeInvalid:
            description = "(does not parse; run `runner validate` on it)"
        rows.append((name, description))
    width = max((len(n) for n, _ in rows), default=0)
    lines = [f"{n:<{width}}  {d}" for n, d in rows]
    return "\n".join(lines + ["", "copy one to edit: runner cp NAME my.yaml"])


def registry_table(plural: str, timm: bool = False, task: str | None = None, encoders: bool = False) -> str:
    registry = REGISTRIES[plural]
    entries = list(registry) + ([TIMM] if plural == "backbones" else [])
    entries = [e for e in entries if task is None or task in e.tasks]
    if not entries:
        return f"no {plural} serve task {task}" + ("; classifiers are backbones" if plural == "models" else "")
    width = max(len(e.name) for e in entries)
    header = f"{'name':<{width}}  " + "  ".join(f"{b:<9}" for b in BACKENDS) + "  description"
    lines = [header]
    for entry in entries:
        marks = "  ".join(f"{'yes' if b in entry.backends else '-':<9}" for b in BACKENDS)
        only = f" [{', '.join(entry.tasks)}]" if task is None and set(entry.tasks) != set(TASKS) else ""
        lines.append(f"{entry.name:<{width}}  {marks}  {entry.doc}{only}")
        for pname, rule in entry.params.items():
            default = "required" if rule.get("required") else f"default {rule['default']!r}"
            lines.append(f"{'':<{width}}    {pname}: {rule['type']}, {default}; {rule['meta']['doc']}")
    if timm:
        lines += ["", *sorted(f"timm/{n}" for n in timm_names())]
    if encoders:
        lines += ["", "encoders (model.backbone) of unet, unetplusplus, fpn and deeplabv3plus, and any timm/<name>:"]
        lines += sorted(smp_encoders())
        lines += ["", *(f"on the paddle backend, {a}'s encoders: {', '.join(e)}" for a, e in PADDLE_ENCODERS.items())]
        lines += [
            "",
            f"backbones of fasterrcnn, retinanet and fcos (a feature pyramid over them): {', '.join(FPN_RESNETS)}",
        ]
    return "\n".join(lines)
