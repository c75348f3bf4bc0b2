"""A sweep on the synthetic smoke recipe, in this process: the grid runs two good learning rates and
a hopeless one (3.0: the loss stays finite, the accuracy at chance), in that order (Optuna's grid
is shuffled by its seed: 5 gives this one); the median pruner stops the hopeless one after its first
validation (on both backends); the best trial beats the worst; each trial is a run directory that
`runner run TRIAL/resolved.yaml` reproduces; --status and --best read the study back."""

import json

import optuna
import pytest

from runner.run import record
from tests.conftest import ROOT

SMOKE = (ROOT / "recipes" / "smoke" / "synthetic.yaml").read_text()
SWEEP = """sweep:
  trials: 3
  params:
    optim.lr:
      choice:
        - 0.003
        - 0.01
        - 3.0
  sampler:
    name: grid
    seed: 5
  pruner:
    name: median
    n_startup_trials: 2
"""
SHORT = ["train.epochs=3", "data.train_size=256", "data.val_size=128"]


def trials_of(folder) -> list[optuna.trial.FrozenTrial]:
    return optuna.load_study(study_name="smoke_synthetic", storage=f"sqlite:///{folder / 'study.db'}").trials


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_a_grid_sweep_learns_prunes_the_hopeless_rate_and_records_each_trial(
    backend, write, cli, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    recipe = write(SMOKE + SWEEP)
    result = cli("sweep", recipe, f"backend={backend}", *SHORT)
    assert result.code == 0, result.err
    folder = tmp_path / "runs" / "smoke_synthetic-sweep"
    trials = trials_of(folder)
    assert [t.params["optim.lr"] for t in trials] == [0.003, 0.01, 3.0]
    assert [t.state.name for t in trials] == ["COMPLETE", "COMPLETE", "PRUNED"]
    assert list(trials[2].intermediate_values) == [0]  # stopped after its first validation
    assert max(t.value for t in trials[:2]) > 0.6 > trials[2].intermediate_values[0]

    for t in trials:
        run = folder / f"trial-{t.number:03d}"
        assert t.user_attrs["run_dir"] == str(folder.relative_to(tmp_path) / run.name)
        provenance = json.loads((run / "provenance.json").read_text())
        assert provenance["sweep"] == {"study": "smoke_synthetic", "trial": t.number, "params": t.params}
        resolved = (run / "resolved.yaml").read_text()
        assert f"\n  lr: {t.params['optim.lr']}\n" in resolved
        assert "\nsweep:" not in resolved
        assert cli("validate", run / "resolved.yaml").code == 0
    assert record.read(folder / "trial-002").status.startswith("pruned: val_acc")
    assert record.read(folder / "trial-000").status == "finished"

    status = cli("sweep", "--status", recipe, f"backend={backend}")
    assert status.code == 0
    best = max(trials[:2], key=lambda t: t.value)
    assert f"best: trial {best.number}, val_acc {best.value:.4f}: optim.lr={best.params['optim.lr']}" in status.out
    assert (folder / "plots" / "history.png").is_file()
    page = cli("report", folder)
    assert page.code == 0 and page.out == f"report: {folder / 'report' / 'index.html'}\n"
    html = (folder / "report" / "index.html").read_text()
    assert "../plots/importances.png" in html and f"best: trial {best.number}" in html

    assert cli("sweep", "--best", folder, "--output", tmp_path / "best.yaml").code == 0
    written = (tmp_path / "best.yaml").read_text()
    assert written.startswith(f"# Written by `runner sweep --best` from trial {best.number}")
    assert f"\n  lr: {best.params['optim.lr']}\n" in written and "\nsweep:" not in written
    assert f"\nbackend: {backend}\n" in written
    assert cli("validate", tmp_path / "best.yaml").code == 0
