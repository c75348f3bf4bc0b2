"""Every shipped recipe validates, shows, round-trips through its resolved form, and follows the
header convention (what it trains, the result, the command, an override example)."""

import pytest
import strictyaml

from runner.recipe import shipped
from runner.recipe.stages import load_recipe
from runner.recipe.yaml_writer import dump
from tests.conftest import ROOT, SHIPPED

IDS = [p.relative_to(ROOT / "recipes").as_posix() for p in SHIPPED]


def test_recipes_are_found():
    assert {"quickstart", "resnet18_cifar10", "smoke/synthetic"} <= set(shipped.recipes())
    assert len(SHIPPED) == len(shipped.recipes())


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_validates_and_shows(path, cli):
    result = cli("validate", path)
    assert (result.code, result.out, result.err) == (0, f"OK {path}\n", "")
    shown = cli("show", path)
    assert shown.code == 0, shown.err
    for stage in ("data", "augment", "model", "optim", "loop", "hardware"):
        assert f"\n  {stage} " in shown.out
    if load_recipe(str(path)).data["data"]["dataset"] in ("folder", "mask_folder"):  # counted once they exist
        assert "# not counted yet: data.train_dir: my_images/train is not a folder" in shown.out
    else:
        assert "steps per epoch" in shown.out


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_resolved_form_reproduces_the_recipe(path, tmp_path):
    recipe = load_recipe(str(path))
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(dump(recipe.data))
    assert load_recipe(str(resolved)).data == recipe.data


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_header_and_every_key_used(path):
    text = path.read_text()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any(line.startswith("# Expect:") for line in header), "header states the result to expect"
    assert any(line.startswith("# Run:") for line in header), "header gives the command"
    assert any(line.startswith("# Override:") and "=" in line for line in header)
    assert any(line.startswith("# Paddle:") for line in header), "header says whether backend=paddle runs it"
    raw = strictyaml.load(text).data
    assert raw["name"] and raw["description"]
