"""Dose and fidelity per arm: computed from what was delivered, shown through disclosure
control (a small team's figures are hidden, a big one's shown)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.disclosure import SUPPRESSED_MARK
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.evaluation.outcomes import DAYS_PER_MONTH
from bestaanszekerheid.web.evaluation.pilot_figures import (
    ArmPlan,
    DoseRecord,
    build_dose_figures,
    load_dose,
)
from bestaanszekerheid.web.evaluation.pilot_services import import_allocation, participant_list
from bestaanszekerheid.web.trajectories.models import TrajectoryRoute

from .factories import login, make_case, make_conversation, make_referral, make_team, make_user
from .pilot_factories import bsz_loting, enrol, make_pilot

PLANS = [
    ArmPlan("controle", "Gewoon", Decimal("1.0")),
    ArmPlan("extra", "Extra", Decimal("4.0")),
]
ROUTES = {"inkomen": "inkomen", "kosten": "kosten"}


def _records(per_arm: int) -> list[DoseRecord]:
    out = []
    for arm, contacts in (("controle", 1.0), ("extra", 3.0)):
        for i in range(per_arm):
            out.append(
                DoseRecord(
                    f"{arm}{i}",
                    arm,
                    contacts + (i % 3) * 0.5,
                    i % 2 + 1,
                    frozenset({"inkomen"} if i % 4 else {"kosten"}),
                )
            )
    return out


def test_a_big_pilot_shows_every_figure_with_the_plan() -> None:
    figures = build_dose_figures(PLANS, _records(40), ROUTES)
    count, dose, routes = figures.figures
    assert [(r.label, [c.text for c in r.cells]) for r in count.rows] == [
        ("Gewoon", ["40"]),
        ("Extra", ["40"]),
        ("Totaal", ["80"]),
    ]
    assert count.rows[-1].total and count.columns == ("Deelnemers",)
    assert dose.columns == (
        "gepland: contacten per maand",
        "contacten per maand",
        "verwijzingen per deelnemer",
    )
    # Contacts: 1 or 3 plus 0, 0.5, 1 (14, 13 and 13 times): 19.5 / 40 ~ 0.5 above the base.
    assert [[c.text for c in r.cells] for r in dose.rows] == [
        ["1,0", "1,5", "1,5"],
        ["4,0", "3,5", "1,5"],
    ]
    assert dose.hidden_cells == 0
    assert [[c.text for c in r.cells] for r in routes.rows] == [["75%", "25%"], ["75%", "25%"]]
    assert routes.columns == ("inkomen", "kosten")
    assert figures.counted == 80 and any("10" in t for t in figures.rules_text())


def test_a_small_pilot_hides_the_figures() -> None:
    figures = build_dose_figures(PLANS, _records(4), ROUTES)
    count, dose, routes = figures.figures
    assert all(c.hidden and c.text == SUPPRESSED_MARK for r in count.rows for c in r.cells)
    # The plan is design, not data: it stays; the delivered figures are hidden.
    assert [r.cells[0].text for r in dose.rows] == ["1,0", "4,0"]
    assert all(c.hidden for r in dose.rows for c in r.cells[1:])
    assert routes.hidden_cells == len(routes.rows) * 2


def test_a_pilot_without_counted_participants_says_so() -> None:
    figures = build_dose_figures(PLANS, [], ROUTES)
    assert all(f.rows == () and "Nog geen deelnemers" in f.message for f in figures.figures)


# ----------------------------------------------------------------------------- from the database


@pytest.mark.django_db
def test_load_dose_counts_contacts_in_the_window_and_only_consenting_participants() -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team)
    pilot = make_pilot(lead)
    today = date.today()
    cases = [make_case(consultant, opened_on=today - timedelta(days=200)) for _ in range(3)]
    a = enrol(pilot, cases[0], days_ago=59)
    b = enrol(pilot, cases[1], days_ago=59)
    enrol(pilot, cases[2], consent=False)
    arms = {arm.code: arm for arm in pilot.arms.all()}
    for p, arm in ((a, "controle"), (b, "extra")):
        p.arm = arms[arm]
        p.save()
    make_conversation(cases[0], held_on=today - timedelta(days=100))  # before enrolment
    make_conversation(cases[0], held_on=today - timedelta(days=10))
    for days in (50, 40, 30, 20):
        make_conversation(cases[1], held_on=today - timedelta(days=days))
    make_referral(cases[1])
    TrajectoryRoute.objects.create(trajectory=cases[1], route="kosten", chosen_on=today)
    plans, records = load_dose(pilot, today)
    assert [p.code for p in plans] == ["controle", "extra"]
    by_code = {r.participant: r for r in records}
    assert set(by_code) == {a.code, b.code}  # no consent: not counted
    months = 60 / DAYS_PER_MONTH
    assert by_code[a.code].contacts_per_month == pytest.approx(1 / months)
    assert by_code[b.code].contacts_per_month == pytest.approx(4 / months)
    assert by_code[b.code].referrals == 1 and by_code[b.code].routes == frozenset({"kosten"})
    # A closed trajectory's window ends at closing.
    cases[1].status, cases[1].closed_on = "closed", today - timedelta(days=29)
    cases[1].save()
    _plans, records = load_dose(pilot, today)
    closed = next(r for r in records if r.participant == b.code)
    assert closed.contacts_per_month == pytest.approx(3 / (31 / DAYS_PER_MONTH))
    assert closed.referrals == 0  # proposed today, after closing


def _running_pilot(n: int, tmp_path: Path) -> tuple[Any, Any]:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultants = [make_user(Role.CONSULTANT, team) for _ in range(2)]
    pilot = make_pilot(lead)
    for i in range(n):
        case = make_case(consultants[i % 2], opened_on=date.today() - timedelta(days=90))
        enrol(pilot, case, days_ago=60)
        # Different doses: a mean over identical values would disclose everyone's value.
        for days in (50, 30, 10)[: 1 + i % 3]:
            make_conversation(case, held_on=date.today() - timedelta(days=days))
        if i % 4 == 0:
            make_referral(case)
    text = "deelnemer;consulent\n" + "".join(f"{c};{s}\n" for c, s in participant_list(pilot))
    log, code = bsz_loting(text, tmp_path)
    import_allocation(lead, pilot, log.read_text(encoding="utf-8"), code)
    return lead, pilot


@pytest.mark.django_db
def test_small_team_page_shows_hidden_cells(client: Client, tmp_path: Path) -> None:
    lead, pilot = _running_pilot(6, tmp_path)
    login(client, lead)
    body = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert "Dosis en trouw per arm" in body
    assert (
        '<span aria-hidden="true">x</span> <span class="visually-hidden">verborgen</span>' in body
    )
    assert "cellen verborgen" in body and "Toegepaste regels" in body


@pytest.mark.django_db
def test_big_team_page_shows_the_dose(client: Client, tmp_path: Path) -> None:
    lead, pilot = _running_pilot(24, tmp_path)
    login(client, lead)
    response = client.get(reverse("evaluation:pilot", args=[pilot.pk]))
    body = response.content.decode()
    figures = response.context["figures"]
    count = figures.figures[0]
    assert [c.text for r in count.rows for c in r.cells] == ["12", "12", "24"]
    dose = figures.figures[1]
    _plans, records = load_dose(pilot, date.today())
    expected = []
    for arm in ("controle", "extra"):
        values = [r.contacts_per_month for r in records if r.arm == arm]
        expected.append(f"{sum(values) / len(values):.1f}".replace(".", ","))
    assert [r.cells[1].text for r in dose.rows] == expected
    assert [r.cells[0].text for r in dose.rows] == ["1,0", "4,0"]
    assert all(e in body for e in expected) and "Gewone begeleiding" in body
