"""What the backends' run tests share: the quickstart, as shipped, trained once on Lightning."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="session")
def quickstart_on_lightning(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`runner run recipes/quickstart.yaml` as a user types it, in a folder of its own: the folder
    and the finished command. Its run directory is what the Lightning run test checks, and its score
    is what the Paddle quickstart is compared with; one 20-epoch training serves both."""
    cwd = tmp_path_factory.mktemp("quickstart")
    result = subprocess.run(
        [sys.executable, "-m", "runner", "run", str(ROOT / "recipes/quickstart.yaml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return cwd, result
