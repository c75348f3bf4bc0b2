"""Command-line overrides: `key.path=value` pairs applied to the parsed recipe before validation.

Values are YAML scalars, as in a recipe file, and the schema types them; a list is written in
brackets, `schedule.milestones=[30,60]`. Errors about an overridden value name the override.
"""

from runner.recipe.errors import RecipeError


def apply(data: dict, overrides: list[str], lines) -> list[RecipeError]:
    """Set each override into `data` (a parsed recipe), record it as the source of its path, and
    return the overrides that could not be applied."""
    errors = []
    for text in overrides:
        key, sep, value = text.partition("=")
        where = f"override {text}"
        path = tuple(int(p) if p.isdigit() else p for p in key.strip().split("."))
        if not sep or not key.strip() or any(p == "" for p in path):
            errors.append(RecipeError(where, "", "is not key.path=value", "e.g. train.epochs=5"))
            continue
        problem = _set(data, path, _scalar(value.strip()))
        if problem:
            errors.append(RecipeError(where, "", problem))
            continue
        for known in [p for p in lines.at if p[: len(path)] == path]:
            del lines.at[known]  # the file's lines no longer describe this value
        lines.at[path] = where
    return errors


def _scalar(value: str):
    if len(value) >= 2 and value[0] == "[" and value[-1] == "]":
        inner = value[1:-1].strip()
        return [_unquote(v.strip()) for v in inner.split(",")] if inner else []
    return _unquote(value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _set(data, path: tuple, value) -> str:
    node = data
    for depth, part in enumerate(path[:-1]):
        here = ".".join(map(str, path[: depth + 1]))
        if isinstance(node, dict):
            node = node.setdefault(part, {}) if not isinstance(part, int) else None
        elif isinstance(node, list) and isinstance(part, int):
            if part >= len(node):
                return f"{here}: the list has only {len(node)} items (numbered from 0)"
            node = node[part]
        else:
            node = None
        if node is None or not isinstance(node, (dict, list)):
            return f"{here} is not a section that has keys"
    last = path[-1]
    if isinstance(node, list):
        if not isinstance(last, int) or last >= len(node):
            return f"{'.'.join(map(str, path))}: the list has {len(node)} items (numbered from 0)"
        node[last] = value
    elif isinstance(last, int):
        return f"{'.'.join(map(str, path[:-1]))} is not a list"
    else:
        node[last] = value
    return ""
