"""Recipe errors: each names where the value came from, its key path, what is wrong and the fix."""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class RecipeError:
    where: str  # 'recipes/x.yaml:14' or 'override train.epochs=abc'
    path: str  # 'optim.name'; '' for the file as a whole
    problem: str
    fix: str = ""

    def __str__(self) -> str:
        text = self.where
        if self.path and not self.where.startswith("override "):
            text += f": {self.path}"
        text += f": {self.problem}"
        return f"{text}; {self.fix}" if self.fix else text


class RecipeInvalid(Exception):
    """Every mistake found in one recipe (and its overrides), reported together."""

    def __init__(self, errors: list[RecipeError]):
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


class RunFailed(Exception):
    """A run that cannot go on for a reason the user can fix (missing weights, say); the message
    says what happened and what to do. The command line prints it and exits with status 1."""


def suggest(word: str, choices, kind: str = "") -> str:
    """The fix for an unknown word: the closest known one, or the whole list when it is short."""
    choices = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if not choices:
        return ""
    if len(choices) <= 12:
        return "choose one of: " + ", ".join(choices)
    return f"`runner ls {kind}` lists them" if kind else ""


def dotted(path) -> str:
    return ".".join(str(p) for p in path)


def in_file_order(errors: list[RecipeError]) -> list[RecipeError]:
    """Errors by file and line, overrides last in the order given; duplicates dropped."""

    def place(e: RecipeError):
        file, _, line = e.where.rpartition(":")
        is_override = e.where.startswith("override ")
        return (is_override, "" if is_override else file, int(line) if line.isdigit() else 0)

    return sorted(dict.fromkeys(errors), key=place)
