"""Where datasets live by default ($RUNNER_DATA, else the cache folder) and RUNNER_OFFLINE=1:
the network is never touched, and a run with missing data fails at once, before any framework
is loaded, naming the files to place and the folder to place them in."""

import pytest

from tests.conftest import ROOT

CIFAR = ROOT / "recipes" / "resnet18_cifar10.yaml"


def test_offline_runs_and_downloads_fail_at_once_without_a_request(tmp_path, monkeypatch, host, cli):
    mirror = host.serve({"cifar-10-binary.tar.gz": b"would be fetched"})
    monkeypatch.setenv("RUNNER_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    run = cli("run", CIFAR, f"data.root={tmp_path / 'data'}", f"data.mirror={mirror}")
    assert run.code == 1 and "Traceback" not in run.err
    assert (
        f"missing cifar-10-binary.tar.gz in {tmp_path / 'data' / 'cifar10'}/" in run.err
        and "RUNNER_OFFLINE is set" in run.err
        and "unset RUNNER_OFFLINE" in run.err
    )
    fetched = cli("download", "cifar10", "--root", tmp_path / "data", "--mirror", mirror)
    assert fetched.code == 1 and "RUNNER_OFFLINE is set" in fetched.err
    assert host.requests == [] and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("value, is_offline", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_offline_is_any_value_but_empty_or_0(monkeypatch, value, is_offline):
    from runner.recipe.environment import offline

    monkeypatch.setenv("RUNNER_OFFLINE", value)
    assert offline() is is_offline


def test_data_root_defaults_to_runner_data_then_the_cache_folder(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("RUNNER_DATA", str(tmp_path / "shared"))
    assert f"  root: {tmp_path / 'shared'}\n" in cli("show", CIFAR).out
    monkeypatch.delenv("RUNNER_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert f"  root: {tmp_path / 'cache' / 'runner' / 'datasets'}\n" in cli("show", CIFAR).out
    listed = [line for line in cli("download", "--list").out.splitlines() if line.startswith("cifar10 ")]
    assert str(tmp_path / "cache" / "runner" / "datasets" / "cifar10") in listed[0] and listed[0].endswith("missing")
    assert "  root: mine\n" in cli("show", CIFAR, "data.root=mine").out  # the recipe's own wins


@pytest.mark.parametrize("backend", ["lightning", "paddle"])
def test_offline_pretrained_weights_come_from_the_cache_or_not_at_all(tmp_path, monkeypatch, backend):
    from runner.recipe.errors import RunFailed
    from runner.recipe.stages import compile_file

    monkeypatch.setenv("RUNNER_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # an empty torch.hub cache
    program = compile_file(
        str(ROOT / "recipes/quickstart.yaml"),
        ["model.backbone=resnet18", "model.pretrained=true", f"backend={backend}"],
    )[1]
    if backend == "lightning":
        import torch.hub

        from runner.backends.lightning.networks import build_network

        monkeypatch.setattr(torch.hub, "load_state_dict_from_url", lambda *a, **k: pytest.fail("fetched"))
        cache = tmp_path / "hub" / "checkpoints"
    else:
        import paddle.utils.download

        from runner.backends.paddle.networks import build_network

        monkeypatch.setattr(paddle.utils.download, "WEIGHTS_HOME", str(tmp_path / "weights"))
        monkeypatch.setattr(paddle.utils.download, "get_weights_path_from_url", lambda *a: pytest.fail("fetched"))
        cache = tmp_path / "weights"
    with pytest.raises(
        RunFailed, match=f"RUNNER_OFFLINE is set and they are not in the cache.*place resnet18.* in {cache}/"
    ):
        build_network(program)
