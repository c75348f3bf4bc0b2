"""`runner schema --json`: the recipe format as JSON Schema (draft 2020-12), for editors.

With the YAML language server, a recipe whose first line is
`# yaml-language-server: $schema=recipe.schema.json` gets completion, docs on hover and checks.
"""

from runner.catalog import REGISTRIES
from runner.recipe.schema import recipe_rules

_TYPES = {
    "integer": "integer",
    "float": "number",
    "boolean": "boolean",
    "string": "string",
    "dict": "object",
    "list": "array",
}


def recipe_json_schema() -> dict:
    root = _object(recipe_rules(), None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "runner recipe", **root}


def _object(keys: dict, component: tuple | None) -> dict:
    out = {
        "type": "object",
        "properties": {k: _rule(r) for k, r in keys.items()},
        "required": [k for k, r in keys.items() if r.get("required")],
    }
    if component is None:
        out["additionalProperties"] = False
        return out
    plural, name_key = component
    registry = REGISTRIES[plural]
    out["properties"][name_key]["enum"] = registry.names()
    out["allOf"] = [
        {
            "if": {"properties": {name_key: {"const": e.name}}, "required": [name_key]},
            "then": {
                "properties": {p: _rule(r) for p, r in e.params.items()},
                "required": [p for p, r in e.params.items() if r.get("required")],
            },
        }
        for e in registry
    ]
    out["unevaluatedProperties"] = False
    return out


def _rule(rule: dict) -> dict:
    doc = rule.get("doc") or rule.get("meta", {}).get("doc", "")
    kind = rule["type"]
    if kind in ("dict",) and "keys" in rule:
        component = (rule["component"], rule["name_key"]) if "component" in rule else None
        out = _object(rule["keys"], component)
    elif kind == "list":
        out = {"type": "array"}
        item = rule.get("items") or rule.get("schema")
        if item:
            out["items"] = _rule(item)
        for ours, theirs in (("minlength", "minItems"), ("maxlength", "maxItems")):
            if ours in rule:
                out[theirs] = rule[ours]
    elif kind == "auto_integer":
        number = {"type": "integer", **{k: rule[k] for k in ("min", "max") if k in rule}}
        number = {("minimum" if k == "min" else "maximum" if k == "max" else k): v for k, v in number.items()}
        out = {"anyOf": [number, {"const": "auto"}]}
    else:
        out = {"type": _TYPES[kind]}
        if "allowed" in rule:
            out["enum"] = rule["allowed"]
            if kind == "string" and any(str(v).isdigit() for v in rule["allowed"]):
                out["type"] = ["string", "integer"]  # YAML editors read `precision: 32` as a number
                out["enum"] = rule["allowed"] + [int(v) for v in rule["allowed"] if str(v).isdigit()]
        for ours, theirs in (("min", "minimum"), ("max", "maximum")):
            if ours in rule:
                out[theirs] = rule[ours]
        if "regex" in rule:
            out["pattern"] = f"^(?:{rule['regex']})$"
    if doc:
        out["description"] = doc
    if "default" in rule:
        out["default"] = rule["default"]
    return out
