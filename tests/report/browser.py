"""A report page as a browser shows it: headless Chromium (Debian's `chromium`, driven by
Playwright) opens the page from file://, with every request that is not a local file refused,
and says what it saw: console errors, each image's natural width, the section headings; and
takes a screenshot. Used by the browser test and by `make screenshot` for the README."""

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


@dataclass
class Seen:
    errors: list[str]  # console errors and uncaught page errors
    images: list[tuple[str, int]]  # (src, naturalWidth): 0 when it did not decode
    headings: list[str]
    remote: list[str]  # requests for anything but a local file (refused)


def chromium() -> str:
    """The browser's path; a missing one fails the test in CI (CI=true), else skips it."""
    found = next((shutil.which(name) for name in CANDIDATES if shutil.which(name)), None)
    if found is None:
        message = "no Chromium: `make install` installs Debian's chromium when run as root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def look(index: Path, screenshot: Path | None = None, browser: str | None = None, full: bool = True) -> Seen:
    from playwright.sync_api import sync_playwright

    seen = Seen([], [], [], [])
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        launched = playwright.chromium.launch(executable_path=browser or chromium(), args=["--no-sandbox"])
        page = launched.new_page(viewport={"width": 1280, "height": 1400})
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.route("**/*", lambda route: _local_only(route, seen))
        page.goto(index.resolve().as_uri(), wait_until="load")
        seen.images = page.eval_on_selector_all("img", "all => all.map(i => [i.getAttribute('src'), i.naturalWidth])")
        seen.headings = page.eval_on_selector_all("h1, h2", "all => all.map(h => h.textContent)")
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=full)
        launched.close()
    return seen


def _local_only(route, seen: Seen) -> None:
    if route.request.url.startswith("file://"):
        route.continue_()
        return
    seen.remote.append(route.request.url)
    route.abort()


if __name__ == "__main__":  # python -m tests.report.browser RUN_DIR/report/index.html OUT.png
    look(Path(sys.argv[1]), Path(sys.argv[2]), full=False)
    print(f"wrote {sys.argv[2]}")
