"""What `runner ls` prints: shipped recipes with their description, or a registry's names."""
from runner import load, shipped
from runner.catalog import REGISTRIES
from runner.catalog.backbones import TIMM, timm_names
from runner.errors import RecipeInvalid
from runner.registry import BACKENDS


def recipes_table() -> str:
    rows = []
    for name, path in shipped.recipes().items():
        try:
            data, _ = load.parse(path.read_text(), str(path))
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
