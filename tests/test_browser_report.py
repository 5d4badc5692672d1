"""The training report in a real browser: charts drawn, the boundary animates, the graph
snapshots switch, and nothing errs."""

import pytest
from browser import chromium, page_of

from nn import TwoLayerNet
from nn.datasets import load_dataset


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    X, y = load_dataset("flower")
    path = tmp_path_factory.mktemp("report") / "report.html"
    TwoLayerNet(2, 4, 1, activation="tanh", loss="bce", seed=0).fit(
        X, y, epochs=40, lr=1.2, verbose=False, validation_data=(X[:50], y[:50]), report=path)
    return path


def test_the_report_draws_and_animates(browser, report):
    with page_of(browser, report.as_uri(), height=900) as page:
        page.wait_for_selector("body[data-ready]")
        for chart in ("#rp-loss", "#rp-acc", "#rp-norms"):
            assert page.locator(f"{chart} path.rp-line").count() >= 2
        assert page.locator("#rp-norms .rp-key").count() == 4  # one line per parameter
        last = page.locator("body").get_attribute("data-frame")
        assert page.locator("#rp-epoch").text_content().startswith("epoch 40 of 40")
        page.locator("#rp-frame").fill("0")
        assert page.locator("body").get_attribute("data-frame") == "0"
        assert page.locator("#rp-epoch").text_content().startswith("epoch 1 of 40")
        page.locator("#rp-play").click()
        page.wait_for_function(f"document.body.getAttribute('data-frame') === '{last}'")


def test_the_graph_snapshots_switch_and_show_the_overlay(browser, report):
    with page_of(browser, report.as_uri(), height=900) as page:
        page.wait_for_selector("body[data-ready]")
        page.wait_for_function(
            "document.querySelectorAll('.gg-explorer[data-ready]').length === 4")
        shots = page.locator(".rp-snapshot")
        assert [s.is_visible() for s in shots.all()] == [False, False, False, True]
        page.locator("#rp-snapshots button").first.click()
        assert [s.is_visible() for s in shots.all()] == [True, False, False, False]
        first = shots.first.locator(".gg-explorer")
        assert "gg-overlay-on" in first.get_attribute("class")
        assert first.get_attribute("data-phase") == "backward"
        assert "Gradient health" in first.locator(".gg-panel").text_content()
