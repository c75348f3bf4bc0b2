"""`runner ls`, `cp`, `schema` and `run` as a user meets them."""

import json
import subprocess
import sys

import jsonschema
import strictyaml

from runner.recipe.stages import load_recipe
from tests.conftest import QUICKSTART, ROOT, SHIPPED


def test_ls_lists_recipes_with_descriptions(cli):
    result = cli("ls")
    assert result.code == 0
    assert "quickstart" in result.out and "smoke/synthetic" in result.out
    description = strictyaml.load(QUICKSTART).data["description"]
    rows = {line.split()[0]: line.split(maxsplit=1)[1] for line in result.out.splitlines() if line.strip()}
    assert rows["quickstart"] == description


def test_ls_registries_show_backends_and_parameters(cli):
    result = cli("ls", "augmentations")
    row = next(line for line in result.out.splitlines() if line.startswith("auto_augment "))
    assert row.split()[1:3] == ["yes", "-"]  # lightning yes, paddle no
    assert "padding: integer, default 0; zero padding added to each side first, in pixels" in result.out
    backbones = cli("ls", "backbones").out
    assert "timm/<name>" in backbones and "lenet" in backbones and "convnext_tiny" in backbones
    assert "timm/resnet50" in cli("ls", "backbones", "--timm").out
    assert cli("ls", "nonsense").code == 2


def test_cp_copies_and_refuses_to_overwrite(cli, tmp_path):
    dest = tmp_path / "my.yaml"
    result = cli("cp", "resnet18_cifar10", dest)
    assert result.code == 0 and dest.read_text() == (ROOT / "recipes/resnet18_cifar10.yaml").read_text()
    dest.write_text("mine")
    result = cli("cp", "quickstart", dest)
    assert result.code == 2 and "already exists; pass --force" in result.err
    assert dest.read_text() == "mine"
    assert cli("cp", "quickstart", dest, "--force").code == 0
    assert dest.read_text() == QUICKSTART
    assert cli("cp", "smoke/synthetic", tmp_path).code == 0 and (tmp_path / "synthetic.yaml").exists()
    missing = cli("cp", "quikstart", tmp_path / "x.yaml")
    assert missing.code == 2 and "did you mean 'quickstart'?" in missing.err
    assert cli("cp", "quickstart", tmp_path / "no" / "dir.yaml").code == 2


def test_edited_copy_runs_through_validate_with_overrides(cli, tmp_path):
    dest = tmp_path / "my.yaml"
    cli("cp", "quickstart", dest)
    dest.write_text(dest.read_text().replace("epochs: 20", "epochs: 7"))
    shown = cli("show", dest, "optim.lr=0.01")
    assert shown.code == 0 and "  epochs: 7\n" in shown.out and "  lr: 0.01\n" in shown.out


def test_schema_json_accepts_every_shipped_recipe_and_rejects_typos(cli):
    result = cli("schema", "--json")
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in SHIPPED:
        data = load_recipe(str(path)).data
        assert not list(validator.iter_errors(data)), path
    bad = load_recipe(str(SHIPPED[0])).data
    bad["optim"]["lrr"] = 1
    bad["train"]["epocs"] = 1
    assert len(list(validator.iter_errors(bad))) == 2


def test_run_refuses_an_invalid_recipe_before_any_work(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("run", write(QUICKSTART), "train.epochs=0")
    assert result.code == 2
    assert result.err == "override train.epochs=0: 0 is below the minimum 1; use a value of at least 1\n"
    assert not (tmp_path / "runs").exists()


def test_help_shows_examples():
    for args in (["--help"], ["validate", "--help"], ["run", "--help"], ["cp", "--help"]):
        out = subprocess.run([sys.executable, "-m", "runner", *args], capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0 and "runner " in out.stdout and "example" in out.stdout


def test_usage_errors_exit_2_without_traceback():
    for args in ([], ["validate"], ["frobnicate"], ["show", "a.yaml", "b.yaml"]):
        out = subprocess.run([sys.executable, "-m", "runner", *args], capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 2 and "Traceback" not in out.stderr, args


def test_eval_test_split_of_a_dataset_without_one_names_the_split_it_has(cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "resolved.yaml").write_text(QUICKSTART)  # digits: validation is held out of training
    result = cli("eval", run, "--split", "test")
    assert result.code == 2
    assert result.err == (
        "runner eval: digits has no test split: its one split is the training set, from which this run "
        "held out 20% as its validation images; use --split val to score those\n"
    )
