"""The caseload and the resident page on a phone (360 px) in Debian's Chromium: nothing
wider than the screen, the header leaves room for the content, and every resident's name
and traffic light are on screen (issue 15: 722 px wide at 390 px, a 310 px header)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.demo import create_demo
from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

from .factories import authenticator

WIDTH, HEIGHT = 360, 740


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_caseload_and_header_fit_a_phone(live_server: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    accounts = {a.username: a for a in create_demo(date.today())}
    token = authenticator(User.objects.get(username="consulent"))
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url)
            page = app.page
            page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
            log_in(page, live_server.url, "consulent", accounts["consulent"].password, token)
            page.goto(f"{live_server.url}{reverse('casework:caseload')}")
            page.locator("h1").first.wait_for()
            page.screenshot(path=str(shots / "caseload-360.png"), full_page=False)
            page.screenshot(path=str(shots / "caseload-360-full.png"), full_page=True)
            widest = page.evaluate("document.documentElement.scrollWidth")
            header = page.locator("header").first.bounding_box()
            heading = page.locator("h1").first.bounding_box()
            problems = wcag_problems(page)
            rows = page.locator("[data-resident]")
            names_on_screen = page.evaluate(
                """(w) => [...document.querySelectorAll('[data-resident]')].every(
                    r => r.getBoundingClientRect().right <= w + 1)""",
                WIDTH,
            )
            count = rows.count()
            first = rows.first.get_attribute("href") if count else None
            if first:
                page.goto(f"{live_server.url}{first}")
                page.locator("h1").first.wait_for()
                page.screenshot(path=str(shots / "resident-360.png"), full_page=True)
                resident_widest = page.evaluate("document.documentElement.scrollWidth")
            else:
                resident_widest = 0
        finally:
            browser.close()
    assert widest <= WIDTH, f"caseload is {widest} px wide on a {WIDTH} px screen"
    assert header is not None and heading is not None
    # Brand and language, menu, account: three short rows (was 310 px of an 844 px screen).
    assert header["height"] <= 0.27 * HEIGHT, f"header takes {header['height']:.0f} px"
    assert heading["y"] < 0.35 * HEIGHT
    assert count > 0 and names_on_screen
    assert resident_widest <= WIDTH, f"resident page is {resident_widest} px wide"
    assert problems == []
    assert app.blocked == [] and app.console_errors == []
