"""Pilots end to end in Debian's Chromium: the team lead registers a pilot with two arms, a
consultant enrols a resident, the team lead imports a real ``bsz loting`` log, and the
consultant sees the arm. axe finds no serious WCAG 2.1 AA violations; the pages fit a phone
(360 px). Screenshots are kept for a human to look at (``BSZ_SCREENSHOT_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.evaluation.pilot_services import participant_list
from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

from .factories import PASSWORD, authenticator, make_case, make_team, make_user
from .pilot_factories import bsz_loting, enrol

PHONE = {"width": 360, "height": 740}


# What sticks out beyond a phone's width (a scrolling table may be wider inside its box).
WIDE = """(w) => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > w + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


def _width(page: Any) -> tuple[int, list[str]]:
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    return width, page.evaluate(WIDE, PHONE["width"])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_pilot_from_registration_to_arm(live_server: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    team = make_team("Team West")
    lead = make_user(Role.TEAM_LEAD, team, username="tineke")
    consultant = make_user(Role.CONSULTANT, team, username="sanne")
    case = make_case(consultant, name="Testinwoner Tessa")
    others = [make_case(consultant, name=f"Inwoner {i}") for i in range(5)]
    lead_code, consultant_code = authenticator(lead), authenticator(consultant)
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[Any]] = {}
    widths: dict[str, tuple[int, list[str]]] = {}
    resident_url = reverse("casework:resident", args=[case.resident_id])

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url)
            page = app.page
            log_in(page, live_server.url, "tineke", PASSWORD, lead_code)
            page.get_by_role("link", name="Pilots").first.click()
            page.get_by_role("link", name="Nieuwe pilot").click()
            page.get_by_label("Naam", exact=True).first.fill("Pilot Regie")
            page.get_by_label("eigen regie").check()
            page.get_by_label("Analyseplan in een paar regels").fill("Eigen regie na 6 maanden.")
            for i, (code, label, control) in enumerate(
                [("controle", "Gewone begeleiding", True), ("extra", "Extra begeleiding", False)]
            ):
                page.locator(f"#id_arm-{i}-code").fill(code)
                page.locator(f"#id_arm-{i}-label").fill(label)
                page.locator(f"#id_arm-{i}-planned_contacts_per_month").fill(
                    "1" if control else "4"
                )
                if control:
                    page.locator(f"#id_arm-{i}-is_control").check()
            page.locator("#id_arm-1-description").fill("Elke week een gesprek")
            problems["nieuwe pilot"] = wcag_problems(page)
            page.screenshot(path=str(shots / "pilot-nieuw.png"), full_page=True)
            page.get_by_role("button", name="Pilot opslaan").click()
            page.get_by_role("heading", name="Pilot Regie").wait_for()
            problems["pilot in voorbereiding"] = wcag_problems(page)
            page.set_viewport_size(PHONE)
            widths["pilot in voorbereiding"] = _width(page)
            page.screenshot(path=str(shots / "pilot-voorbereiding-360.png"), full_page=True)

            consultant_app = open_app_page(browser, live_server.url)
            cpage = consultant_app.page
            log_in(cpage, live_server.url, "sanne", PASSWORD, consultant_code)
            cpage.goto(f"{live_server.url}{resident_url}")
            cpage.get_by_text("Aanmelden voor een pilot…").click()
            cpage.get_by_label("De inwoner doet vrijwillig mee").check()
            cpage.get_by_label("Toestemming om gegevens te gebruiken").select_option("ja")
            problems["aanmelden"] = wcag_problems(cpage)
            cpage.get_by_role("button", name="Aanmelden", exact=True).click()
            cpage.get_by_text("nog niet geloot").wait_for()
            # A TOTP code works once: the second round goes on in these sessions.
            page.context.storage_state(path=str(tmp_path / "lead.json"))
            cpage.context.storage_state(path=str(tmp_path / "consultant.json"))
        finally:
            browser.close()

    pilot = Pilot.objects.get(name="Pilot Regie")
    assert PilotParticipant.objects.filter(pilot=pilot, trajectory=case).exists()
    for other in others:
        enrol(pilot, other)
    listing = "deelnemer;consulent\n" + "".join(f"{c};{s}\n" for c, s in participant_list(pilot))
    log, head = bsz_loting(listing, tmp_path)

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url, storage_state=str(tmp_path / "lead.json"))
            page = app.page
            page.goto(f"{live_server.url}{reverse('evaluation:pilot', args=[pilot.pk])}")
            page.get_by_label("Lotingslogboek").set_input_files(str(log))
            page.get_by_label("Controlecode").fill(head)
            page.get_by_role("button", name="Loting inlezen").click()
            page.get_by_text("Loting ingelezen").first.wait_for()
            problems["pilot lopend"] = wcag_problems(page)
            page.screenshot(path=str(shots / "pilot-lopend.png"), full_page=True)
            page.set_viewport_size(PHONE)
            widths["pilot lopend"] = _width(page)
            page.screenshot(path=str(shots / "pilot-lopend-360.png"), full_page=True)

            consultant_app = open_app_page(
                browser, live_server.url, storage_state=str(tmp_path / "consultant.json")
            )
            cpage = consultant_app.page
            cpage.set_viewport_size(PHONE)
            cpage.goto(f"{live_server.url}{resident_url}")
            cpage.locator("#pilots").wait_for()
            arm_text = cpage.locator("#pilots dl").inner_text()
            cpage.get_by_text("Deelname aan de pilot stoppen…").click()
            problems["inwoner met arm"] = wcag_problems(cpage)
            widths["inwoner met arm"] = _width(cpage)
            cpage.locator("#pilots").screenshot(path=str(shots / "inwoner-pilot-360.png"))
            blocked = app.blocked + consultant_app.blocked
            errors = app.console_errors + consultant_app.console_errors
        finally:
            browser.close()

    participant = PilotParticipant.objects.select_related("arm").get(trajectory=case)
    assert Pilot.objects.get(pk=pilot.pk).status == PilotStatus.RUNNING
    assert participant.arm is not None and participant.arm.label in arm_text
    assert {k: v for k, v in problems.items() if v} == {}
    assert all(w <= PHONE["width"] for w, _wide in widths.values()), widths
    assert blocked == [] and errors == []
