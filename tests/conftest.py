"""Shared test helpers: run the command line in-process and write recipes to temporary files."""
import textwrap
from pathlib import Path

import pytest

from runner.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "recipes").rglob("*.yaml"))


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys):
    """cli('validate', path) -> Result(code, stdout, stderr); fails on any escaping exception."""

    def run(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:  # argparse's own usage errors
            code = e.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path):
    """write(text, name) -> path of a recipe file holding the dedented text."""

    def make(text: str, name: str = "my.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return make


QUICKSTART = (ROOT / "recipes" / "quickstart.yaml").read_text()
