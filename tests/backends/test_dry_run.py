"""`runner run --dry-run`: every shipped recipe builds all its components and takes one training
and one validation step on a stand-in of its data, so recipes whose data is not on this machine
(ImageNet, your own folders) are proven runnable; and backbones that cannot take the recipe's
images are reported at the recipe's line before any training."""

import pytest

from runner.recipe.stages import load_recipe
from tests.conftest import QUICKSTART, ROOT, SHIPPED

IDS = [p.relative_to(ROOT / "recipes").as_posix() for p in SHIPPED]
# Detection and segmentation networks take any image size: their dry runs here step on images
# at most this large, as a ResNet-50 detector's step on 800-pixel images takes minutes on a CPU.
CPU_SIDE = 160


def on_this_machine(path, backend: str = "lightning") -> list[str]:
    """Overrides that move a recipe onto one CPU: CI has no GPU, and no network for weights."""
    r = load_recipe(str(path)).data
    moved = [
        f"backend={backend}",
        "hardware.accelerator=cpu",
        "hardware.devices=1",
        "hardware.num_nodes=1",
        "hardware.strategy=auto",
    ]
    if r["hardware"]["precision"] != "32":
        # bf16 autocast on a CPU takes ViT-B's step from 11 s to over two minutes;
        # test_a_mixed_precision_dry_run_steps_on_a_cpu keeps that path covered on a small network
        moved.append("hardware.precision=32")
    if r["task"] != "classification":
        moved += [
            f"augment.{stage}.{i}.size={CPU_SIDE}"
            for stage in ("train", "eval")
            for i, step in enumerate(r["augment"][stage])
            if step.get("size", 0) > CPU_SIDE
        ]
    return moved + (["model.pretrained=false"] if r["model"]["pretrained"] else [])


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_every_shipped_recipe_takes_a_step_on_a_stand_in(path, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", path, "--dry-run", *on_this_machine(path))
    assert result.code == 0, result.err[-3000:]
    recipe = load_recipe(str(path)).data
    line = result.out.strip().splitlines()[-1]
    network = recipe["model"]["arch"] or recipe["model"]["backbone"]  # detection, segmentation: the arch
    assert line.startswith(f"dry run OK: {network} (") and "loss" in line
    assert "nothing written" in line and not list(tmp_path.iterdir())


def test_a_mixed_precision_dry_run_steps_on_a_cpu(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = ROOT / "recipes/quickstart.yaml"
    result = cli("run", recipe, "--dry-run", *on_this_machine(recipe), "hardware.precision=bf16-mixed")
    assert result.code == 0, result.err[-3000:]
    assert "precision bf16-mixed" in result.out


def paddle_line(path) -> str:
    return next(line for line in path.read_text().splitlines() if line.startswith("# Paddle:"))


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_recipes_whose_parts_exist_in_paddle_take_a_step_there(path, cli, tmp_path, monkeypatch):
    """The header's `# Paddle:` line says whether `backend=paddle` runs the recipe; it must be right."""
    monkeypatch.chdir(tmp_path)
    if "not available" in paddle_line(path):  # e.g. a timm backbone: validation must refuse it
        result = cli("validate", path, "backend=paddle")
        assert result.code == 2 and "not available on the paddle backend" in result.err
        return
    result = cli("run", path, "--dry-run", *on_this_machine(path, "paddle"))
    assert result.code == 0, result.err[-3000:]
    line = result.out.strip().splitlines()[-1]
    assert line.startswith("dry run OK: ") and "paddle on cpu" in line and not list(tmp_path.iterdir())


def test_a_backbone_that_pools_small_images_away_is_reported_at_its_line(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(QUICKSTART.replace("backbone: simple_cnn", "backbone: squeezenet1_0"))
    result = cli("run", path, "train.epochs=2")
    line = QUICKSTART.splitlines().index("  backbone: simple_cnn") + 1
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.startswith(f"{path}:{line}: model.backbone: squeezenet1_0 cannot take 1x8x8 images (")
    assert "resize" in result.err and not (tmp_path / "runs").exists()


def test_a_fixed_size_vit_on_cifar_images_is_reported_by_dry_run(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli(
        "run",
        ROOT / "recipes/resnet18_cifar10.yaml",
        "--dry-run",
        "model.backbone=vit_b_16",
        "model.stem=standard",
        "hardware.accelerator=cpu",
        "hardware.precision=32",
    )
    assert result.code == 2 and "vit_b_16 cannot take 3x32x32 images" in result.err
