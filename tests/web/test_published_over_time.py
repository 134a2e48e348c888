"""Differencing over time (ADR 0075): a reader who notes a page of checked tables, waits until
one resident's goal is reached or one score is added, and looks again, learns nothing: the
page stays as published until every cell changed by 0 or by at least the rules' minimum.

The attacker here reads only what is published (the page's tables and CSV files) at two
moments, and knows exactly which trajectory changed in between (the team lead hears that
Mrs X's trajectory closed this week); the test asks whether the two publications differ.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.disclosure import load_rules
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework.models import PublishedPage
from bestaanszekerheid.web.casework.published import changed_units, may_publish
from bestaanszekerheid.web.evaluation.models import Measurement, MeasurementScore
from bestaanszekerheid.web.plans.models import Goal, GoalStatus
from bestaanszekerheid.web.referrals.models import Referral
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryRoute

from .factories import login, make_case, make_goal, make_referral, make_team, make_user

pytestmark = pytest.mark.django_db

MIN_COUNT = load_rules().min_count
YEAR = date.today().year
OPENED = date(YEAR, 1, 10)


def _published(client: Client, url: str) -> tuple[dict[str, list[list[str]]], str]:
    """What a reader sees: every table's cell texts, and the page's text."""
    response = client.get(url)
    assert response.status_code == 200
    context = response.context
    board = context.get("monitor") or context["figures"]
    figures = [*board.figures, *getattr(board, "pilot_figures", [])]
    tables = {
        f.slug: [[row.label, *(c.text for c in row.cells)] for row in f.rows] for f in figures
    }
    return tables, response.content.decode()


def _log(client: Client) -> list[str]:
    """The analyst's disclosure log without the moment it was made."""
    text = client.get(reverse("casework:analyst-log")).content.decode()
    return [line for line in text.splitlines() if not line.startswith("- Aangemaakt:")]


def _close(t: Trajectory, *, achieved: bool, on: date) -> None:
    t.status, t.closed_on, t.close_reason = "closed", on, "anders"
    t.save()
    if achieved:
        make_goal(t, status=GoalStatus.ACHIEVED)


def _measure(t: Trajectory, taken_on: date, score: int) -> None:
    m = Measurement.objects.create(trajectory=t, taken_on=taken_on, moment="vervolg")
    MeasurementScore.objects.create(measurement=m, item="zrm_financien", score=score)


def _team(n_closed: int, n_open: int) -> tuple[Any, Any, list[Trajectory]]:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team)
    closed = []
    for i in range(n_closed):
        t = make_case(consultant, opened_on=OPENED)
        TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=OPENED)
        _measure(t, OPENED, 2)
        _measure(t, OPENED + timedelta(days=30), 4 if i % 3 else 5)
        _close(t, achieved=i % 2 == 0, on=OPENED + timedelta(days=40))
        closed.append(t)
    open_ = [make_case(consultant, opened_on=OPENED) for _ in range(n_open)]
    for t in open_:
        TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=OPENED)
        _measure(t, OPENED, 3)
        _measure(t, OPENED + timedelta(days=20), 4)
    return consultant, lead, open_


def test_one_closed_trajectory_changes_nothing_until_enough_have(client: Client) -> None:
    _consultant, lead, open_ = _team(n_closed=24, n_open=16)
    login(client, lead)
    url = reverse("evaluation:monitor")
    before, page = _published(client, url)
    assert before["doel-bereikt"] and before["afgesloten"]  # there is something to subtract
    assert "Stand van" not in page and f"minstens {MIN_COUNT}" in page

    # Mrs X's trajectory closes with her goal reached; she got a third measurement too.
    x = open_[0]
    _measure(x, OPENED + timedelta(days=50), 5)
    _close(x, achieved=True, on=OPENED + timedelta(days=60))
    after, page = _published(client, url)
    assert after == before  # nothing to subtract
    assert "Stand van" in page

    # A table whose every changed cell covers enough trajectories is published anew; the
    # mean change per route, where only Mrs X's value changed, stays as it was.
    for t in open_[1 : MIN_COUNT + 1]:
        _close(t, achieved=True, on=OPENED + timedelta(days=61))
    later, page = _published(client, url)
    closed_now = {row[0]: row[1:] for row in later["afgesloten"]}
    assert closed_now[f"afgesloten in {YEAR}"] == [str(24 + MIN_COUNT + 1)]
    assert later["doel-bereikt"] != before["doel-bereikt"]
    assert later["verandering-per-route"] == before["verandering-per-route"]
    assert "Stand van" in page
    events = AuditEvent.objects.filter(object_type="programmamonitor").order_by("id")
    kept = [set(e.details["bewaard"]) for e in events]
    assert kept[0] == set() and {"afgesloten", "doel-bereikt"} <= kept[1]
    assert "verandering-per-route" in kept[2] and "afgesloten" not in kept[2]


def test_a_new_score_for_one_trajectory_is_not_published_alone(client: Client) -> None:
    _consultant, lead, open_ = _team(n_closed=24, n_open=12)
    login(client, lead)
    url = reverse("evaluation:monitor")
    before, _page = _published(client, url)
    assert before["verandering-per-route"]
    # One resident's score changes: in a table of means that is a change of that unit.
    _measure(open_[0], OPENED + timedelta(days=45), 1)
    after, page = _published(client, url)
    assert after["verandering-per-route"] == before["verandering-per-route"]
    assert "Stand van" in page


def test_the_analyst_page_its_csv_and_log_stay_as_published(client: Client) -> None:
    consultant = make_user(Role.CONSULTANT)
    trajectories = [make_case(consultant, opened_on=OPENED) for _ in range(30)]
    for t in trajectories[:24]:
        make_referral(t)
    login(client, make_user(Role.ANALYST))
    url = reverse("casework:analyst")
    before, _page = _published(client, url)
    csv_before = {
        slug: client.get(reverse("casework:analyst-csv", args=[slug])).content
        for slug, rows in before.items()
        if rows
    }
    log_before = _log(client)
    assert csv_before

    # One referral is accepted, one goal reached: two single changes.
    referral = Referral.objects.filter(trajectory=trajectories[0]).get()
    referral.status = "geaccepteerd"
    referral.save()
    make_goal(trajectories[1], status=GoalStatus.ACHIEVED)
    after, page = _published(client, url)
    assert after == before and "Stand van" in page
    for slug, content in csv_before.items():
        assert client.get(reverse("casework:analyst-csv", args=[slug])).content == content
    assert _log(client) == log_before


def test_what_is_stored_names_no_unit() -> None:
    """The stored publication holds aggregates and keyed hashes, no ids and no values."""
    _consultant, lead, _open = _team(n_closed=24, n_open=4)
    client = Client()
    login(client, lead)
    client.get(reverse("evaluation:monitor"))
    stored = PublishedPage.objects.get()
    ids = {f"t{t}" for t in Trajectory.objects.values_list("pk", flat=True)}
    units = stored.units
    hashes = [h for cells in units.values() for members in cells.values() for h in members]
    assert hashes and not ids & set(hashes)
    assert all(len(h) == 20 for h in hashes)
    assert not any(
        v in ("2", "4", "5") for cells in units.values() for m in cells.values() for v in m.values()
    )
    assert Goal.objects.exists()  # the data is there; the store only counts it


def test_the_rule_counts_entries_exits_and_changed_values() -> None:
    before = {"a": "", "b": "", "c": ""}
    assert changed_units(before, {"a": "", "b": "", "c": ""}) == 0
    assert changed_units(before, {"a": "", "b": "", "d": ""}) == 2  # c left, d came
    assert changed_units({"a": "1"}, {"a": "2"}) == 1  # a mean: a's value changed
    k = 10
    cells = {"t": {"x": {f"u{i}": "" for i in range(20)}}}
    grown = {"t": {"x": {f"u{i}": "" for i in range(21)}}}
    much = {"t": {"x": {f"u{i}": "" for i in range(30)}}}
    assert not may_publish(cells, grown, k)  # one more: would be subtracted
    assert may_publish(cells, much, k) and may_publish(cells, cells, k)
    assert may_publish({}, grown, k)  # a table of 21 where there was none
    # A row or column that appears is compared with an empty one, hidden or not.
    assert not may_publish(cells, {"t": {"x": cells["t"]["x"], "y": {"v": ""}}}, k)
    assert may_publish(cells, {}, k)  # a table of 20 that goes: 20 changes
