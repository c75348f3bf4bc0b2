"""The validation path imports no deep-learning framework, so `runner validate` stays fast."""

import subprocess
import sys

from tests.conftest import ROOT

FRAMEWORKS = ("torch", "torchvision", "lightning", "timm", "paddle", "torchmetrics", "numpy", "optuna", "sqlalchemy")
SWEEP = "sweep:\n  params:\n    optim.lr:\n      float:\n        low: 1.0e-4\n        high: 0.1\n        log: true\n"


def test_validate_show_ls_and_schema_import_no_framework(tmp_path):
    swept = tmp_path / "swept.yaml"
    swept.write_text((ROOT / "recipes" / "quickstart.yaml").read_text() + SWEEP)
    code = (
        "import sys\n"
        "from runner.cli import main\n"
        "timm = ['model.backbone=timm/resnet50', 'model.stem=standard']\n"
        f"for args in (['validate', 'recipes/resnet18_cifar10.yaml', *timm], ['validate', {str(swept)!r}],\n"
        "             ['show', 'recipes/quickstart.yaml'], ['ls'], ['ls', 'samplers'], ['schema', '--json']):\n"
        "    assert main(args) == 0, args\n"
        f"loaded = sorted(m for m in {FRAMEWORKS!r} if m in sys.modules)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr
