"""Stage 2: plain recipe data -> the normalized recipe (typed, every default filled), or every
mistake at once. Component sections are checked against their registry entry's parameters."""

from runner.catalog import REGISTRIES
from runner.catalog.backbones import TIMM_PREFIX, timm_names
from runner.catalog.backbones import lookup as lookup_backbone
from runner.catalog.models import SMP, models
from runner.recipe import schema
from runner.recipe.environment import data_home
from runner.recipe.errors import RecipeError, RecipeInvalid, dotted, in_file_order, suggest
from runner.recipe.messages import leaves, translate


def normalize(data, lines) -> dict:
    """Validate `data` (from load/overrides) and return it typed with defaults filled."""
    if not isinstance(data, dict):
        raise RecipeInvalid(
            [
                RecipeError(
                    lines.where(()),
                    "",
                    "a recipe is a mapping of sections, not " + _kind(data),
                    "start from `runner cp quickstart my.yaml`",
                )
            ]
        )
    rules = schema.recipe_rules()
    validator = schema.RecipeValidator(schema.to_cerberus(rules))
    validator.validate(data)
    recipe = validator.document
    errors = [
        e for e in (translate(x, lines, (), lambda p: _rule_at(rules, p)) for x in leaves(validator._errors)) if e
    ]
    for path, rule, section in _components(rules, recipe):
        errors += _check_component(path, rule, section, recipe, lines)
    errors += _check_registry_names(rules, recipe, lines)
    if errors:
        raise RecipeInvalid(in_file_order(errors))
    recipe["data"]["root"] = recipe["data"]["root"] or str(data_home())  # shown, and saved with runs
    return _ordered(recipe, {"keys": rules})


def _ordered(value, rule: dict):
    """Keys in the schema's order, component parameters after them in signature order."""
    if isinstance(value, list):
        return [_ordered(v, rule.get("items", {})) for v in value]
    if not isinstance(value, dict):
        return value
    keys = rule.get("keys", {})
    first = [k for k in keys if k in value]
    return {k: _ordered(value[k], keys.get(k, {})) for k in first + [k for k in value if k not in keys]}


def _components(rules: dict, recipe: dict, path=()):
    """(path, rule, value) for every component section present in the recipe."""
    for key, rule in rules.items():
        value = recipe.get(key) if isinstance(recipe, dict) else None
        here = path + (key,)
        if "component" in rule and isinstance(value, dict):
            yield here, rule, value
        elif "keys" in rule and isinstance(value, dict):
            yield from _components(rule["keys"], value, here)
        elif "items" in rule and isinstance(value, list):
            for i, item in enumerate(value):
                if "component" in rule["items"] and isinstance(item, dict):
                    yield here + (i,), rule["items"], item


def _check_component(path, rule, section, recipe, lines) -> list[RecipeError]:
    registry = REGISTRIES[rule["component"]]
    name = section.get(rule["name_key"])
    if not isinstance(name, str):
        return []  # missing or mistyped: the schema already reported it
    entry = registry.get(name)
    key_path = path + (rule["name_key"],)
    if entry is None:
        return [
            RecipeError(
                lines.where(key_path),
                dotted(key_path),
                f"{name!r} is not a known {registry.kind}",
                suggest(name, registry.names(), registry.plural),
            )
        ]
    fixed = set(rule["keys"])
    params = entry.params
    extra = {k: v for k, v in section.items() if k not in fixed}
    validator = schema.RecipeValidator(schema.to_cerberus(params))
    validator.validate(extra)
    errors = []
    for error in leaves(validator._errors):
        if error.code == 0x03:
            bad = path + (error.document_path[-1],)
            where = f"{registry.kind} {name!r}"
            errors.append(
                RecipeError(
                    lines.where(bad),
                    dotted(bad),
                    f"unknown key for {where}",
                    suggest(bad[-1], fixed | set(params)) or f"{where} takes no parameters",
                )
            )
        else:
            found = translate(error, lines, path, lambda p: params.get(p[-1], {}))
            errors += [found] if found else []
    section.update(validator.document)
    return errors


def _check_registry_names(rules, recipe, lines) -> list[RecipeError]:
    """Keys marked `registry:` (model.arch, model.backbone) must name a registered component, or be
    left empty where the task does not use them (checks/tasks.py says which)."""
    errors = []
    for section, srule in rules.items():
        for key, rule in srule.get("keys", {}).items():
            value = recipe.get(section, {}).get(key) if isinstance(recipe.get(section), dict) else None
            if "registry" not in rule or not isinstance(value, str) or not value:
                continue
            registry = REGISTRIES[rule["registry"]]
            found = lookup_backbone(value) if registry.plural == "backbones" else registry.get(value)
            if found is None and not (registry.plural == "backbones" and _smp_encoder(recipe, value)):
                known = registry.names()
                if value.startswith(TIMM_PREFIX):
                    known = [TIMM_PREFIX + n for n in timm_names()]
                errors.append(
                    RecipeError(
                        lines.where((section, key)),
                        f"{section}.{key}",
                        f"{value!r} is not a known {registry.kind}",
                        suggest(value, known, registry.plural),
                    )
                )
    return errors


def _smp_encoder(recipe: dict, value: str) -> bool:
    """Whether `value` is the encoder of an arch that takes segmentation-models-pytorch's encoders
    (efficientnet-b0, say, which is no backbone of its own); checks/tasks.py judges the pair."""
    arch = models.get(recipe["model"].get("arch") or "") if isinstance(recipe.get("model"), dict) else None
    return arch is not None and arch.info["encoders"] == SMP


def _rule_at(rules: dict, path) -> dict:
    rule = {"keys": rules}
    for part in path:
        if isinstance(part, int):
            rule = rule.get("items", {})
        else:
            rule = rule.get("keys", {}).get(part, {})
    return rule


def _kind(data) -> str:
    return {list: "a list", str: "a single value"}.get(type(data), type(data).__name__)
