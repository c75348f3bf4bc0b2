"""`runner ls [recipes|backbones|datasets|augmentations|optimizers|schedules] [--timm]`: the shipped
recipes with their descriptions, or a registry's names with their backends and parameters."""

from runner.catalog import REGISTRIES
from runner.catalog.backbones import TIMM, timm_names
from runner.catalog.registry import BACKENDS
from runner.recipe import load, shipped
from runner.recipe.errors import RecipeInvalid

HELP = "List shipped recipes, or the names a registry offers on each backend."
EXAMPLE = (
    "runner ls            # shipped recipes\n  runner ls backbones  # or datasets, augmentations, optimizers, schedules"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "what",
        nargs="?",
        default="recipes",
        choices=["recipes", "backbones", "datasets", "augmentations", "optimizers", "schedules"],
    )
    parser.add_argument("--timm", action="store_true", help="with backbones: list every timm/<name> as well")


def handle(args) -> int:
    print(recipes_table() if args.what == "recipes" else registry_table(args.what, timm=args.timm))
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


def registry_table(plural: str, timm: bool = False) -> str:
    registry = REGISTRIES[plural]
    entries = list(registry) + ([TIMM] if plural == "backbones" else [])
    width = max(len(e.name) for e in entries)
    header = f"{'name':<{width}}  " + "  ".join(f"{b:<9}" for b in BACKENDS) + "  description"
    lines = [header]
    for entry in entries:
        marks = "  ".join(f"{'yes' if b in entry.backends else '-':<9}" for b in BACKENDS)
        lines.append(f"{entry.name:<{width}}  {marks}  {entry.doc}")
        for pname, rule in entry.params.items():
            default = "required" if rule.get("required") else f"default {rule['default']!r}"
            lines.append(f"{'':<{width}}    {pname}: {rule['type']}, {default}; {rule['meta']['doc']}")
    if timm:
        lines += ["", *sorted(f"timm/{n}" for n in timm_names())]
    return "\n".join(lines)
