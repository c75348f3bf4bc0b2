"""Files that ship with runner: the recipe schema and the example recipes.

In a source checkout (and an editable install) they sit beside the package, in schemas/ and
recipes/; a regular install copies them into the package (see pyproject.toml's package-dir).
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # runner/


def folder(name: str) -> Path:
    """The shipped folder `name` ('recipes' or 'schemas'), wherever this install keeps it."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"runner's {name}/ folder is missing from this install ({_PACKAGE})")


def recipes() -> dict[str, Path]:
    """Shipped recipes by name: the path below recipes/ without '.yaml' (e.g. 'smoke/synthetic')."""
    root = folder("recipes")
    return {p.relative_to(root).with_suffix("").as_posix(): p for p in sorted(root.rglob("*.yaml"))}
