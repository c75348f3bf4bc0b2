"""Registries of the components a recipe can name, with parameters read from builder signatures.

A registry entry is a function whose name is the word users write and whose signature is the
component's parameter list: annotation -> type, default -> default, `Param` metadata -> range and
one-line doc. Entries are declared here without importing any deep-learning framework, so that
validation can check a recipe in a fraction of a second; each backend builds the real objects.
"""

import inspect
import typing
from dataclasses import dataclass, field

from runner.catalog.tasks import TASKS

BACKENDS = ("lightning", "paddle")

_TYPES = {int: "integer", float: "float", bool: "boolean", str: "string"}


@dataclass(frozen=True)
class Param:
    """Metadata for one component parameter, written as `Annotated[type, Param(...)]`."""

    doc: str
    min: float | None = None
    max: float | None = None


@dataclass
class Entry:
    name: str
    kind: str
    function: typing.Callable
    doc: str
    backends: tuple[str, ...]
    info: dict = field(default_factory=dict)
    tasks: tuple[str, ...] = tuple(TASKS)  # the tasks a recipe may use it in

    @property
    def params(self) -> dict:
        """The cerberus schema of this component's parameters, derived from its signature."""
        return {name: _param_rule(self.name, p) for name, p in _signature(self.function).items()}


class Registry:
    """A closed set of named components of one kind (backbones, optimizers, ...)."""

    def __init__(self, kind: str, plural: str):
        self.kind = kind
        self.plural = plural
        self._entries: dict[str, Entry] = {}

    def register(self, function=None, *, name=None, backends=BACKENDS, tasks=tuple(TASKS), **info):
        """Decorator: register `function` under its own name (or `name`) for `backends` and `tasks`."""

        def add(fn):
            key = name or fn.__name__
            if key in self._entries:
                raise ValueError(f"{self.kind} {key!r} is registered twice")
            unknown = set(backends) - set(BACKENDS)
            if unknown:
                raise ValueError(f"{self.kind} {key!r}: unknown backends {sorted(unknown)}")
            if set(tasks) - set(TASKS):
                raise ValueError(f"{self.kind} {key!r}: unknown tasks {sorted(set(tasks) - set(TASKS))}")
            doc = (fn.__doc__ or "").strip().splitlines()
            if not doc:
                raise ValueError(f"{self.kind} {key!r} needs a one-line docstring")
            self._entries[key] = Entry(key, self.kind, fn, doc[0], tuple(backends), info, tuple(tasks))
            return fn

        return add(function) if function is not None else add

    def declare(self, name: str, doc: str, backends=BACKENDS, tasks=tuple(TASKS), **info):
        """Register a component that takes no parameters of its own (a backbone, say)."""

        def component():
            pass

        component.__doc__ = doc
        self.register(component, name=name, backends=backends, tasks=tasks, **info)

    def get(self, name: str) -> Entry | None:
        return self._entries.get(name)

    def names(self, backend: str | None = None) -> list[str]:
        return [n for n, e in self._entries.items() if backend is None or backend in e.backends]

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(self._entries.values())


def _signature(function) -> dict:
    hints = typing.get_type_hints(function, include_extras=True)
    params = {}
    for p in inspect.signature(function).parameters.values():
        if p.name not in hints:
            raise TypeError(f"{function.__name__}: parameter {p.name!r} needs an annotation")
        params[p.name] = (hints[p.name], p.default)
    return params


def _param_rule(owner: str, spec) -> dict:
    annotation, default = spec
    meta = Param(doc="")
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *extras = typing.get_args(annotation)
        meta = next((x for x in extras if isinstance(x, Param)), meta)
    rule = _type_rule(owner, annotation)
    rule["meta"] = {"doc": meta.doc}
    if meta.min is not None:
        rule["min"] = meta.min
    if meta.max is not None:
        rule["max"] = meta.max
    if default is inspect.Parameter.empty:
        rule["required"] = True
    else:
        rule["default"] = list(default) if isinstance(default, tuple) else default
    return rule


def _type_rule(owner: str, annotation) -> dict:
    origin = typing.get_origin(annotation)
    if annotation in _TYPES:
        return {"type": _TYPES[annotation]}
    if origin is typing.Literal:
        values = list(typing.get_args(annotation))
        return {"type": _TYPES[type(values[0])], "allowed": values}
    if origin in (list, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        rule = {"type": "list", "schema": _type_rule(owner, args[0])}
        if origin is tuple and Ellipsis not in typing.get_args(annotation):
            rule["minlength"] = rule["maxlength"] = len(args)
        return rule
    raise TypeError(f"{owner}: unsupported parameter annotation {annotation!r}")
