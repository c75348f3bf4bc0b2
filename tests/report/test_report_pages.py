"""The report as a user meets it: a run ends by writing its page, with the same sections on both
backends and figures that agree with `runner eval`; a damaged or unfinished run still gets a page
with the missing parts marked; two runs that differ in one key are compared on exactly that key;
`runner runs` lists them."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.slow  # whole training runs in subprocesses

SECTIONS = ["header", "curves", "confusion", "samples", "gradcam", "features", "calibration"]


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def runs(quickstart_runs) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """The three quickstart runs of tests/report/conftest.py: lightning, lightning-lr and paddle."""
    return quickstart_runs


def sections(index: Path) -> list[str]:
    return re.findall(r'<(?:section|header) id="([a-z]+)"', index.read_text())


def images(index: Path) -> list[Path]:
    return [index.parent / name for name in re.findall(r'<img src="([^"]+)"', index.read_text())]


@pytest.mark.parametrize("name", ["lightning", "paddle"])
def test_a_run_ends_with_its_report_on_either_backend(runs, name):
    path, result = runs[name]
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == f"report: {path.relative_to(path.parent.parent)}/report/index.html"
    index = path / "report/index.html"
    assert sections(index) == SECTIONS
    shown = images(index)
    # curves, confusion, samples, mistakes, Grad-CAM, filters, activations, calibration
    assert len(shown) == 8
    for image in shown:
        with Image.open(image) as opened:
            assert opened.format == "PNG" and min(opened.size) > 50


@pytest.mark.parametrize("name", ["lightning", "paddle"])
def test_per_class_recall_is_what_runner_eval_scores(runs, name, tmp_path):
    path, _ = runs[name]
    scored = runner(tmp_path, "eval", path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    evaluation = __import__("json").loads(next((path / "eval").glob("*-val.json")).read_text())
    page = (path / "report/index.html").read_text()
    for label, accuracy in evaluation["per_class"].items():
        row = re.search(rf'<tr><td>{label}</td><td class="n">[\d.]+</td><td class="n">([\d.]+)</td>', page)
        assert row and float(row.group(1)) == pytest.approx(accuracy, abs=5e-5)


def test_an_unfinished_damaged_run_gets_a_page_with_the_gaps_marked(runs, tmp_path):
    path = tmp_path / "run"
    shutil.copytree(runs["lightning"][0], path, symlinks=True)
    (path / "summary.json").unlink()
    (path / "metrics.csv").write_bytes(b"epoch,step\n0,\xff\xfe\n")
    shutil.rmtree(path / "checkpoints")
    shutil.rmtree(path / "report")
    result = runner(tmp_path, "report", path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "warning: metrics.csv cannot be read" in result.stdout and "warning: no predictions" in result.stdout
    page = (path / "report/index.html").read_text()
    assert sections(path / "report/index.html") == SECTIONS and page.count('class="missing"') == 6
    assert "interrupted" in page
    stray = runner(tmp_path, "report", tmp_path)
    assert stray.returncode == 2 and "is not a run directory" in stray.stderr


def test_two_runs_are_compared_on_the_key_they_differ_in(runs, tmp_path):
    a, b = runs["lightning"][0], runs["lightning-lr"][0]
    result = runner(tmp_path, "report", a, b, "--out", tmp_path / "compare")
    assert result.returncode == 0, result.stderr[-3000:]
    index = tmp_path / "compare/index.html"
    assert sections(index) == ["header", "curves", "results", "differences"]
    differences = index.read_text().split('id="differences"')[1]
    assert re.findall(r"<tr><td>([^<]+)</td>", differences) == ["optim.lr"]
    assert all(image.is_file() for image in images(index))


def test_runner_runs_lists_them_newest_first(runs, tmp_path):
    root = runs["lightning"][0].parent
    listed = runner(tmp_path, "runs", root)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["run", "started", "backend"]
    assert [line.split()[0] for line in lines[1:]] == [p.name for p, _ in reversed(list(runs.values()))]
    assert all(line.split()[-1] == "finished" for line in lines[1:])
