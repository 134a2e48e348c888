"""The measurement section of the resident page and the measurement form on a phone (390 px)
in Debian's Chromium, on the demo organisation: nothing wider than the screen, no WCAG
problems, and a screenshot of each to look at (issue 16)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.demo import create_demo
from bestaanszekerheid.web.trajectories.models import Trajectory
from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

from .factories import authenticator

WIDTH, HEIGHT = 390, 844


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_measurements_fit_a_phone(live_server: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    accounts = {a.username: a for a in create_demo(date.today())}
    consultant = User.objects.get(username="consulent")
    token = authenticator(consultant)
    # Database reads outside Playwright's greenlet (see test_browser.py).
    measured = (
        Trajectory.objects.filter(consultant=consultant, status="open")
        .annotate(n=Count("measurements"))
        .filter(n__gte=2)
        .order_by("id")
        .first()
    )
    assert measured is not None, "the demo has trajectories measured twice"
    resident_url = reverse("casework:resident", args=[measured.resident_id])
    form_url = reverse("evaluation:measurement-create", args=[measured.pk])
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url)
            page = app.page
            page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
            log_in(page, live_server.url, "consulent", accounts["consulent"].password, token)
            page.goto(f"{live_server.url}{resident_url}")
            section = page.locator("#metingen")
            section.wait_for()
            section.screenshot(path=str(shots / "metingen-390.png"))
            results["section"] = (
                page.evaluate("document.documentElement.scrollWidth"),
                section.locator("svg.zrm-chart").count(),
                section.locator("table").count(),
                wcag_problems(page),
            )
            page.goto(f"{live_server.url}{form_url}")
            page.locator("h1").first.wait_for()
            page.screenshot(path=str(shots / "meting-formulier-390.png"), full_page=True)
            # A rejected form (no scores) keeps its Dutch message within the screen too.
            page.get_by_role("button", name="Meting opslaan").click()
            page.get_by_text("Vul minstens één score in").wait_for()
            results["form"] = (
                page.evaluate("document.documentElement.scrollWidth"),
                wcag_problems(page),
            )
        finally:
            browser.close()
    widest, charts, tables, problems = results["section"]
    assert widest <= WIDTH, f"resident page is {widest} px wide"
    assert charts == 1 and tables >= 2
    assert problems == []
    form_widest, form_problems = results["form"]
    assert form_widest <= WIDTH, f"measurement form is {form_widest} px wide"
    assert form_problems == []
    assert app.blocked == []
