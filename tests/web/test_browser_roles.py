"""End to end in Debian's Chromium for the roles other than the consultant, on the synthetic
demo organisation: each logs in with password and TOTP code, visits its pages (axe: no
serious WCAG 2.1 AA violations; screenshots kept for a human to look at), and the team
lead downloads the XLSX and hands over a caseload. Needs /usr/bin/chromium and
node_modules/axe-core (``make install-dev``).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.demo import create_demo
from bestaanszekerheid.web.trajectories.models import Trajectory
from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

from .factories import authenticator

PAGES = {
    "teamleider": ["casework:dashboard", "casework:team-hand-over", "evaluation:monitor"],
    "beheerder": ["casework:admin", "casework:admin-users", "casework:admin-teams"],
    "privacy": ["privacy:index"],
    "analist": ["casework:analyst"],
}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", list(PAGES))
def test_role_pages_in_the_browser(
    live_server: Any, settings: Any, tmp_path: Path, username: str
) -> None:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    accounts = {a.username: a for a in create_demo(date.today())}
    token = authenticator(User.objects.get(username=username))
    open_before = {
        name: Trajectory.objects.filter(consultant__username=name, status="open").count()
        for name in ("consulent", "consulent2")
    }
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    problems: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url, accept_downloads=True)
            page = app.page
            log_in(page, live_server.url, username, accounts[username].password, token)
            page.get_by_role("button", name="Uitloggen").wait_for()
            for name in PAGES[username]:
                page.goto(f"{live_server.url}{reverse(name)}")
                page.locator("h1").first.wait_for()
                problems[name] = wcag_problems(page)
                page.screenshot(path=str(shots / f"{name.replace(':', '-')}.png"), full_page=True)

            if username == "teamleider":
                page.goto(f"{live_server.url}{reverse('casework:dashboard')}")
                with page.expect_download() as download:
                    page.get_by_role("link", name="Download als Excel (XLSX)").click()
                assert download.value.suggested_filename.endswith(".xlsx")
                page.get_by_role("link", name="Trajecten overdragen").click()
                page.get_by_label("Van consulent").select_option(
                    label="Youssef Demo-Consulent (consulent)"
                )
                page.get_by_label("Naar consulent").select_option(
                    label="Sanne Demo-Consulent (consulent)"
                )
                page.get_by_role("button", name="Alle lopende trajecten overdragen").click()
                page.get_by_text("lopende trajecten overgedragen").wait_for()
                problems["na overdragen"] = wcag_problems(page)
                body = page.content()
        finally:
            browser.close()

    assert {name: found for name, found in problems.items() if found} == {}
    assert app.blocked == [] and app.console_errors == []
    if username == "teamleider":
        # Counts only: no resident of the moved caseload is named on the page.
        moved = Trajectory.objects.filter(consultant__username="consulent")
        assert moved.filter(status="open").count() == sum(open_before.values())
        assert all(t.resident.name not in body for t in moved)
