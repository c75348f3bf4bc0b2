"""The report in a real browser: headless Chromium opens a run's page and a comparison page from
file:// with no network, logs no console error, decodes every image, shows every section's
heading, and a screenshot is saved."""

import subprocess
import sys

import pytest

from tests.report.browser import chromium, look

pytestmark = pytest.mark.slow  # training runs in subprocesses

HEADINGS = ["Curves", "Confusion matrix", "Samples", "Grad-CAM", "Feature maps", "Calibration"]


def runner(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "runner", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_the_pages_load_whole_in_a_browser_with_no_network(tmp_path, quickstart_runs):
    browser = chromium()
    # Two quickstart runs, lr 0.003 and 0.002, each ended by writing its page (tests/report/conftest.py).
    runs = [quickstart_runs[name][0] for name in ("lightning", "lightning-lr")]
    compared = runner(tmp_path, "report", *runs, "--out", tmp_path / "compare")
    assert compared.returncode == 0, compared.stderr[-3000:]

    single = look(runs[0] / "report/index.html", tmp_path / "report.png", browser)
    assert single.errors == [] and single.remote == []
    assert len(single.images) == 8 and all(width > 0 for _, width in single.images), single.images
    assert single.headings[0] == "quickstart" and single.headings[1:] == HEADINGS
    assert (tmp_path / "report.png").stat().st_size > 10_000

    comparison = look(tmp_path / "compare/index.html", tmp_path / "compare.png", browser)
    assert comparison.errors == [] and comparison.remote == []
    assert comparison.images and all(width > 0 for _, width in comparison.images)
    assert comparison.headings == ["Comparison of 2 runs", "Curves", "Results", "Recipe differences"]
