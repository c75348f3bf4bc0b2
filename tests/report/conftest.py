"""What the report tests share: quickstart runs that ended by writing their pages."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

QUICKSTART_RUNS = {
    "lightning": ["train.epochs=3"],
    "lightning-lr": ["train.epochs=3", "optim.lr=0.002"],
    "paddle": ["train.epochs=3", "backend=paddle"],
}


@pytest.fixture(scope="session")
def quickstart_runs(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """Three short quickstart runs in one folder, in this order, each with the report `runner run`
    writes at its end: name -> (run directory, the finished command). The report page tests read
    them, and the browser test opens the first's page and a comparison of the two Lightning runs."""
    cwd = tmp_path_factory.mktemp("reports")
    made = {}
    for name, args in QUICKSTART_RUNS.items():
        result = subprocess.run(
            [sys.executable, "-m", "runner", "run", str(ROOT / "recipes/quickstart.yaml"), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        made[name] = (cwd / result.stdout.strip().splitlines()[-1].removeprefix("run dir: "), result)
    return made
