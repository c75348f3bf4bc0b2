"""cerberus errors -> recipe errors in plain words, each with the fix."""

import re

from runner.recipe.errors import RecipeError, dotted, suggest

TYPE_WORDS = {
    "integer": "a whole number",
    "float": "a number",
    "boolean": "true or false",
    "string": "text",
    "dict": "a mapping (one 'key: value' per line)",
    "list": "a list (one '- item' per line)",
    "auto_integer": "a whole number or auto",
}


def leaves(errors):
    """The innermost cerberus errors: the ones that say what is wrong with one value."""
    for error in errors:
        if error.is_group_error:
            yield from leaves(error.child_errors)
        else:
            yield error


def translate(error, lines, prefix: tuple, rules_at) -> RecipeError | None:
    """One cerberus leaf error as a RecipeError; `rules_at(path)` gives the dialect rule there."""
    path = prefix + tuple(error.document_path)
    where = lines.where(path)
    key = dotted(path)
    value = error.value
    if error.code == 0x03:  # unknown field
        siblings = rules_at(path[:-1]).get("keys", {})
        return RecipeError(where, key, "unknown key", suggest(path[-1], siblings))
    rule = error.rule
    if rule == "coerce":
        return None  # the type rule reports the same value
    if rule == "required":
        doc = _doc(rules_at(path))
        return RecipeError(where, key, "is missing", f"add it ({doc})" if doc else "add it")
    if rule in ("type", "auto_or_integer"):
        wanted = TYPE_WORDS.get(error.constraint, TYPE_WORDS["auto_integer"])
        fix = "write true or false" if error.constraint == "boolean" else ""
        return RecipeError(where, key, f"{_show(value)} is not {wanted}", fix)
    if rule == "allowed":
        return RecipeError(where, key, f"{_show(value)} is not allowed", suggest(value, error.constraint))
    if rule == "min":
        return RecipeError(
            where,
            key,
            f"{_show(value)} is below the minimum {error.constraint}",
            f"use a value of at least {error.constraint}",
        )
    if rule == "max":
        return RecipeError(
            where,
            key,
            f"{_show(value)} is above the maximum {error.constraint}",
            f"use a value of at most {error.constraint}",
        )
    if rule in ("minlength", "maxlength"):
        return RecipeError(where, key, f"has {len(value)} values", f"give exactly {error.constraint}")
    if rule == "regex":
        rule = rules_at(path)
        problem = f"{_show(value)} is not a valid {path[-1]}: a {path[-1]} is {rule['regex_words']}"
        return RecipeError(where, key, problem, _rename(value, rule["regex"]))
    return RecipeError(where, key, f"{_show(value)} is invalid ({rule})")


def _rename(value, regex: str) -> str:
    """The fix for a value its regex refuses: the value with the characters outside the usual set
    (letters, digits, _ . -) replaced, when that passes."""
    candidate = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(value)).lstrip("_.-")[:100]
    return f"rename it, e.g. {candidate!r}" if re.fullmatch(regex, candidate) else "rename it"


def _doc(rule: dict) -> str:
    return rule.get("doc") or rule.get("meta", {}).get("doc", "")


def _show(value) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
