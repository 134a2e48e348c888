"""End to end in Debian's Chromium: a functional administrator adds a consultant, a privacy
officer approves the set-password link (four eyes, ADR 0053), the consultant sets a
password through the one-time link, logs in, scans (here: types) the TOTP secret on the
enrolment page and reaches the caseload. axe finds no serious WCAG 2.1 AA
violations on the pages visited; screenshots are kept for a human to look at.
"""

from __future__ import annotations

import os
from base64 import b32decode
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp

from bestaanszekerheid.web.accounts.models import Role
from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

from .factories import PASSWORD, authenticator, make_team, make_user

NEW_PASSWORD = "een-heel-lang-nieuw-wachtwoord-42"


def _code_from_secret(grouped: str) -> str:
    secret = grouped.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_admin_adds_consultant_who_sets_password_and_enrols(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    make_team("Team Noord")
    admin = make_user(Role.FUNCTIONAL_ADMIN, username="koen")
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[Any]] = {}
    # Database reads stay outside Playwright's greenlet (see test_browser.py).
    admin_token = authenticator(admin)
    officer_token = authenticator(make_user(Role.PRIVACY_OFFICER, username="piet"))
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url)
            page = app.page
            log_in(page, live_server.url, "koen", PASSWORD, admin_token)
            page.get_by_role("heading", name="Beheer", exact=True).wait_for()
            problems["beheer"] = wcag_problems(page)

            page.get_by_role("link", name="Medewerker toevoegen").first.click()
            page.get_by_label("Gebruikersnaam").fill("anvos")
            page.get_by_label("Voornaam").fill("An")
            page.get_by_label("Achternaam").fill("Vos")
            page.get_by_label("Rol").select_option("consultant")
            page.locator("#id_team").select_option(label="Team Noord")
            problems["medewerker toevoegen"] = wcag_problems(page)
            page.get_by_role("button", name="Medewerker toevoegen").click()
            page.get_by_text("Medewerker toegevoegd.").wait_for()
            problems["medewerker"] = wcag_problems(page)
            # Four eyes (ADR 0053): a privacy officer approves the link, in her own browser.
            second = open_app_page(browser, live_server.url)
            log_in(second.page, live_server.url, "piet", PASSWORD, officer_token)
            second.page.get_by_role("link", name="Herstelverzoeken").first.click()
            second.page.get_by_role("heading", name="Open verzoeken").wait_for()
            problems["herstelverzoeken"] = wcag_problems(second.page)
            second.page.get_by_role("button", name="Goedkeuren").click()
            second.page.get_by_text("Goedgekeurd: wie het verzoek deed").wait_for()
            page.goto(f"{live_server.url}/beheer/herstelverzoeken/")
            page.get_by_role("button", name="Wachtwoordlink ophalen (één keer)").click()
            link = page.get_by_label("Link om een wachtwoord te kiezen").input_value()
            problems["wachtwoordlink"] = wcag_problems(page)
            page.goto(f"{live_server.url}/beheer/medewerkers/")
            page.get_by_role("row", name="An Vos").wait_for()
            problems["medewerkers"] = wcag_problems(page)
            page.get_by_role("button", name="Uitloggen").click()

            page.goto(link)
            page.locator("#id_new_password1").fill(NEW_PASSWORD)
            page.locator("#id_new_password2").fill(NEW_PASSWORD)
            problems["wachtwoord kiezen"] = wcag_problems(page)
            page.get_by_role("button", name="Wachtwoord opslaan").click()
            page.get_by_text("Je wachtwoord is ingesteld").wait_for()

            page.get_by_label("Gebruikersnaam").fill("anvos")
            page.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
            page.get_by_role("button", name="Volgende").click()
            page.get_by_role("heading", name="Authenticator-app instellen").wait_for()
            assert page.locator("svg.qr-code").is_visible()
            problems["instellen"] = wcag_problems(page)
            page.screenshot(path=str(shots / "authenticator-instellen.png"), full_page=True)
            secret = page.locator("dl.facts code").inner_text()
            page.get_by_label("Code uit je authenticator-app").fill(_code_from_secret(secret))
            page.get_by_role("button", name="Bevestigen").click()
            page.get_by_role("heading", name="Mijn inwoners").wait_for()
            page.get_by_text("heeft je account aangemaakt").wait_for()
        finally:
            browser.close()

    assert {name: found for name, found in problems.items() if found} == {}
    assert app.blocked == [] and app.console_errors == []
    assert second.blocked == [] and second.console_errors == []
