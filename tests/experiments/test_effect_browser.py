"""The experiment's report in Debian's Chromium, at 1366 px and on a 390 px phone.

Needs /usr/bin/chromium and node_modules/axe-core (see tests/reports/test_browser.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bestaanszekerheid.disclosure import ReleaseRegister
from bestaanszekerheid.experiments.demo import demo_section
from bestaanszekerheid.experiments.report import CLASS_FOREST_KEY, FOREST_KEY
from bestaanszekerheid.reports.html import write_html
from tests.browser import axe_source, launch_chromium, wcag_problems

#: Tables a phone shows whole (no sideways scrolling): short headers, narrow layout.
PHONE_TABLES = (
    "kleinst-aantoonbaar-effect",
    "effect-armgrootte",
    "effect-arm-geslacht",
    "effect-arm-leeftijdsgroep",
    "effecten-per-groep-toets-1",
    "uitval-welzijn",
)


@pytest.fixture(scope="module")
def page_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, section = demo_section(ReleaseRegister(), reps=0)
    out = tmp_path_factory.mktemp("effectmeting") / "effectmeting.html"
    return write_html(section.report(created="2026-01-01"), out)


def _charts(page: Any) -> dict[str, tuple[float, float, bool]]:
    """Per forest plot: the natural width of the picture shown, its width on the page, and
    whether the phone version is the one shown."""
    found = page.evaluate(
        """(keys) => keys.map(k => { const img = document.querySelector(`#${k} img`);
            return [k, img.naturalWidth, img.getBoundingClientRect().width,
                    img.currentSrc !== img.src]; })""",
        [FOREST_KEY, f"{CLASS_FOREST_KEY}-1"],
    )
    return {k: (w, shown, narrow) for k, w, shown, narrow in found}


@pytest.mark.slow
def test_experiment_report_at_desktop_and_phone_width(page_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            desktop = browser.new_page(viewport={"width": 1366, "height": 900})
            desktop.goto(page_path.as_uri(), wait_until="load")
            wide = _charts(desktop)
            desktop.add_script_tag(content=axe_source())
            problems = wcag_problems(desktop)
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(page_path.as_uri(), wait_until="load")
            phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            narrow = _charts(phone)
            tables = phone.evaluate(
                """() => [...document.querySelectorAll('table')].map(t => [t.dataset.tabel,
                    t.closest('.table-wrap').clientWidth, t.closest('.table-wrap').scrollWidth])"""
            )
            page_width = phone.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()
    assert problems == []
    for key, (natural, shown, is_narrow) in wide.items():
        # On a desktop the wide plot, not scaled down.
        assert not is_narrow and natural > 500 and shown >= natural - 0.5, key
    for key, (natural, shown, is_narrow) in narrow.items():
        # On a phone its own version, at most 320 px wide and shown at full size: the
        # 12 px labels are not scaled down.
        assert is_narrow and natural <= 320 and shown >= natural - 0.5, key
    assert page_width <= 390
    overflow = {k: (w, s) for k, w, s in tables if k in PHONE_TABLES and s > w}
    assert overflow == {}
    assert {k for k, _, _ in tables} >= set(PHONE_TABLES)
