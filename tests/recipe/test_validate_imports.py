"""The validation path imports no deep-learning framework, so `runner validate` stays fast."""

import subprocess
import sys

from tests.conftest import ROOT

FRAMEWORKS = ("torch", "torchvision", "lightning", "timm", "paddle", "torchmetrics", "numpy")


def test_validate_show_ls_and_schema_import_no_framework():
    code = (
        "import sys\n"
        "from runner.cli import main\n"
        "timm = ['model.backbone=timm/resnet50', 'model.stem=standard']\n"
        "for args in (['validate', 'recipes/resnet18_cifar10.yaml', *timm],\n"
        "             ['show', 'recipes/quickstart.yaml'], ['ls'], ['ls', 'backbones'], ['schema', '--json']):\n"
        "    assert main(args) == 0, args\n"
        f"loaded = sorted(m for m in {FRAMEWORKS!r} if m in sys.modules)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr
