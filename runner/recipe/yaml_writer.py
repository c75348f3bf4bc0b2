"""Plain data -> block-style YAML that strictyaml reads back to the same recipe.

Used for `runner show` and a run's resolved.yaml. Empty lists and mappings are written as a bare
`key:` (strict YAML has no flow style), which the schema reads back as empty.
"""

import re

_PLAIN = re.compile(r"[A-Za-z0-9_./+-][A-Za-z0-9_./+()%,=-]*( [A-Za-z0-9_./+()%,=-]+)*")


def dump(data: dict, comments: dict | None = None) -> str:
    """YAML text for `data`; `comments` maps a top-level key to a comment line written above it."""
    lines: list[str] = []
    for key, value in data.items():
        if comments and key in comments:
            lines.append(f"# {comments[key]}")
        _write(key, value, 0, lines)
    return "\n".join(lines) + "\n"


def _write(key, value, indent: int, lines: list[str], first_prefix: str | None = None) -> None:
    pad = first_prefix if first_prefix is not None else " " * indent
    if isinstance(value, dict) and value:
        lines.append(f"{pad}{key}:")
        for k, v in value.items():
            _write(k, v, indent + 2, lines)
    elif isinstance(value, list) and value:
        lines.append(f"{pad}{key}:")
        for item in value:
            _item(item, indent + 2, lines)
    else:
        lines.append(f"{pad}{key}:" + ("" if value in ([], {}) else f" {scalar(value)}"))


def _item(item, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(item, dict) and item:
        for n, (k, v) in enumerate(item.items()):
            _write(k, v, indent + 2, lines, first_prefix=f"{pad}- " if n == 0 else None)
    else:
        lines.append(f"{pad}- {scalar(item)}")


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in ("null", "~"):
        return text
    return "'" + text.replace("'", "''") + "'"
