"""A real browser for the page tests: Debian's chromium, driven by playwright.

playwright cannot download its own browsers here, so it drives the system one through
``executable_path``. A missing chromium or playwright is a failure, not a skip: CI
installs both (see .ci/run), and a test that quietly skips tests nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@contextmanager
def chromium() -> Iterator[Any]:
    """One browser for a whole test module."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is not installed: apt-get install chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_of(browser: Any, url: str, width: int = 1280, height: int = 720) -> Iterator[Any]:
    """A page at ``url``; any console error, page error or dialog fails the test."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(5000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(url)
    try:
        yield page
        assert not problems, problems
    finally:
        page.close()
