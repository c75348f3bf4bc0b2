"""Golden errors for the sweep: section (runner/recipe/checks/sweep.py, sweep_fit.py), each at its
line and all at once, and `runner sweep`'s refusals of bad input, which leave nothing behind."""

import socket

import pytest

from tests.conftest import QUICKSTART

SWEEP = """sweep:
  trials: 3
  params:
    optim.lr:
      float:
        low: 1.0e-4
        high: 0.1
        log: true
"""


def with_sweep(params: str, extra: str = "") -> str:
    return QUICKSTART + "sweep:\n" + extra + "  params:\n" + params


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_a_well_formed_sweep_validates(write, cli):
    result = cli("validate", write(QUICKSTART + SWEEP))
    assert result.code == 0, result.err


def test_every_mistake_in_the_params_is_named_at_its_line(write, cli):
    text = with_sweep(
        "    optim.lrr:\n      float:\n        low: 0.1\n        high: 0.2\n"
        "    data.batch_size:\n      float:\n        low: 8\n        high: 64\n"
        "    optim.weight_decay:\n      float:\n        low: 0.1\n        high: 0.01\n"
        "    log.dir:\n      choice:\n        - a\n        - b\n"
        "    train.epochs:\n      int:\n        low: 1\n        high: 8\n        step: 3\n"
        "    optim:\n      choice:\n        - x\n"
    )
    path = write(text)
    result = cli("validate", path)
    assert result.code == 2
    at = lambda key: f"{path}:{line_of(text, f'    {key}:')}: sweep.params.{key}: "  # noqa: E731
    assert result.err.splitlines() == [
        at("optim.lrr") + "optim.lrr is not a key of this recipe (lrr is not in optim); did you mean 'lr'?",
        at("data.batch_size") + "data.batch_size is a whole number; use int: (low, high) or choice:",
        at("optim.weight_decay") + "float.low 0.1 is above high 0.01; swap them",
        at("log.dir")
        + "log.dir cannot vary between trials; search the training keys (optim, data, augment, train, ...)",
        at("train.epochs") + "int.high 8 is not low plus a whole number of steps; use high: 7",
        at("optim") + "optim is a section; name one of its keys: optim.name, optim.decay_norm_and_bias, optim.lr, "
        "optim.weight_decay, optim.beta1, optim.beta2, optim.eps",
    ]


def test_a_distribution_reaching_values_its_key_refuses_is_named_with_the_value(write, cli):
    text = with_sweep(
        "    train.epochs:\n      int:\n        low: 0\n        high: 4\n"
        "    optim.name:\n      choice:\n        - adamw\n        - adamv\n"
    )
    path = write(text)
    result = cli("validate", path)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"{path}:{line_of(text, '    train.epochs:')}: sweep.params.train.epochs: train.epochs = 0: "
        "0 is below the minimum 1; narrow low and high to values the key accepts",
        f"{path}:{line_of(text, '    optim.name:')}: sweep.params.optim.name: optim.name = adamv: "
        "'adamv' is not a known optimizer; narrow the choices",
    ]


@pytest.mark.parametrize(
    "extra, params, problem",
    [
        (
            "",
            "",
            "sweep.params: has no params to search; add one, e.g. optim.lr: with float: with low: 1.0e-4, "
            "high: 0.1, log: true beneath it",
        ),
        (
            "  sampler:\n    name: grid\n",
            SWEEP.split("  params:\n")[1],
            "sweep.params.optim.lr: the grid sampler cannot list a log-scale float range; "
            "list the values under choice:, or use another sampler",
        ),
        (
            "  metric: val_map\n",
            SWEEP.split("  params:\n")[1],
            "sweep.metric: val_map is not a metric of task classification; "
            "use one of: train_loss, train_acc, val_loss, val_acc",
        ),
        (
            "  direction: minimize\n",
            SWEEP.split("  params:\n")[1],
            "sweep.direction: val_acc is better when maximised; set direction: maximize",
        ),
        (
            "  pruner:\n    name: medain\n",
            SWEEP.split("  params:\n")[1],
            "sweep.pruner.name: 'medain' is not a known pruner; did you mean 'median'?",
        ),
    ],
)
def test_sweep_settings_that_cannot_work_are_refused(extra, params, problem, write, cli):
    result = cli("validate", write(with_sweep(params, extra)))
    assert result.code == 2
    assert result.err.split(": ", 1)[1] == problem + "\n"


def test_sweep_on_a_recipe_without_a_sweep_section_writes_nothing(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("sweep", write(QUICKSTART))
    assert result.code == 2
    assert "has no sweep: section; add one naming the keys to search" in result.err
    assert not (tmp_path / "runs").exists()


def test_a_malformed_storage_url_is_refused_and_nothing_is_written(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("sweep", write(QUICKSTART + SWEEP), "sweep.storage=postgres ql://x")
    assert result.code == 1
    assert result.err == (
        "runner sweep: sweep.storage: 'postgres ql://x' is not a database URL; e.g. postgresql://user@host:5432/db\n"
    )
    assert not (tmp_path / "runs").exists()


def test_an_unreachable_storage_is_named_and_nothing_is_written(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://runner:secret@127.0.0.1:{port}/sweeps"
    result = cli("sweep", write(QUICKSTART + SWEEP), f"sweep.storage={url}")
    assert result.code == 1
    assert result.err.startswith(
        f"runner sweep: cannot reach the sweep's storage postgresql://runner:***@127.0.0.1:{port}/sweeps: "
    )
    assert "secret" not in result.err
    assert not (tmp_path / "runs").exists()


def test_a_study_created_with_the_other_direction_is_refused(write, cli, tmp_path, monkeypatch):
    import optuna

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    optuna.create_study(storage=url, study_name="quickstart", direction="minimize")
    result = cli("sweep", write(QUICKSTART + SWEEP), f"sweep.storage={url}")
    assert result.code == 1
    assert result.err == (
        f"runner sweep: study 'quickstart' in {url} was created to minimize, and this sweep would maximize "
        "val_acc; give sweep.study a new name\n"
    )
    assert not (tmp_path / "runs").exists()


def test_trials_whose_values_break_a_rule_together_fail_with_the_reason_and_the_sweep_goes_on(
    write, cli, tmp_path, monkeypatch
):
    """Each value passes alone; together they set both warm-up lengths. No trial trains."""
    monkeypatch.chdir(tmp_path)
    text = with_sweep(
        "    schedule.warmup_epochs:\n      choice:\n        - 1.0\n"
        "    schedule.warmup_steps:\n      choice:\n        - 5\n",
        "  trials: 2\n",
    )
    result = cli("sweep", write(text.replace("warmup_epochs: 1", "warmup_epochs: 0")))
    assert result.code == 1, result.err
    assert (
        result.out.count("failed: override schedule.warmup_steps=5: warmup_epochs and warmup_steps are both set") == 2
    )
    assert "runner sweep: no trial completed" in result.err
    status = cli("sweep", "--status", tmp_path / "runs" / "quickstart-sweep")
    assert status.code == 0
    assert "2 finished trials of study 'quickstart'" in status.out

    other = cli("sweep", write(text.replace("warmup_epochs: 1", "warmup_epochs: 0")), "optim.weight_decay=0.5")
    assert other.code == 1
    assert other.err == (
        f"runner sweep: study 'quickstart' in sqlite:///{tmp_path}/runs/quickstart-sweep/study.db searches another "
        "recipe (optim.weight_decay: 0.01 in the study, 0.5 here); continue it with the recipe and overrides it "
        "began with, or give sweep.study a new name\n"
    )
    written = cli("sweep", "--best", tmp_path / "runs" / "quickstart-sweep", "--output", tmp_path)
    assert written.code == 1 and "no trial of study 'quickstart' has completed yet" in written.err


@pytest.mark.parametrize(
    "params, problem",
    [
        (
            "    hardware.devices:\n      choice:\n        - 1\n        - 2\n",
            "sweep.params.hardware.devices: hardware.devices cannot vary: a sweep trains each trial in one process; "
            "start one `runner sweep` per device",
        ),
        (
            "    optim.lr:\n      choice:\n        - 0.1\n        - 1.0e-1\n",
            "sweep.params.optim.lr: choice lists 0.1 twice, as float; list each value once",
        ),
        (
            "    augment.train:\n      choice:\n        -\n          - name: hflip\n"
            "        -\n          - name: normalize\n",
            "sweep.params.augment.train: a choice is a mapping or a list of them; search the keys inside it, "
            "e.g. augment.train.0.p",
        ),
    ],
)
def test_params_a_trial_cannot_take_are_refused(params, problem, write, cli):
    result = cli("validate", write(with_sweep(params)))
    assert result.code == 2
    assert result.err.split(": ", 1)[1] == problem + "\n"


def test_a_trial_is_judged_by_the_rules_not_by_each_range_against_the_file(write):
    """Each range must fit the recipe as written; a trial's values replace several keys at once."""
    from runner.recipe.errors import RecipeInvalid
    from runner.recipe.stages import load_recipe

    path = write(with_sweep("    data.batch_size:\n      choice:\n        - 64\n        - 4096\n"))
    with pytest.raises(RecipeInvalid, match="data.batch_size = 4096"):
        load_recipe(str(path))
    swept = ["data.val_fraction=0.01", "data.batch_size=1024"]  # 1024 fits the 1779 training images left
    assert load_recipe(str(path), swept, fit=False).data["data"]["batch_size"] == 1024


def test_an_in_memory_storage_is_refused(write, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("sweep", write(QUICKSTART + SWEEP), "sweep.storage=sqlite://")
    assert result.code == 1
    assert "keeps the study in memory only; name a file, sqlite:///sweep.db" in result.err
    assert not (tmp_path / "runs").exists()
