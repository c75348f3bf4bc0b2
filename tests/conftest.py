"""Shared test helpers: run the command line in-process and write recipes to temporary files."""

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runner.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "recipes").rglob("*.yaml"))


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err


@pytest.fixture(autouse=True, scope="session")
def data_home(tmp_path_factory):
    """Datasets land in a temporary data.root, and the user's own settings do not leak in."""
    saved = {k: os.environ.pop(k, None) for k in ("RUNNER_DATA", "RUNNER_OFFLINE", "RUNNER_DATASET_MIRROR")}
    os.environ["RUNNER_DATA"] = str(tmp_path_factory.mktemp("datasets"))
    yield
    for key, value in saved.items():
        os.environ.pop(key, None)
        if value is not None:
            os.environ[key] = value


@pytest.fixture
def host(monkeypatch):
    """An HTTP server on 127.0.0.1 (tests/http_host.py); a proxy set in the environment must not intercept."""
    from tests.http_host import Host

    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1")
    running = Host()
    yield running
    running.close()


@pytest.fixture
def server(host):
    """server(files) -> base URL of an HTTP server on 127.0.0.1 serving exactly these files."""
    return host.serve


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


MEMORY_LIMIT = 2 << 30  # bytes of address space: enough for runner and numpy, not for /dev/zero


def bounded(*args, cwd=None, code: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m runner ARGS` (or `python -c CODE`) in a child held to MEMORY_LIMIT and `timeout`:
    a read without end fails there (MemoryError, or TimeoutExpired for a blocked open), not here."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "runner", *map(str, args)]

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
