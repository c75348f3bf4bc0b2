"""A regular (non-editable) install carries the schema and the shipped recipes, so `runner ls`
and `runner cp` work from any directory."""

import os
import subprocess
import sys

from tests.conftest import ROOT, SHIPPED


def test_installed_copy_lists_and_copies_recipes(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def runner(*args):
        return subprocess.run(
            [sys.executable, "-m", "runner", *args], cwd=elsewhere, env=env, capture_output=True, text=True
        )

    where = subprocess.run(
        [sys.executable, "-c", "import runner; print(runner.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(target))
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "runner").rglob("*.py")}
    assert modules <= {p.relative_to(target).as_posix() for p in (target / "runner").rglob("*.py")}
    listed = runner("ls").stdout
    assert all(p.relative_to(ROOT / "recipes").with_suffix("").as_posix() in listed for p in SHIPPED)
    assert runner("cp", "smoke/synthetic", "mine.yaml").returncode == 0
    result = runner("validate", "mine.yaml")
    assert (result.returncode, result.stdout) == (0, "OK mine.yaml\n"), result.stderr
