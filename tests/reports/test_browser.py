"""The report in Debian's Chromium: it opens with the network blocked and passes axe.

Needs /usr/bin/chromium (``make install-dev`` runs scripts/install-system-packages.sh) and
node_modules/axe-core (``npm ci``). Missing tools fail the test with the command to run,
rather than skipping silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import axe_source, launch_chromium, serious_violations

from .conftest import Run


def _open(run: Run, playwright: Any) -> tuple[Any, Any, list[str]]:
    browser = launch_chromium(playwright)
    page = browser.new_page()
    attempted: list[str] = []

    def block(route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    page.route("**/*", block)
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file://", "data:")) else attempted.append(r.url),
    )
    page.goto((run.out / "rapport.html").as_uri(), wait_until="load")
    return browser, page, attempted


@pytest.mark.slow
def test_report_opens_offline_and_passes_axe(run: Run) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page, attempted = _open(run, p)
        try:
            assert page.title().startswith("Wie zijn de huishoudens")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete && e.naturalWidth > 0, e.alt.length])"
            )
            assert images and all(ok and alt > 20 for ok, alt in images)
            assert page.locator("[data-banner=synthetisch]").is_visible()
            page.add_script_tag(content=axe_source())
            bad, result = serious_violations(
                page, ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
            )
            page.wait_for_timeout(200)
        finally:
            browser.close()
    assert attempted == []
    assert bad == []
    assert len(result["passes"]) > 10


@pytest.mark.slow
def test_network_block_would_catch_a_request(run: Run, tmp_path: Path) -> None:
    """The route check is not vacuous: a page with a remote image is caught."""
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "rapport.html"
    page_path.write_text(
        '<!DOCTYPE html><html lang="nl"><title>t</title>'
        '<img src="https://example.org/x.png" alt="x"></html>',
        encoding="utf-8",
    )
    fake = Run(run.result, tmp_path, run.households)
    with sync_playwright() as p:
        browser, _page, attempted = _open(fake, p)
        browser.close()
    assert any(u.startswith("https://example.org/") for u in attempted)


@pytest.mark.slow
def test_outreach_plan_and_curve_fit_a_390_px_phone(run: Run) -> None:
    """On a 390 px screen every column of the plan tables and of the young-children table is
    visible without scrolling, and the curve is shown at its own size (its 12 px text is not
    scaled below 11 px)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto((run.out / "rapport.html").as_uri(), wait_until="load")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            tables = page.evaluate(
                """() => [...document.querySelectorAll('table.narrow')].map(t => [
                    t.dataset.tabel, t.closest('.table-wrap').clientWidth,
                    t.closest('.table-wrap').scrollWidth])"""
            )
            curve = page.evaluate(
                """() => { const img = document.querySelector('#bereik-curve-grafiek img');
                    return [img.naturalWidth, img.getBoundingClientRect().width]; }"""
            )
        finally:
            browser.close()
    keys = {key for key, _, _ in tables}
    assert {"bereikplan", "jonge-kinderen-per-wijk"} <= keys
    assert [t for t in tables if t[2] > t[1]] == []
    natural, shown = curve
    assert natural <= 320 and shown >= natural - 0.5
