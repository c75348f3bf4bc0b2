"""`runner download` as a user runs it ahead of training: datasets fetched verified from a host
or a mirror, `--list` showing what is present, and the datasets that cannot be fetched explained."""

from tests.conftest import ROOT
from tests.data.fake_datasets import expect, make


def test_download_fetches_from_a_mirror_and_list_shows_it_verified(tmp_path, monkeypatch, server, cli):
    files = make("mnist")[0]
    expect(monkeypatch, "mnist", files, base_url="https://unreachable.invalid/")
    root = tmp_path / "data"
    assert "missing" in cli("download", "--list", "--root", root).out
    mirror = server(files)
    result = cli("download", "mnist", "--root", root, "--mirror", mirror)
    assert result.code == 0, result.out + result.err
    assert f"mnist: present and verified in {root / 'mnist'}" in result.out
    listed = [line for line in cli("download", "--list", "--root", root).out.splitlines() if line.startswith("mnist ")]
    assert listed and listed[0].endswith("present and verified")


def test_the_mirror_can_come_from_the_environment(tmp_path, monkeypatch, server, cli):
    files = make("cifar10")[0]
    expect(monkeypatch, "cifar10", files, base_url="https://unreachable.invalid/")
    monkeypatch.setenv("RUNNER_DATASET_MIRROR", server(files))
    result = cli("download", "cifar10", "--root", tmp_path)
    assert result.code == 0, result.out + result.err
    assert (tmp_path / "cifar10/cifar-10-batches-bin/test_batch.bin").is_file()


def test_what_cannot_be_fetched_is_explained(tmp_path, cli):
    imagenet = cli("download", "imagenet", "--root", tmp_path)
    assert imagenet.code == 1 and "https://image-net.org" in imagenet.out
    assert f"{tmp_path}/imagenet/train/<wnid>/*.JPEG" in imagenet.out
    unknown = cli("download", "cifar11")
    assert unknown.code == 2 and "did you mean 'cifar10'?" in unknown.err
    offline = cli("download", "mnist", "--root", tmp_path, "--mirror", "http://127.0.0.1:9/")
    assert offline.code == 1 and "could not reach the host" in offline.err and "Traceback" not in offline.err


def test_a_mirror_must_be_an_http_url(tmp_path, cli, write):
    assert (
        "--mirror: 'mirror.local/data' is not an http:// or https:// base URL"
        in cli("download", "mnist", "--root", tmp_path, "--mirror", "mirror.local/data").err
    )
    recipe = write((ROOT / "recipes/mnist_cnn.yaml").read_text())
    result = cli("validate", recipe, "data.mirror=file:///srv/data")
    assert (
        result.code == 2
        and "override data.mirror=file:///srv/data: 'file:///srv/data' is not an http:// or https:// base URL"
        in result.err
    )
