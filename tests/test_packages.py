"""The package reads as its layout says: runner/ holds only packages (and __init__, __main__), each
opening with what lives there and what it may import; the backends read compiled specs, never the
recipe's raw keys; and a missing package a run needs (tensorboard on a Paddle-only install) is a
message at the recipe's line, not a traceback."""

import re
import subprocess
import sys

from tests.conftest import ROOT

# How code reads a normalized recipe's raw keys: program.recipe, recipe.data[...], r["..."], recipe["..."]
RAW = re.compile(r"""program\.recipe\b|recipe\.data\b|\br\[["']|\brecipe\[["']""")


def test_the_top_level_holds_only_packages():
    package = ROOT / "runner"
    files = {p.name for p in package.iterdir() if p.is_file() and p.suffix == ".py"}
    assert files == {"__init__.py", "__main__.py"}
    for folder in (p for p in package.rglob("*") if p.is_dir() and p.name != "__pycache__"):
        doc = (folder / "__init__.py").read_text()
        assert doc.startswith('"""'), folder
    for room in ("catalog", "recipe", "data", "run", "backends", "cli"):
        assert "May import" in (package / room / "__init__.py").read_text(), room


def test_backends_read_specs_not_the_recipe():
    offences = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "runner" / "backends").rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if RAW.search(line) and not line.lstrip().startswith(("#", "from ", "import "))
    ]
    assert offences == []


def test_a_run_without_tensorboard_installed_says_so_at_its_line(tmp_path):
    recipe = ROOT / "recipes/smoke/paddle_synthetic.yaml"
    blocked = (
        "import sys\n"
        "class Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'tensorboard':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Blocker())\n"
        "from runner.cli import main\n"
        f"sys.exit(main(['run', {str(recipe)!r}, 'log.tensorboard=true']))\n"
    )
    result = subprocess.run([sys.executable, "-c", blocked], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.startswith("override log.tensorboard=true: TensorBoard event files need the tensorboard")
    assert "pip install tensorboard, or set log.tensorboard: false" in result.stderr
    assert not (tmp_path / "runs").exists()
