"""Recipes are data and checkpoints from elsewhere are untrusted: nothing in the package loads
YAML unsafely, evaluates code, unpickles, or calls torch.load without weights_only=True; paddle.load
(a pickle reader) is called only where the user or paddle's own cache vouches for the file."""

import re

from tests.conftest import ROOT

FORBIDDEN = {
    "yaml.load(": re.compile(r"\byaml\.(?:unsafe_)?load\("),
    "eval(": re.compile(r"(?<![.\w])eval\("),
    "exec(": re.compile(r"(?<![.\w])exec\("),
    "pickle": re.compile(r"\bimport pickle\b|\bfrom pickle\b|\bpickle\.|\bcloudpickle\b|\bdill\b"),
    "torch.load without weights_only=True": re.compile(r"torch\.load\((?![^)]*weights_only=True)"),
    "importlib.import_module": re.compile(r"import_module\("),
}


def offences(text: str) -> list[str]:
    return [
        f"line {n}: {name}"
        for n, line in enumerate(text.splitlines(), 1)
        for name, pattern in FORBIDDEN.items()
        if pattern.search(line)
    ]


def test_the_package_never_runs_or_unpickles_what_a_file_says():
    found = {str(path.relative_to(ROOT)): offences(path.read_text()) for path in (ROOT / "runner").rglob("*.py")}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_scan_catches_each_forbidden_call():
    samples = [
        "cfg = yaml.load(text)",
        "x = eval(s)",
        "exec(code)",
        "import pickle",
        "state = torch.load(path)",
        "state = torch.load(path, weights_only=False)",
        "import_module(name)",
    ]
    assert [bool(offences(s)) for s in samples] == [True] * len(samples)
    assert not offences("state = torch.load(path, map_location='cpu', weights_only=True)")
    assert not offences("model.eval()")


# paddle.load unpickles: the modules that may call it (or another framework's .load of a path), and
# what vouches for the file there.
PADDLE_LOAD = re.compile(r"\bpaddle\.load\(|\.load\(str\(")
UNPICKLES = {
    "runner/backends/paddle/checkpoint_format.py": "an older runner's checkpoint, with --trust only",
    "runner/backends/paddle/networks.py": "paddle.vision's ImageNet weights, in paddle's md5-checked cache",
    # `runner export` reads back only what it has just written into its own temporary folder, to
    # check it against the framework: no file from elsewhere reaches these.
    "runner/backends/lightning/export.py": "torch.jit.load of the TorchScript file this export wrote",
    "runner/backends/paddle/export.py": "paddle.jit.load of the inference model this export wrote",
    "runner/deploy/onnx_file.py": "onnx.load (protobuf, no pickle) of the ONNX file this export wrote",
}


def test_paddle_unpickles_only_where_the_user_or_paddles_cache_vouches_for_the_file():
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "runner").rglob("*.py")
        if any(PADDLE_LOAD.search(line) for line in path.read_text().splitlines())
    }
    assert found == set(UNPICKLES)
    assert PADDLE_LOAD.search("state = paddle.load(path)") and PADDLE_LOAD.search("model.load(str(prefix))")
