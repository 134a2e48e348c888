"""The team lead's programme monitor (issue 16): the team's figures, every cell through the
project's disclosure control; never a cell over fewer units than the rules' minimum."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from bestaanszekerheid.disclosure import load_rules
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework.analyst_figures import Figure
from bestaanszekerheid.web.evaluation.models import (
    Pilot,
    PilotArm,
    PilotParticipant,
    PilotStatus,
)
from bestaanszekerheid.web.evaluation.monitor_figures import Monitor
from bestaanszekerheid.web.plans.models import GoalStatus
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryRoute

from .factories import (
    login,
    make_case,
    make_conversation,
    make_goal,
    make_measurement,
    make_team,
    make_user,
)

YEAR = date.today().year
THIS_YEAR = date(YEAR, 1, 1)
LAST_YEAR = date(YEAR - 1, 3, 1)
MIN_COUNT = load_rules().min_count
ROUTES = {"inkomen": "inkomen", "kosten": "kosten", "brede_verkenning": "brede verkenning"}
SECRET_NAME = "Geheime Gerda"
SECRET_NOTE = "notitie-die-de-teamleider-niet-ziet"


def _case(
    consultant: Any,
    *,
    opened: date = THIS_YEAR,
    closed: bool = False,
    achieved: bool = False,
    routes: tuple[str, ...] = (),
    scores: tuple[int, ...] = (),
    name: str | None = None,
) -> Trajectory:
    t = make_case(consultant, opened_on=opened, name=name)
    if closed:
        t.status, t.closed_on, t.close_reason = "closed", opened, "anders"
        t.save()
    if achieved:
        make_goal(t, status=GoalStatus.ACHIEVED)
    make_goal(t)  # an open goal: having goals is not reaching one
    for route in routes:
        TrajectoryRoute.objects.create(trajectory=t, route=route, chosen_on=opened)
    for day, score in enumerate(scores):
        make_measurement(t, date.fromordinal(opened.toordinal() + day), score)
    return t


def _pilot(team: Any, lead: Any) -> Pilot:
    pilot = Pilot.objects.create(
        name="Pilot Vroeg Erbij",
        team=team,
        starts_on=THIS_YEAR,
        outcome_measures=["zrm_financien"],
        analysis_plan="ITT",
        status=PilotStatus.RUNNING,
        created_by=lead,
    )
    PilotArm.objects.create(pilot=pilot, code="controle", label="Gewoon", is_control=True)
    PilotArm.objects.create(pilot=pilot, code="extra", label="Extra begeleiding")
    return pilot


def _enrol(pilot: Pilot, t: Trajectory, arm: str, consent: bool = True) -> None:
    PilotParticipant.objects.create(
        pilot=pilot,
        trajectory=t,
        code=f"P{t.pk}",
        enrolled_on=t.opened_on,
        evaluation_consent_on=t.opened_on if consent else None,
        arm=pilot.arms.get(code=arm),
    )


def _monitor(client: Client) -> tuple[Monitor, str]:
    response = client.get(reverse("evaluation:monitor"))
    assert response.status_code == 200
    return response.context["monitor"], response.content.decode()


def _texts(figure: Figure | None) -> dict[str, list[str]]:
    assert figure is not None
    return {row.label: [cell.text for cell in row.cells] for row in figure.rows}


# --- access ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.CONSULTANT, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER, Role.ANALYST]
)
def test_only_team_leads_open_the_monitor(client: Client, role: str) -> None:
    team = make_team()
    consultant = make_user(Role.CONSULTANT, team)
    _case(consultant, name=SECRET_NAME)
    user = consultant if role == Role.CONSULTANT else make_user(role, team)
    login(client, user)
    response = client.get(reverse("evaluation:monitor"))
    assert response.status_code == 403
    assert SECRET_NAME not in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="programmamonitor").exists()


@pytest.mark.django_db
def test_team_lead_sees_aggregates_only_and_the_read_is_audited(client: Client) -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team)
    t = _case(consultant, name=SECRET_NAME, scores=(2, 4))
    make_conversation(t, notes=SECRET_NOTE)
    login(client, lead)
    _figures, body = _monitor(client)
    assert SECRET_NAME not in body and SECRET_NOTE not in body
    assert "40%" in body and "pilots persoonlijke begeleiding Tilburg" in body
    event = AuditEvent.objects.get(object_type="programmamonitor")
    assert event.actor == lead and event.action == "read" and event.details["team"] == team.pk
    # The dashboard links to it.
    dashboard = client.get(reverse("casework:dashboard")).content.decode()
    assert f'href="{reverse("evaluation:monitor")}"' in dashboard


@pytest.mark.django_db
def test_another_teams_trajectories_do_not_count(client: Client) -> None:
    team, other = make_team(), make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    outsider = make_user(Role.CONSULTANT, other)
    for _ in range(12):
        _case(outsider, closed=True, achieved=True)
    login(client, lead)
    monitor, _body = _monitor(client)
    for figure in monitor.figures:
        assert figure.table is None and figure.message  # nothing of the other team


# --- the figures ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_figures_with_enough_trajectories(client: Client) -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    big = make_user(Role.CONSULTANT, team, first_name="Bea", last_name="Groot")
    pilot = _pilot(team, lead)
    # 24 closed this year, half with a goal reached, all on "kosten", going from 2 to 4 or 5
    # (equal values everywhere would be group disclosure: the mean would be everyone's value).
    for i in range(24):
        scores = (2, 5 if i % 3 == 0 else 4)
        t = _case(big, closed=True, achieved=i % 2 == 0, routes=("kosten",), scores=scores)
        _enrol(pilot, t, "extra" if i % 2 else "controle")
    for _ in range(12):
        _case(big)  # open
    login(client, lead)
    monitor, body = _monitor(client)

    assert _texts(monitor.get("bereik"))["Totaal"] == ["36"]
    assert monitor.reach_shown == 36 and "36 van 250" in body
    assert _texts(monitor.get("caseload")) == {"Bea Groot": ["12"], "Totaal": ["12"]}
    assert _texts(monitor.get("afgesloten"))[f"afgesloten in {YEAR}"] == ["24"]
    assert _texts(monitor.get("doel-bereikt"))[f"afgesloten in {YEAR}"] == ["50,0"]
    changes = _texts(monitor.get("verandering-per-route"))
    assert changes == {"financiën": ["2,3"]}  # (8 x 3 + 16 x 2) / 24
    figure = monitor.get("verandering-per-route")
    assert figure is not None and figure.columns == ("kosten",)
    by_arm = monitor.get(f"pilot-{pilot.pk}")
    assert by_arm is not None and by_arm.columns == ("Gewoon", "Extra begeleiding")
    assert _texts(by_arm) == {"financiën": ["2,3", "2,3"]}  # 4 of each 12 go up by 3
    assert "Pilot Vroeg Erbij" in body


@pytest.mark.django_db
def test_small_groups_are_hidden(client: Client) -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    big = make_user(Role.CONSULTANT, team, first_name="Bea", last_name="Groot")
    small = make_user(Role.CONSULTANT, team, first_name="Kees", last_name="Klein")
    for _ in range(12):
        _case(big)
    for _ in range(3):
        _case(small)
    login(client, lead)
    monitor, body = _monitor(client)
    figure = monitor.get("caseload")
    assert figure is not None
    rows = {row.label: row.cells[0] for row in figure.rows}
    assert rows["Kees Klein"].hidden
    # Bea's 12 or the total must go too, or 15 - 12 gives Kees's 3 away.
    assert rows["Bea Groot"].hidden or rows["Totaal"].hidden
    assert "verborgen" in body


@pytest.mark.django_db
def test_consent_withdrawn_leaves_a_participant_out_of_the_arm_figures(client: Client) -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team)
    pilot = _pilot(team, lead)
    for i in range(20):
        # With consent: up by 1 or 2 (mean 1.5); without: up by 4, which would move the mean.
        t = _case(consultant, scores=(1, 2 + i % 2) if i < 10 else (1, 5))
        _enrol(pilot, t, "extra", consent=i < 10)
    login(client, lead)
    monitor, _body = _monitor(client)
    assert _texts(monitor.get(f"pilot-{pilot.pk}")) == {"financiën": ["1,5"]}


# --- the property: no visible cell over fewer than min_count units -------------------------

GROUP = st.fixed_dictionaries(
    {
        "size": st.integers(1, 14),
        "consultant": st.integers(0, 2),
        "this_year": st.booleans(),
        "closed": st.booleans(),
        "achieved_every": st.integers(1, 3),
        "routes": st.sets(st.sampled_from(sorted(ROUTES)), max_size=2),
        "scores": st.lists(st.integers(1, 4), max_size=3),
        "arm": st.sampled_from([None, "controle", "extra"]),
        "consent": st.booleans(),
    }
)
# A few groups of alike trajectories, so that cells on both sides of the minimum occur.
TEAMS = st.lists(GROUP, max_size=4)


def _people(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each group as its trajectories; the last score and the goal vary within a group (all
    values equal is group disclosure, which would hide every mean)."""
    people = []
    for g in groups:
        for j in range(g["size"]):
            scores = list(g["scores"])
            if scores:
                scores[-1] += j % 2
            people.append({**g, "scores": scores, "achieved": j % g["achieved_every"] == 0})
    return people


ARM_LABELS = {"controle": "Gewoon", "extra": "Extra begeleiding"}
TD = re.compile(r"<td>(.*?)</td>", re.S)


def _quarter(day: date) -> str:
    return f"{day.year} K{(day.month - 1) // 3 + 1}"


def _expected(people: list[dict[str, Any]], names: list[str]) -> dict[str, dict[Any, list[Any]]]:
    """Per figure and (row, column): the values of the units behind each cell, computed here
    from the generated team, not through the monitor's code."""
    cells: dict[str, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for p in people:
        opened = THIS_YEAR if p["this_year"] else LAST_YEAR
        if p["this_year"]:
            for key in (_quarter(opened), "Totaal"):
                cells["bereik"][key].append(1)
        if not p["closed"]:
            for key in (names[p["consultant"]], "Totaal"):
                cells["caseload"][key].append(1)
        else:
            period = f"afgesloten in {YEAR}" if p["this_year"] else f"afgesloten vóór {YEAR}"
            for key in (period, "Totaal"):
                cells["afgesloten"][key].append(1)
                cells["doel-bereikt"][key].append(p["achieved"])
        if len(p["scores"]) >= 2:
            change = p["scores"][-1] - p["scores"][0]
            # Each trajectory at its first route: routes are created in sorted order, on
            # the same day, so the first created is the first sorted.
            for route in sorted(p["routes"])[:1]:
                cells["verandering-per-route"][("financiën", ROUTES[route])].append(change)
            if p["arm"] and p["consent"]:
                cells["pilot"][("financiën", ARM_LABELS[p["arm"]])].append(change)
    return cells


class TestMonitorNeverShowsASmallCell(TestCase):
    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(TEAMS)
    def test_every_visible_cell_has_at_least_min_count_units(
        self, groups: list[dict[str, Any]]
    ) -> None:
        people = _people(groups)
        team = make_team()
        lead = make_user(Role.TEAM_LEAD, team)
        names = ["Ans Een", "Bert Twee", "Cor Drie"]
        consultants = [
            make_user(Role.CONSULTANT, team, first_name=n.split()[0], last_name=n.split()[1])
            for n in names
        ]
        pilot = _pilot(team, lead)
        for p in people:
            t = _case(
                consultants[p["consultant"]],
                opened=THIS_YEAR if p["this_year"] else LAST_YEAR,
                closed=p["closed"],
                achieved=p["achieved"],
                routes=tuple(sorted(p["routes"])),
                scores=tuple(p["scores"]),
            )
            if p["arm"]:
                _enrol(pilot, t, p["arm"], consent=p["consent"])
        client = login(Client(), lead)
        monitor, body = _monitor(client)
        expected = _expected(people, names)

        shown: list[str] = []
        for figure in (*monitor.figures, *monitor.pilot_figures):
            slug = "pilot" if figure.slug.startswith("pilot-") else figure.slug
            for row in figure.rows:
                for column, cell in zip(figure.columns, row.cells, strict=True):
                    if cell.hidden:
                        continue
                    shown.append(cell.text)
                    event(f"zichtbaar: {slug}")
                    key = (
                        row.label
                        if len(figure.columns) == 1
                        and slug
                        in (
                            "bereik",
                            "caseload",
                            "afgesloten",
                            "doel-bereikt",
                        )
                        else (row.label, column)
                    )
                    units = expected[slug][key]
                    assert len(units) >= MIN_COUNT, (figure.slug, key, cell.text)
                    if slug == "doel-bereikt":
                        # Numerator and complement too: 0% or 100% would give everyone away.
                        reached = sum(units)
                        assert min(reached, len(units) - reached) >= MIN_COUNT
                        assert cell.text == f"{100 * reached / len(units):.1f}".replace(".", ",")
                    elif slug in ("verandering-per-route", "pilot"):
                        mean = sum(units) / len(units)
                        text = f"{mean:.1f}".replace(".", ",")
                        assert cell.text == text.replace("-0,0", "0,0")
                    else:
                        assert cell.text == str(len(units))
        # The page shows exactly these cells: nothing else is rendered as a number.
        rendered = [m.strip() for m in TD.findall(body) if "verborgen" not in m]
        assert Counter(rendered) == Counter(shown)


@pytest.mark.django_db
def test_the_monitor_and_the_exports_speak_english_too(client: Client) -> None:
    lead = make_user(Role.TEAM_LEAD, make_team())
    login(client, lead)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("evaluation:monitor")).content.decode()
    assert "Programme monitor" in body and "Programmamonitor" not in body
    assert "Goal attainment" in body
    analyst = login(Client(), make_user(Role.ANALYST))
    analyst.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = analyst.get(reverse("evaluation:exports")).content.decode()
    assert "Evaluation exports" in body and "Request a new export" in body


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_monitor_fits_a_phone_and_passes_axe(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    import os
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

    from .factories import PASSWORD, authenticator

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team, first_name="Bea", last_name="Groot")
    pilot = _pilot(team, lead)
    for i in range(30):
        scores = (2, 5 if i % 3 == 0 else 4)
        routes = ("kosten",) if i % 2 else ("inkomen", "brede_verkenning")
        t = _case(consultant, closed=i < 24, achieved=i % 2 == 0, routes=routes, scores=scores)
        _enrol(pilot, t, "extra" if i % 2 else "controle")
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    code = authenticator(lead)  # reads the database: not inside playwright's event loop
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            app = open_app_page(browser, live_server.url)
            page = app.page
            page.set_viewport_size({"width": 360, "height": 740})
            log_in(page, live_server.url, lead.username, PASSWORD, code)
            page.goto(f"{live_server.url}{reverse('evaluation:monitor')}")
            page.locator("h1").first.wait_for()
            page.screenshot(path=str(shots / "monitor-360.png"), full_page=True)
            widest = page.evaluate("document.documentElement.scrollWidth")
            problems = wcag_problems(page)
        finally:
            browser.close()
    assert widest <= 360
    assert problems == []
    assert app.blocked == [] and app.console_errors == []


def test_route_and_arm_tables_do_not_give_away_one_residents_change() -> None:
    """The attacker review's case, on one page: ten trajectories on route inkomen, all in arm
    Extra, and one more resident in Extra on route kosten. With both means shown, 11 x Extra
    minus 10 x inkomen is that resident's change; the register must hide one of them."""
    from bestaanszekerheid.web.evaluation.monitor_figures import (
        MonitorRows,
        PilotChanges,
        build_monitor,
    )

    changes, routes, arms = [], [], []
    for t, change in zip(
        range(1, 11), [1.0, 0.0, 2.0, 1.0, -1.0, 1.0, 0.0, 2.0, 1.0, 1.0], strict=True
    ):
        changes.append((t, "zrm_financien", change))
        routes.append((t, "inkomen"))
        arms.append((t, "extra", "zrm_financien", change))
    for t in range(20, 30):
        changes.append((t, "zrm_financien", 0.0))
        routes.append((t, "brede_verkenning"))
        arms.append((t, "controle", "zrm_financien", 0.0 if t % 2 else 1.0))
    changes.append((99, "zrm_financien", -3.0))
    routes.append((99, "kosten"))
    arms.append((99, "extra", "zrm_financien", -3.0))
    rows = MonitorRows(
        year=2026, reached=[], caseloads=[], closed=[], routes=routes, changes=changes,
        pilots=[PilotChanges(7, "Pilot", [("controle", "Gewoon"), ("extra", "Extra")], arms)],
    )  # fmt: skip
    monitor = build_monitor(rows, reach_target=100, caseload_norm=30)
    by_route, by_arm = monitor.get("verandering-per-route"), monitor.get("pilot-7")
    assert by_route is not None and by_arm is not None
    inkomen = by_route.rows[0].cells[list(by_route.columns).index("inkomen")]
    extra = by_arm.rows[0].cells[list(by_arm.columns).index("Extra")]
    assert inkomen.hidden or extra.hidden
