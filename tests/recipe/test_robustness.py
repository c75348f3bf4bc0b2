"""However broken the input, the user gets a located message and exit status 2, never a traceback."""

import pytest

from tests.conftest import QUICKSTART

BROKEN = {
    "empty": (b"", "my.yaml:1: is empty; start from `runner cp quickstart my.yaml`"),
    "only comments": (b"# nothing\n\n", "my.yaml:1: is empty"),
    "binary junk": (bytes(range(256)) * 4, "my.yaml:2: is not UTF-8 text (byte 128)"),
    "NUL byte": (
        b"schema_version: 1\n\nname: a\x00b\n",
        "my.yaml:3: contains a NUL byte, so it is not a text YAML file; check that this is the recipe you meant",
    ),
    "control character": (
        b"name: a\x07b\n",
        "my.yaml:1: contains the control character U+0007, which YAML does not allow; remove that character",
    ),
    "900 nested mappings": (
        "".join("  " * i + f"k{i}:\n" for i in range(900)).encode(),
        "my.yaml:65: is nested deeper than 64 levels; a recipe needs a handful; check the indentation of this line\n",
    ),
    "900 nested list items": (b"a:\n  " + b"- " * 900 + b"x\n", "my.yaml:2: is nested deeper than 64 levels"),
    "not utf-8": (b"name: caf\xe9\n", "my.yaml:1: is not UTF-8 text (byte 9); save the recipe as UTF-8 YAML"),
    "tabs": (
        b"schema_version: 1\n\tname: x\n",
        "my.yaml:2: invalid YAML: found character '\\t' that cannot start any token; indent with spaces, not tabs",
    ),
    "top-level list": (b"- name: x\n- name: y\n", "my.yaml:1: a recipe is a mapping of sections, not a list"),
    "a scalar": (b"hello\n", "my.yaml:1: a recipe is a mapping of sections, not a single value"),
    "anchor": (b"a: &x 1\nb: *x\n", "my.yaml:1: anchors and aliases (&, *) are not allowed"),
    "tag": (b"seed: !!int 3\n", "my.yaml:1: YAML tags (!!type) are not allowed"),
    "bad indent": (b"model:\n  backbone: x\n pretrained: y\n", "my.yaml:3: invalid YAML"),
    "unclosed quote": (b"name: 'x\n", "my.yaml:2: invalid YAML: found unexpected end of stream"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_file(case, tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, expected = BROKEN[case]
    (tmp_path / "my.yaml").write_bytes(data)
    result = cli("validate", "my.yaml")
    assert result.code == 2
    assert result.err.startswith(expected), result.err
    assert "Traceback" not in result.err and result.out == ""


def test_huge_numbers_are_range_errors(write, cli):
    path = write(QUICKSTART.replace("epochs: 20", "epochs: 99999999999999999999999").replace("lr: 0.003", "lr: 1e999"))
    result = cli("validate", path)
    assert result.code == 2
    assert "train.epochs: 99999999999999999999999 is above the maximum 100000" in result.err
    assert "optim.lr: '1e999' is not a number" in result.err


def test_missing_file_and_directory(tmp_path, cli):
    result = cli("validate", tmp_path / "nope.yaml")
    assert result.code == 2 and "nope.yaml: no such file" in result.err
    result = cli("validate", tmp_path)
    assert result.code == 2 and "is a directory, not a regular file" in result.err


def test_every_section_missing_is_reported_at_once(write, cli):
    path = write("schema_version: 2\n")
    lines = cli("validate", path).err.splitlines()
    assert f"{path}:1: schema_version: 2 is not allowed; choose one of: 1" in lines
    for key in ("name", "model", "data", "optim"):
        assert any(f": {key}: is missing; add it (" in line for line in lines), key


def test_sections_of_the_wrong_shape(write, cli):
    path = write("""
        schema_version: 1
        name: x
        model: resnet18
        data:
          - dataset: digits
        optim:
          name: adamw
          lr: 0.1
        """)
    result = cli("validate", path)
    assert result.code == 2
    assert result.err.splitlines() == [
        f"{path}:3: model: 'resnet18' is not a mapping (one 'key: value' per line)",
        f"{path}:4: data: a list is not a mapping (one 'key: value' per line)",
    ]


def test_several_recipes_report_every_error(write, cli):
    good = write(QUICKSTART, "good.yaml")
    bad = write(QUICKSTART.replace("seed: 0", "seed: -1"), "bad.yaml")
    result = cli("validate", good, bad)
    assert result.code == 2
    assert result.out == f"OK {good}\n"
    assert result.err.strip().endswith("seed: -1 is below the minimum 0; use a value of at least 0")


@pytest.mark.parametrize(
    "override", ["=5", "train..epochs=5", "train.epochs.x=5", "model.backbone.0=x", "augment.train.x.p=1", "seed.0=1"]
)
def test_malformed_overrides(override, write, cli):
    result = cli("validate", write(QUICKSTART), override)
    assert result.code == 2
    assert result.err.startswith(f"override {override}: "), result.err
