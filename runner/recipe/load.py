"""Stage 1: recipe text -> plain data (every scalar a string) and the line of every key path.

strictyaml does the parsing, so there is no implicit typing (`NO` stays the string 'NO'), no
flow style, no anchors, no tags and no duplicate keys; types come later, from the schema.
"""

import re
from pathlib import Path

import strictyaml
from strictyaml.ruamel.error import MarkedYAMLError

from runner.recipe import reading
from runner.recipe.errors import RecipeError, RecipeInvalid

# A recipe nests a handful of levels (augment.train.0.size); the YAML parser recurses once or more
# per level and fails near a thousand with Python's RecursionError, so far deeper input is refused first.
MAX_DEPTH = 64
# Characters YAML 1.2 forbids in a stream (section 5.1); strictyaml's reader fails on them.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


class Lines:
    """Where each key path of a recipe came from: a file line or a command-line override."""

    def __init__(self, file: str):
        self.file = file
        self.at: dict[tuple, str] = {}

    def where(self, path) -> str:
        """The place of `path`, or of its nearest ancestor present in the recipe."""
        path = tuple(path)
        while path:
            if path in self.at:
                return self.at[path]
            path = path[:-1]
        return self.at.get((), f"{self.file}:1")


def read(path: str) -> str:
    """The text of a recipe file, or a RecipeInvalid saying why it cannot be read."""
    p = Path(path)
    fail = lambda problem, fix="": RecipeInvalid([RecipeError(path, "", problem, fix)])  # noqa: E731
    try:
        data = reading.read_bytes(p, reading.RECIPE)
    except FileNotFoundError:
        raise fail("no such file", "check the path; `runner ls` lists the shipped recipes") from None
    except reading.Unreadable as e:
        raise fail(e.problem, "give the path of a YAML recipe file") from None
    except OSError as e:  # permission denied, a name too long, a folder in the path that is a file
        raise fail(f"cannot be read ({e.strerror or e})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise RecipeInvalid(
            [RecipeError(f"{path}:{line}", "", f"is not UTF-8 text (byte {e.start})", "save the recipe as UTF-8 YAML")]
        ) from None


def parse(text: str, file: str) -> tuple[object, Lines]:
    """Parse recipe text into plain data and its line map; raise RecipeInvalid on bad YAML."""
    lines = Lines(file)
    bad = _UNPRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        if bad.group() == "\x00":
            problem = "contains a NUL byte, so it is not a text YAML file"
            fix = "check that this is the recipe you meant; start a new one with `runner cp quickstart my.yaml`"
        else:
            problem = f"contains the control character U+{ord(bad.group()):04X}, which YAML does not allow"
            fix = "remove that character from the line"
        raise RecipeInvalid([RecipeError(f"{file}:{line}", "", problem, fix)])
    deep = _too_deep(text)
    if deep:
        raise RecipeInvalid(
            [
                RecipeError(
                    f"{file}:{deep}",
                    "",
                    f"is nested deeper than {MAX_DEPTH} levels",
                    "a recipe needs a handful; check the indentation of this line",
                )
            ]
        )
    try:
        document = strictyaml.load(text, strictyaml.Any(), label=file)
    except MarkedYAMLError as e:
        raise RecipeInvalid([_yaml_error(e, file)]) from None
    except Exception as e:  # strictyaml has its own bugs on odd input; it is still not a recipe
        raise RecipeInvalid([RecipeError(file, "", f"is not valid YAML ({type(e).__name__})")]) from None
    if not _has_content(text):
        raise RecipeInvalid([RecipeError(f"{file}:1", "", "is empty", "start from `runner cp quickstart my.yaml`")])
    lines.at[()] = f"{file}:1"
    # strictyaml's own line properties count preceding comments, so read ruamel's marks instead.
    _mark(document._chunk.contents, (), lines, file)
    return document.data, lines


def _too_deep(text: str) -> int | None:
    """The first line nested deeper than MAX_DEPTH, counting a level for each indentation step and
    each '- ' that opens a list item; None when every line is shallower."""
    columns = []  # the column each open level starts at
    for number, line in enumerate(text.splitlines(), 1):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        column = len(line) - len(content)
        while columns and columns[-1] >= column:
            columns.pop()
        columns.append(column)
        while content == "-" or content.startswith("- "):
            column += 2
            columns.append(column)
            content = content[2:].lstrip(" ")
        if len(columns) > MAX_DEPTH:
            return number
    return None


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def _mark(node, path: tuple, lines: Lines, file: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            lines.at[path + (str(key),)] = f"{file}:{node.lc.key(key)[0] + 1}"
            _mark(value, path + (str(key),), lines, file)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            lines.at[path + (index,)] = f"{file}:{node.lc.item(index)[0] + 1}"
            _mark(value, path + (index,), lines, file)


_PLAIN_WORDS = {
    "FlowMappingDisallowed": ("flow style ({...} or [...]) is not allowed", "write one key or '- item' per line"),
    "AnchorTokenDisallowed": (
        "anchors and aliases (&, *) are not allowed",
        "write each value out; one file is one experiment",
    ),
    "TagTokenDisallowed": ("YAML tags (!!type) are not allowed", "remove the tag; types come from the schema"),
    "DuplicateKeysDisallowed": ("duplicate key", "keep one of the two"),
}


def _yaml_error(e: MarkedYAMLError, file: str) -> RecipeError:
    mark = e.problem_mark or e.context_mark
    line = mark.line + 1 if mark is not None else 1
    name = type(e).__name__
    if name in _PLAIN_WORDS:
        problem, fix = _PLAIN_WORDS[name]
        if name == "DuplicateKeysDisallowed" and e.problem:
            problem = e.problem.lower().replace("found", "").strip()
        return RecipeError(f"{file}:{line}", "", problem, fix)
    problem = (e.problem or e.context or "invalid YAML").strip()
    fix = (
        "indent with spaces, not tabs"
        if "\\t" in problem or "'\\t'" in repr(problem)
        else "check the indentation and quoting on this line"
    )
    return RecipeError(f"{file}:{line}", "", f"invalid YAML: {problem}", fix)
