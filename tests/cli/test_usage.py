"""How the command line meets a word out of place: an override without its value, one recipe
where one is taken, a run directory that is not there, and help that says what a verb does."""

import pytest

from tests.conftest import QUICKSTART


def test_an_override_without_a_value_is_named_before_any_ok(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(QUICKSTART)
    result = cli("validate", path, "train.epochs", "seed")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines() == [
        "override train.epochs: has no value (an override is key.path=value); write train.epochs=VALUE",
        "override seed: has no value (an override is key.path=value); write seed=VALUE",
    ]
    assert cli("show", path, "train.epochs").err.startswith("override train.epochs: has no value")


def test_a_file_named_like_a_key_is_still_a_recipe(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(QUICKSTART, "train.yaml")
    assert cli("validate", "train.yaml").out == "OK train.yaml\n"


@pytest.mark.parametrize("verb", ["run", "show"])
def test_run_and_show_usage_take_one_recipe(verb, cli, write):
    usage = cli(verb, "--help").out.splitlines()[0]
    assert usage.endswith("] RECIPE [key=value ...]"), usage
    result = cli(verb, write(QUICKSTART, "a.yaml"), write(QUICKSTART, "b.yaml"))
    assert result.code == 2 and f"runner {verb}: {verb} takes one recipe (got 2: " in result.err
    alone = cli(verb, "train.epochs=3")
    assert alone.err == f"runner {verb}: name a recipe file, e.g. runner {verb} recipes/quickstart.yaml\n"


def test_resume_help_says_it_takes_the_newest_verified_checkpoint(cli):
    out = cli("resume", "--help").out
    assert "newest verified checkpoint" in " ".join(out.split())
    assert "passing over newer ones that are damaged or changed" in " ".join(out.split())
    said = out.split("options:")[0]  # what resume does; --trust names the older Paddle files it admits
    assert "last.ckpt" not in said and ".pdparams" not in said


@pytest.mark.parametrize("verb", ["eval", "resume"])
def test_a_run_directory_that_is_not_there_is_named(verb, cli, tmp_path):
    missing = tmp_path / "runs" / "nope"
    result = cli(verb, missing)
    assert result.code == 2
    assert result.err.startswith(f"runner {verb}: {missing} does not exist; give "), result.err


def test_eval_of_a_stray_file_says_where_checkpoints_live(cli, tmp_path):
    stray = tmp_path / "model.ckpt"
    stray.write_bytes(b"weights")
    result = cli("eval", stray)
    assert result.code == 2
    assert result.err.startswith(f"runner eval: {stray} is not a checkpoint inside a run directory; "), result.err
