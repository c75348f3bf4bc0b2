"""Golden errors: the exact message and line for each kind of mistake, all reported at once."""

import pytest

from tests.conftest import QUICKSTART


def errors(result):
    assert result.code == 2
    assert "Traceback" not in result.err
    return result.err.splitlines()


def test_norway_stays_a_string_and_no_is_not_a_boolean(write, cli):
    ok = write(QUICKSTART.replace("description: Small", "description: NO\n#").replace("name: quickstart", "name: 'NO'"))
    assert cli("validate", ok).code == 0
    from runner.recipe.stages import load_recipe

    assert load_recipe(str(ok)).data["description"] == "NO"
    bad = write(QUICKSTART.replace("pretrained: false", "pretrained: NO"), "bad.yaml")
    line = QUICKSTART.splitlines().index("  pretrained: false") + 1
    assert errors(cli("validate", bad)) == [
        f"{bad}:{line}: model.pretrained: 'NO' is not true or false; write true or false"
    ]


def test_misspelt_key_suggests_the_right_one(write, cli):
    path = write(QUICKSTART.replace("  epochs: 20", "  epocs: 20"))
    line = QUICKSTART.splitlines().index("  epochs: 20") + 1
    assert errors(cli("validate", path)) == [f"{path}:{line}: train.epocs: unknown key; did you mean 'epochs'?"]


def test_misspelt_component_parameter(write, cli):
    path = write(QUICKSTART.replace("      padding: 1", "      paddng: 1"))
    line = QUICKSTART.splitlines().index("      padding: 1") + 1
    assert errors(cli("validate", path)) == [
        f"{path}:{line}: augment.train.0.paddng: unknown key for augmentation 'random_crop'; did you mean 'padding'?"
    ]


def test_wrong_type_and_out_of_range_reported_together(write, cli):
    text = QUICKSTART.replace("batch_size: 64", "batch_size: lots").replace("lr: 0.003", "lr: -1")
    path = write(text)
    lines = text.splitlines()
    assert errors(cli("validate", path)) == [
        f"{path}:{lines.index('  batch_size: lots') + 1}: data.batch_size: 'lots' is not a whole number",
        f"{path}:{lines.index('  lr: -1') + 1}: optim.lr: -1.0 is below the minimum 0.0; use a value of at least 0.0",
    ]


def test_unknown_registry_name(write, cli):
    path = write(QUICKSTART.replace("name: adamw", "name: adamw8"))
    line = QUICKSTART.splitlines().index("  name: adamw") + 1
    assert errors(cli("validate", path)) == [
        f"{path}:{line}: optim.name: 'adamw8' is not a known optimizer; did you mean 'adamw'?"
    ]


def test_flow_style_is_refused(write, cli):
    path = write(QUICKSTART.replace("  batch_size: 64", "  batch_size: {a: 1}"))
    line = QUICKSTART.splitlines().index("  batch_size: 64") + 1
    assert errors(cli("validate", path)) == [
        f"{path}:{line}: flow style ({{...}} or [...]) is not allowed; write one key or '- item' per line"
    ]


def test_duplicate_key_names_the_second(write, cli):
    path = write(QUICKSTART.replace("  epochs: 20", "  epochs: 20\n  epochs: 30"))
    line = QUICKSTART.splitlines().index("  epochs: 20") + 2
    assert errors(cli("validate", path)) == [f"{path}:{line}: duplicate key 'epochs'; keep one of the two"]


def test_comment_above_the_bad_line_keeps_line_numbers_right(write, cli):
    text = QUICKSTART.replace("  lr: 0.003", "  # the peak rate\n  # (tuned)\n  lr: fast")
    path = write(text)
    line = text.splitlines().index("  lr: fast") + 1
    assert errors(cli("validate", path)) == [f"{path}:{line}: optim.lr: 'fast' is not a number"]


def test_bad_override_is_named(write, cli):
    path = write(QUICKSTART)
    assert errors(cli("validate", path, "train.epochs=abc")) == [
        "override train.epochs=abc: 'abc' is not a whole number"
    ]
    assert errors(cli("validate", path, "train.epoch=3")) == [
        "override train.epoch=3: unknown key; did you mean 'epochs'?"
    ]
    assert errors(cli("validate", path, "augment.train.7.p=1")) == [
        "override augment.train.7.p=1: augment.train.7: the list has only 2 items (numbered from 0)"
    ]


def test_override_changes_the_value(write, cli):
    path = write(QUICKSTART)
    result = cli(
        "show", path, "train.epochs=3", "optim.name=sgd", "schedule.name=multistep", "schedule.milestones=[1,2]"
    )
    assert result.code == 0, result.err
    assert "  epochs: 3\n" in result.out and "    - 1\n    - 2\n" in result.out


def test_cross_field_rules_name_both_sides(write, cli):
    text = QUICKSTART.replace("  precision: 32", "  precision: 16-mixed").replace("  val_fraction: 0.2\n", "")
    path = write(text)
    lines = text.splitlines()
    assert errors(cli("validate", path, "model.stem=cifar")) == [
        f"{path}:{lines.index('data:') + 1}: data.val_fraction: digits has no test split to validate "
        "on; hold out part of the training set, e.g. val_fraction: 0.2",
        f"{path}:{lines.index('  precision: 16-mixed') + 1}: hardware.precision: '16-mixed' is not "
        "supported by lightning on cpu; use one of: 32, 64, bf16-mixed, bf16-true",
        "override model.stem=cifar: cifar applies to ResNet-style backbones, not 'simple_cnn'; use "
        "stem: standard, or a resnet/resnext/wide_resnet backbone",
    ]


def test_timm_backbone_on_paddle(write, cli):
    path = write(QUICKSTART)
    result = cli("validate", path, "model.backbone=timm/resnet50", "backend=paddle")
    assert errors(result) == [
        "override model.backbone=timm/resnet50: backbone 'timm/resnet50' is not available on the "
        "paddle backend; choose another backbone, or backend: lightning"
    ]
    assert cli("validate", path, "model.backbone=timm/resnet50").code == 0
    assert "did you mean 'timm/resnet50'" in cli("validate", path, "model.backbone=timm/resnet5O").err


def test_warmup_longer_than_training(write, cli):
    path = write(QUICKSTART)
    assert errors(cli("validate", path, "schedule.warmup_epochs=30")) == [
        "override schedule.warmup_epochs=30: warm-up of 660 steps is not shorter than the 440 "
        "training steps; shorten the warm-up or train longer"
    ]


def test_batch_size_divisible_by_devices(write, cli):
    path = write(QUICKSTART)
    line = QUICKSTART.splitlines().index("  batch_size: 64") + 1
    assert errors(cli("validate", path, "hardware.devices=3", "hardware.strategy=ddp")) == [
        f"{path}:{line}: data.batch_size: 64 is not divisible by 3 devices; use a multiple of 3, such as 63"
    ]


def test_a_name_refused_says_the_rule_for_names(write, cli):
    path = write(QUICKSTART.replace("name: quickstart", "name: my run"))
    line = QUICKSTART.splitlines().index("name: quickstart") + 1
    assert errors(cli("validate", path)) == [
        f"{path}:{line}: name: 'my run' is not a valid name: a name is 1 to 100 letters, digits, '_', '.' or '-', "
        "the first a letter or digit; rename it, e.g. 'my_run'"
    ]


FOLDER = QUICKSTART.replace("  dataset: digits\n", "  dataset: folder\n  train_dir: photos\n")


@pytest.mark.parametrize(
    "train_dir, problem",
    [
        ("a" * 5000, "the path is 5,000 bytes long, more than the 4,095 a path may have; shorten it"),
        (
            "photos/" + "b" * 300 + "/train",
            f"the name {'b' * 24}... in it is 300 bytes long, more than the 255 a file or folder name may have; "
            "shorten that name",
        ),
    ],
)
def test_a_folder_path_longer_than_the_system_allows(train_dir, problem, write, cli):
    path = write(FOLDER.replace("train_dir: photos", f"train_dir: {train_dir}"))
    line = FOLDER.splitlines().index("  train_dir: photos") + 1
    result = cli("show", path)
    assert f"{path}:{line}: data.train_dir: {problem}" in errors(result)
