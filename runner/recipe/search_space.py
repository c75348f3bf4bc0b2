"""A sweep's `params:` as typed distributions: each recipe key path with one of `choice: [...]`,
`int: {low, high, step, log}` or `float: {low, high, log}`. The recipe's checks report what
`parse` finds wrong; runner.sweep hands the distributions to Optuna. No framework, no Optuna."""

from dataclasses import dataclass

from runner.recipe.schema import to_boolean, to_float, to_integer

KINDS = ("choice", "int", "float")
# Recipes are block YAML: each example is `kind:` with these keys (or list items) beneath it.
EXAMPLE = {
    "choice": "choice: with one '- value' per line beneath it",
    "int": "int: with low: 16, high: 128, step: 16 beneath it",
    "float": "float: with low: 1.0e-4, high: 0.1, log: true beneath it",
}


@dataclass(frozen=True)
class Dist:
    kind: str  # choice | int | float
    choices: tuple = ()
    low: float = 0
    high: float = 0
    step: float | None = None  # int: the spacing (default 1); float: none, a continuous range
    log: bool = False

    def extremes(self) -> tuple:
        """The values that bound what this distribution can give: every choice, or low and high."""
        return self.choices if self.kind == "choice" else (self.low, self.high)

    def grid(self) -> tuple | None:
        """Every value, for the grid sampler; None for a continuous range."""
        if self.kind == "choice":
            return self.choices
        if self.kind == "int" and not self.log:
            return tuple(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        return None


def typed(dist: Dist, current) -> Dist:
    """A choice's values typed like the value they replace (`choice: [16, 32]` on data.batch_size
    gives whole numbers); a list value's choices stay as written, in override form `[30,60]`."""
    if dist.kind != "choice":
        return dist
    convert = {bool: to_boolean, int: to_integer, float: to_float}.get(type(current), _as_text)
    return Dist("choice", tuple(convert(c) for c in dist.choices))


def _as_text(value) -> str:
    if isinstance(value, list):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value)


def key_path(key: str) -> tuple:
    """'augment.train.0.p' -> ('augment', 'train', 0, 'p'), as overrides read it."""
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def parse(spec) -> tuple[Dist | None, list[tuple[str, str]]]:
    """One param's distribution, or None with (problem, fix) pairs saying why not."""
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in KINDS:
        given = ", ".join(map(str, spec)) if isinstance(spec, dict) and spec else "none"
        return None, [(f"needs exactly one of {', '.join(KINDS)} (has {given})", "e.g. " + EXAMPLE["float"])]
    kind, body = next(iter(spec.items()))
    if kind == "choice":
        if not isinstance(body, list) or not body:
            return None, [("choice needs a list of values", "e.g. " + EXAMPLE["choice"])]
        if len(set(map(str, body))) < len(body):
            return None, [("choice lists a value twice", "list each value once")]
        return Dist("choice", tuple(body)), []
    return _range(kind, body)


def _range(kind: str, body) -> tuple[Dist | None, list[tuple[str, str]]]:
    allowed = ("low", "high", "step", "log") if kind == "int" else ("low", "high", "log")
    if not isinstance(body, dict) or not {"low", "high"} <= set(body) or set(body) - set(allowed):
        return None, [(f"{kind} takes {', '.join(allowed)} (low and high required)", "e.g. " + EXAMPLE[kind])]
    number = to_integer if kind == "int" else to_float
    low, high, log = number(body["low"]), number(body["high"]), to_boolean(body.get("log", "false"))
    step = to_integer(body.get("step", "1"))
    word = "whole number" if kind == "int" else "number"
    problems = [
        (f"{kind}.{name} {value!r} is not a {word}", f"write {name} as a {word}")
        for name, value in (("low", low), ("high", high), *((("step", step),) if kind == "int" else ()))
        if not isinstance(value, int if kind == "int" else float) or isinstance(value, bool)
    ]
    if not isinstance(log, bool):
        problems.append((f"{kind}.log {log!r} is not true or false", "write true or false"))
    if problems:
        return None, problems
    if low > high:
        problems.append((f"{kind}.low {low} is above high {high}", "swap them"))
    if log and low <= 0:
        problems.append((f"{kind}.low {low} cannot start a log scale", "use a low above 0, or log: false"))
    if kind == "int" and step < 1:
        problems.append((f"int.step {step} is below 1", "use a step of at least 1"))
    if kind == "int" and step >= 1 and (high - low) % step:
        fit = low + (high - low) // step * step
        problems.append((f"int.high {high} is not low plus a whole number of steps", f"use high: {fit}"))
    if kind == "int" and log and step != 1:
        problems.append(("int.step and log cannot be combined", "drop step, or log: false"))
    if problems:
        return None, problems
    return Dist(kind, low=low, high=high, step=step if kind == "int" else None, log=log), []
