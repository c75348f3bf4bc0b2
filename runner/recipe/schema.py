"""The recipe schema: schemas/recipe.yaml read into typed rules, and the cerberus validator.

The schema file is itself strict YAML, so every value in it is text; each rule's `default`,
`allowed`, `min` and `max` are converted here using the rule's own `type`.
"""

import functools
import math
import re

import cerberus
from strictyaml.ruamel import YAML

from runner.recipe import shipped

SCHEMA_FILE = "recipe.yaml"
RULE_KEYS = {
    "type",
    "required",
    "default",
    "allowed",
    "min",
    "max",
    "regex",
    "regex_words",  # the regex in words, for its error message
    "doc",
    "keys",
    "items",
    "component",
    "name_key",
    "registry",
    "optional",  # a section that stays absent unless the recipe writes it (sweep)
}
_INTEGER = re.compile(r"[-+]?[0-9][0-9_]*")
_FLOAT = re.compile(r"[-+]?([0-9][0-9_]*\.?[0-9_]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def to_integer(value):
    """'42' -> 42; anything else is returned unchanged for the type rule to report."""
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip().replace("_", ""))
    return value


def to_float(value):
    if isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
        number = float(value.strip().replace("_", ""))
        return number if math.isfinite(number) else value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def to_boolean(value):
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def to_auto_integer(value):
    return "auto" if isinstance(value, str) and value.strip() == "auto" else to_integer(value)


def to_list(value):
    """An empty value (`key:` with nothing after it) is the empty list."""
    return [] if value == "" else value


def to_dict(value):
    return {} if value == "" else value


COERCE = {
    "integer": to_integer,
    "float": to_float,
    "boolean": to_boolean,
    "auto_integer": to_auto_integer,
    "list": to_list,
    "dict": to_dict,
}


class RecipeValidator(cerberus.Validator):
    """cerberus with the recipe's scalar types read from text, and `auto_integer` (a number or auto)."""

    types_mapping = cerberus.Validator.types_mapping.copy()
    types_mapping["integer"] = cerberus.TypeDefinition("integer", (int,), (bool,))
    types_mapping["float"] = cerberus.TypeDefinition("float", (float,), ())

    types_mapping["auto_integer"] = cerberus.TypeDefinition("auto_integer", (int, str), (bool,))

    def _validate_auto_or_integer(self, constraint, field, value):
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str) and value != "auto":
            self._error(field, "must be a whole number or auto")

    def _validate_min(self, min_value, field, value):
        """{'nullable': False}"""
        if value != "auto":
            super()._validate_min(min_value, field, value)

    def _normalize_coerce_integer(self, value):
        return to_integer(value)

    def _normalize_coerce_float(self, value):
        return to_float(value)

    def _normalize_coerce_boolean(self, value):
        return to_boolean(value)

    def _normalize_coerce_auto_integer(self, value):
        return to_auto_integer(value)

    def _normalize_coerce_list(self, value):
        return to_list(value)

    def _normalize_coerce_dict(self, value):
        return to_dict(value)


@functools.cache
def recipe_rules() -> dict:
    """schemas/recipe.yaml as typed rules in the schema's own dialect (with doc, keys, items)."""
    path = shipped.folder("schemas") / SCHEMA_FILE
    # runner's own file, read with the base loader of the YAML parser strictyaml vendors: every
    # scalar text, as strictyaml would give it, without strictyaml's second, validating pass
    # (half of `runner validate`'s time went there).
    raw = YAML(typ="base").load(path.read_text())
    return {key: _typed(key, rule) for key, rule in raw.items()}


def _typed(name: str, rule: dict) -> dict:
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise ValueError(f"schema rule {name!r} has unknown keys {sorted(unknown)}")
    if "regex" in rule and "regex_words" not in rule:
        raise ValueError(f"schema rule {name!r} has a regex without regex_words to explain it")
    typed = dict(rule)
    convert = COERCE.get(rule["type"], lambda v: v)
    typed["required"] = to_boolean(rule.get("required", "false"))
    for key in ("default", "min", "max"):
        if key in rule:
            typed[key] = convert(rule[key])
    if "allowed" in rule:
        typed["allowed"] = [convert(v) for v in rule["allowed"]]
    typed.pop("optional", None)
    optional = to_boolean(rule.get("optional", "false"))
    if rule["type"] == "dict" and "default" not in rule and not typed["required"] and not optional:
        typed["default"] = {}
    if rule["type"] == "list" and "default" not in rule and not typed["required"]:
        typed["default"] = []
    if "keys" in rule:
        typed["keys"] = {k: _typed(f"{name}.{k}", r) for k, r in rule["keys"].items()}
    if "items" in rule:
        typed["items"] = _typed(f"{name}[]", rule["items"])
    return typed


def to_cerberus(rules: dict) -> dict:
    """Typed dialect rules for a mapping's keys -> a cerberus schema."""
    return {key: _cerberus_rule(rule) for key, rule in rules.items()}


def _cerberus_rule(rule: dict) -> dict:
    out = {"type": rule["type"], "required": rule.get("required", False)}
    if rule["type"] in COERCE:
        out["coerce"] = rule["type"]
    if rule["type"] == "auto_integer":
        out["auto_or_integer"] = True
    for key in ("default", "allowed", "min", "max", "regex", "minlength", "maxlength"):
        if key in rule:
            out[key] = rule[key]
    if "keys" in rule:
        out["schema"] = to_cerberus(rule["keys"])
        out["allow_unknown"] = "component" in rule
    if "items" in rule:
        out["schema"] = _cerberus_rule(rule["items"])
    if "schema" in rule:  # a registry parameter's list rule
        out["schema"] = _cerberus_rule(rule["schema"])
    return out
