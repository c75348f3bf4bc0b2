"""A user's own archive of image folders: `runner download folder --url --sha256` and the recipe
keys data.url and data.sha256. Fetched from a server on 127.0.0.1, kept only when its SHA-256
matches, extracted safely into data.root, and named back to the user as the train_dir to use."""

import hashlib
import io
import zipfile

from tests.data.fake_datasets import tar_gz
from tests.data.test_folder_data import RECIPE

PNG = bytes.fromhex("89504e470d0a1a0a")  # the bytes only need to exist: nothing is decoded here


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FLOWERS = tar_gz({f"flowers/{c}/{i}.png": PNG for c in ("daisy", "roses") for i in range(3)})


def test_download_folder_fetches_verifies_extracts_and_names_the_train_dir(tmp_path, host, cli):
    url = host.serve({"flowers.tar.gz": FLOWERS}) + "flowers.tar.gz"
    root = tmp_path / "data"
    result = cli("download", "folder", "--url", url, "--sha256", sha(FLOWERS), "--root", root)
    assert result.code == 0, result.err
    assert f"folder: {url} verified and extracted into {root / 'flowers'}/" in result.out
    assert (
        f"in a recipe: data.train_dir: {root / 'flowers'} (its 2 subfolders are the classes: daisy, roses)"
    ) in result.out
    assert sorted(p.name for p in (root / "flowers" / "roses").iterdir()) == ["0.png", "1.png", "2.png"]
    again = cli("download", "folder", "--url", url, "--sha256", sha(FLOWERS), "--root", root)
    assert again.out == result.out and len(host.requests) == 1  # fetched and extracted once


def test_an_archive_of_train_and_val_names_both_folders(tmp_path, host, cli):
    archive = zipped({f"{part}/{c}/0.png": PNG for part in ("train", "val") for c in ("a", "b")})
    url = host.serve({"set.zip": archive}) + "set.zip"
    result = cli("download", "folder", "--url", url, "--sha256", sha(archive), "--root", tmp_path)
    assert result.code == 0, result.err  # two top-level folders: gathered under set/
    assert f"data.train_dir: {tmp_path / 'set' / 'train'}, data.val_dir: {tmp_path / 'set' / 'val'}" in result.out


def test_a_wrong_hash_keeps_nothing(tmp_path, host, cli):
    url = host.serve({"flowers.tar.gz": FLOWERS}) + "flowers.tar.gz"
    result = cli("download", "folder", "--url", url, "--sha256", "0" * 64, "--root", tmp_path)
    assert result.code == 1 and "Traceback" not in result.err
    assert f"failed the sha256 check: expected {'0' * 64}, got {sha(FLOWERS)}" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]


def test_a_pinned_archive_with_a_hostile_member_is_refused_whole(tmp_path, host, cli):
    hostile = tar_gz({"flowers/daisy/0.png": PNG}, {"flowers/roses": "/etc"})
    url = host.serve({"flowers.tar.gz": hostile}) + "flowers.tar.gz"
    result = cli("download", "folder", "--url", url, "--sha256", sha(hostile), "--root", tmp_path / "data")
    assert result.code == 1 and "refused to extract an unsafe member" in result.err and "flowers/roses" in result.err
    assert not (tmp_path / "data" / "flowers").exists()
    assert not [p for p in (tmp_path / "data").iterdir() if p.name.endswith(".extracting")]


def test_a_recipe_fetches_its_archive_and_says_where_train_dir_should_point(tmp_path, host, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = host.serve({"flowers.tar.gz": FLOWERS}) + "flowers.tar.gz"
    recipe = tmp_path / "my.yaml"
    recipe.write_text(RECIPE)
    keys = [
        "data.train_dir=data/photos",
        f"data.url={url}",
        f"data.sha256={sha(FLOWERS)}",
        "data.root=data",
        "data.val_dir=",
        "data.val_fraction=0.2",
        "data.batch_size=2",
    ]
    shown = cli("show", recipe, *keys)
    assert f"not counted yet: data.train_dir: data/photos is not there yet; `runner run` fetches {url}" in shown.out
    assert host.requests == []  # show never downloads
    result = cli("run", recipe, *keys)
    assert result.code == 1 and "Traceback" not in result.err
    assert (
        f"data.train_dir: data/photos is not a folder; {url} was extracted to data/flowers/, so set "
        "data.train_dir: data/flowers (its 2 subfolders"
    ) in result.err
    monkeypatch.setenv("RUNNER_OFFLINE", "1")  # extracted once: needed neither network nor archive
    (tmp_path / "data" / "flowers.tar.gz").unlink()
    fixed = cli("show", recipe, *keys[1:], "data.train_dir=data/flowers")
    assert fixed.code == 0 and "2 classes" in fixed.out


def test_url_and_sha256_are_checked_before_anything_runs(tmp_path, cli):
    recipe = tmp_path / "my.yaml"
    recipe.write_text(RECIPE)
    recipe.write_text(RECIPE.replace("  val_dir: photos/val\n", "  url: ftp://host/x.zip\n"))
    result = cli("validate", recipe)
    line = RECIPE.splitlines().index("  val_dir: photos/val") + 1
    assert result.code == 2
    assert f"my.yaml:{line}: data.url: 'ftp://host/x.zip' is not an http:// or https:// URL" in result.err
    assert f"my.yaml:{line}: data.url: an archive is fetched only with its sha256; add sha256: <64 hex" in result.err
    usage = cli("download", "folder", "--url", "https://example.org/x.zip")
    assert usage.code == 2 and "--url and --sha256 go together" in usage.err
    short = cli("download", "folder", "--url", "https://example.org/x.zip", "--sha256", "abc")
    assert short.code == 2 and "--sha256: 'abc' is not a SHA-256 (64 hex digits)" in short.err


def test_an_archive_cannot_take_the_place_of_an_official_dataset(tmp_path, host, cli):
    posing = tar_gz({"cifar10/cifar-10-batches-bin/test_batch.bin": b"x"})
    url = host.serve({"posing.tar.gz": posing}) + "posing.tar.gz"
    result = cli("download", "folder", "--url", url, "--sha256", sha(posing), "--root", tmp_path)
    assert (
        result.code == 1
        and f"would be extracted to {tmp_path / 'cifar10'}/, the folder of the cifar10 dataset" in result.err
    )
    assert not (tmp_path / "cifar10").exists()


def test_a_folder_extracted_before_its_note_was_written_is_used(tmp_path, host, cli):
    url = host.serve({"flowers.tar.gz": FLOWERS}) + "flowers.tar.gz"
    args = ("download", "folder", "--url", url, "--sha256", sha(FLOWERS), "--root", tmp_path)
    assert cli(*args).code == 0
    (tmp_path / "flowers.tar.gz.extracted").unlink()  # as if killed between the rename and the note
    again = cli(*args)
    assert again.code == 0 and f"extracted into {tmp_path / 'flowers'}/" in again.out
    assert (tmp_path / "flowers.tar.gz.extracted").is_file() and len(host.requests) == 1
