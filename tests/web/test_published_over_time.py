"""Differencing over time (ADR 0075): a reader who notes a page of checked tables, waits until
one resident's goal is reached or one score is added, and looks again, learns nothing: a table
stays as published until at least the rules' minimum of its units changed, and *when* it is
renewed does not depend on what changed (the second attacker review broke a rule per cell by
watching the moment "goal reached" was renewed).

The attacker reads only what is published (tables, CSV files, the analyst's log) at many
moments, and knows exactly which trajectory changed in between (the team lead hears that Mrs
X's trajectory closed this week). The tests run the attacks of both reviews.
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
from bestaanszekerheid.web.casework.published import changed, may_renew
from bestaanszekerheid.web.evaluation.models import (
    Pilot,
    PilotArm,
    PilotParticipant,
    PilotStatus,
)
from bestaanszekerheid.web.plans.models import Goal, GoalStatus
from bestaanszekerheid.web.referrals.models import Referral
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryRoute

from .factories import (
    login,
    make_case,
    make_goal,
    make_measurement,
    make_referral,
    make_team,
    make_user,
)

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


def _team(n_closed: int, n_open: int) -> tuple[Any, Any, list[Trajectory]]:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team)
    closed = []
    for i in range(n_closed):
        t = make_case(consultant, opened_on=OPENED)
        TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=OPENED)
        make_measurement(t, OPENED, 2)
        make_measurement(t, OPENED + timedelta(days=30), 4 if i % 3 else 5)
        _close(t, achieved=i % 2 == 0, on=OPENED + timedelta(days=40))
        closed.append(t)
    open_ = [make_case(consultant, opened_on=OPENED) for _ in range(n_open)]
    for t in open_:
        TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=OPENED)
        make_measurement(t, OPENED, 3)
        make_measurement(t, OPENED + timedelta(days=20), 4)
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
    make_measurement(x, OPENED + timedelta(days=50), 5)
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
    stored = PublishedPage.objects.get()
    # One resident's score changes: in a table of means that is a change of that unit.
    make_measurement(open_[0], OPENED + timedelta(days=45), 1)
    after, page = _published(client, url)
    assert after["verandering-per-route"] == before["verandering-per-route"]
    assert "Stand van" in page
    # A view that renews nothing writes nothing (the store is a page's every table).
    again = PublishedPage.objects.get()
    assert (again.published_at, again.units) == (stored.published_at, stored.units)


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
    hashes = [h for members in stored.units.values() for h in members]
    pairs = [v for members in stored.units.values() for v in members.values()]
    assert hashes and not ids & set(hashes) and all(len(h) == 20 for h in hashes)
    flat = [h for pair in pairs for h in pair]
    assert all(len(h) == 20 for h in flat) and not ({"2", "4", "5"} | ids) & set(flat)
    assert Goal.objects.exists()  # the data is there; the store only counts it


def _population(**versions: str) -> dict[str, list[str]]:
    """Units (``t1__x`` for ``t1:x``) -> [their trajectory, version], as stored."""
    units = {u.replace("__", ":"): v for u, v in versions.items()}
    return {u: [u.split(":")[0], v] for u, v in units.items()}


def test_the_rule_counts_entries_exits_and_new_versions() -> None:
    def count(before: dict[str, list[str]], after: dict[str, list[str]]) -> int:
        return changed(before, after, before, after)

    before = _population(a="", b="", c="")
    assert count(before, _population(a="", b="", c="")) == 0
    assert count(before, _population(a="", b="", d="")) == 2  # c left, d came
    assert count(_population(a="1"), _population(a="2")) == 1  # another version of a's record
    # One measurement of one trajectory changes a unit per measure: one trajectory changed.
    assert count(_population(t1__x="1", t1__y="1"), _population(t1__x="2", t1__y="2")) == 1
    table = _population(**{f"u{i}": "" for i in range(20)})
    more = _population(**{f"n{i}": "" for i in range(10)})
    assert not may_renew(table, {**table, **_population(new="")}, 10)  # one more: subtracted
    assert may_renew(table, {**table, **more}, 10)
    assert may_renew({}, table, 10) and may_renew(table, {}, 10)
    assert not may_renew(table, table, 10)  # nothing changed: the table stands


# --- the second attacker review ----------------------------------------------------------


def _kept(client: Client, url: str, slug: str) -> bool:
    response = client.get(url)
    board = response.context.get("monitor") or response.context["figures"]
    figures = [*board.figures, *getattr(board, "pilot_figures", [])]
    return next(f for f in figures if f.slug == slug).kept


def test_when_a_table_is_renewed_says_nothing_about_outcomes() -> None:
    """Two teams close the same trajectories in the same order, one with every outcome the
    other way round: the views at which "goal reached" is renewed are the same."""
    moments = []
    for flip in (False, True):
        team = make_team()
        lead = make_user(Role.TEAM_LEAD, team)
        consultant = make_user(Role.CONSULTANT, team)
        for i in range(30):
            _close(
                make_case(consultant, opened_on=OPENED), achieved=(i % 2 == 0) != flip, on=OPENED
            )
        open_ = [make_case(consultant, opened_on=OPENED) for _ in range(35)]
        client = Client()
        login(client, lead)
        url = reverse("evaluation:monitor")
        client.get(url)
        renewed = []
        for i, t in enumerate(open_):
            _close(t, achieved=((i * 7) % 3 == 0) != flip, on=OPENED + timedelta(days=5))
            renewed.append(not _kept(client, url, "doel-bereikt"))
        moments.append(renewed)
    assert moments[0] == moments[1] and any(moments[0]) and not all(moments[0])


def test_a_new_measurement_counts_whatever_its_score() -> None:
    """Nine new measurements wait; the tenth renews the table whether or not its score
    equals the one before (a rule on values said which)."""
    renewed = []
    for same in (True, False):
        _consultant, lead, open_ = _team(n_closed=24, n_open=12)
        client = Client()
        login(client, lead)
        url = reverse("evaluation:monitor")
        client.get(url)
        for t in open_[:9]:
            make_measurement(t, OPENED + timedelta(days=45), 2)
        assert _kept(client, url, "verandering-per-route")
        make_measurement(open_[9], OPENED + timedelta(days=46), 4 if same else 1)  # its last was 4
        renewed.append(not _kept(client, url, "verandering-per-route"))
    assert renewed == [True, True]


def _pilot(status: str) -> tuple[Any, Any, Pilot, list[PilotArm]]:
    """A team lead, a consultant of the team and the team's pilot with two arms."""
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    pilot = Pilot.objects.create(
        name="Pilot Z",
        team=team,
        starts_on=OPENED,
        outcome_measures=["zrm_financien"],
        analysis_plan="ITT",
        status=status,
        created_by=lead,
    )
    arms = [
        PilotArm.objects.create(pilot=pilot, code="controle", label="Gewoon", is_control=True),
        PilotArm.objects.create(pilot=pilot, code="extra", label="Extra"),
    ]
    return lead, make_user(Role.CONSULTANT, team), pilot, arms


def test_a_new_table_waits_while_another_is_kept(client: Client) -> None:
    """A pilot table over the same trajectories as a kept table would be subtracted from it."""
    lead, consultant, pilot, arms = _pilot(PilotStatus.PREPARING)
    people = []
    for i in range(20):
        t = make_case(consultant, opened_on=OPENED)
        TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=OPENED)
        make_measurement(t, OPENED, 2)
        make_measurement(t, OPENED + timedelta(days=10), 3 + i % 2)
        people.append(
            PilotParticipant.objects.create(
                pilot=pilot,
                trajectory=t,
                code=f"P{t.pk}",
                enrolled_on=OPENED,
                evaluation_consent_on=OPENED,
            )
        )
    login(client, lead)
    url = reverse("evaluation:monitor")
    client.get(url)
    make_measurement(
        people[3].trajectory, OPENED + timedelta(days=30), 1
    )  # Mrs X: the route table waits
    for i, p in enumerate(people):
        p.arm = arms[i % 2]
        p.save()
    Pilot.objects.filter(pk=pilot.pk).update(status=PilotStatus.RUNNING)
    response = client.get(url)
    by_arm = response.context["monitor"].get(f"pilot-{pilot.pk}")
    assert by_arm is not None and by_arm.kept and not by_arm.rows
    assert "komt erbij" in by_arm.message


def test_the_pilot_pages_dose_tables_are_kept_too(client: Client) -> None:
    lead, consultant, pilot, arms = _pilot(PilotStatus.RUNNING)
    x = None
    for arm in arms:
        for route in ["kosten"] * 10 + ["inkomen"] * 10 + [None] * 10:
            t = make_case(consultant, opened_on=OPENED)
            if route:
                TrajectoryRoute.objects.create(trajectory=t, route=route, chosen_on=OPENED)
            PilotParticipant.objects.create(
                pilot=pilot,
                trajectory=t,
                code=f"P{t.pk}",
                enrolled_on=OPENED,
                evaluation_consent_on=OPENED,
                arm=arm,
            )
            x = x or (t if route is None else None)
    login(client, lead)
    url = reverse("evaluation:pilot", args=[pilot.pk])

    def routes() -> list[list[str]]:
        figures = client.get(url).context["figures"].figures
        f = next(f for f in figures if f.slug == "routes-per-arm")
        return [[c.text for c in row.cells] for row in f.rows]

    before = routes()
    assert x is not None and before
    TrajectoryRoute.objects.create(trajectory=x, route="inkomen", chosen_on=OPENED)
    assert routes() == before


def test_switching_the_method_is_compared_with_what_was_published(
    client: Client, settings: Any
) -> None:
    consultant = make_user(Role.CONSULTANT)
    trajectories = [make_case(consultant, opened_on=OPENED) for _ in range(30)]
    for t in trajectories[:22]:
        make_goal(t, status=GoalStatus.ACHIEVED)
    login(client, make_user(Role.ANALYST))
    url = reverse("casework:analyst")
    before, _page = _published(client, url)
    make_goal(trajectories[25], status=GoalStatus.ACHIEVED)
    settings.BSZ_ANALYST_METHOD = "afronden"
    after, _page = _published(client, url)
    assert after["doelen-naar-status"] == before["doelen-naar-status"]


def test_ten_changes_elsewhere_do_not_let_one_through(client: Client) -> None:
    """Third review: one referral decided while ten new ones go to another partner renewed
    the table; the decided one's cells are now hidden in the renewal."""
    from bestaanszekerheid.web.referrals.models import PartnerOrganisation

    consultant = make_user(Role.CONSULTANT)
    debt, food = (PartnerOrganisation.objects.create(name=n) for n in ("Schuldhulp", "Voedsel"))
    referrals = []
    for i in range(22):
        r = make_referral(make_case(consultant, opened_on=OPENED), debt)
        if i >= 11:
            r.status = "geaccepteerd"
            r.save()
        referrals.append(r)
    for _ in range(24):
        make_referral(make_case(consultant, opened_on=OPENED), food)
    login(client, make_user(Role.ANALYST))
    url = reverse("casework:analyst")
    before, _page = _published(client, url)
    assert next(row for row in before["verwijzingen"] if row[0] == "Schuldhulp")[1] == "11"
    referrals[0].status = "afgewezen"
    referrals[0].save()
    for _ in range(10):
        make_referral(make_case(consultant, opened_on=OPENED), food)
    after, _page = _published(client, url)
    debt_row = next(row for row in after["verwijzingen"] if row[0] == "Schuldhulp")
    assert after != before and debt_row[1] == "x"  # 11 -> 10 would give her away
    # The log of the publication lists the cell hidden for the difference.
    assert "- Schuldhulp × voorgesteld: primair onderdrukt" in "\n".join(_log(client))


def test_a_share_whose_new_part_is_all_alike_is_hidden(client: Client) -> None:
    """Ten closures that all reached their goal would show as a share only that explains."""
    _consultant, lead, open_ = _team(n_closed=24, n_open=12)
    login(client, lead)
    url = reverse("evaluation:monitor")
    before, _page = _published(client, url)
    for t in open_[:MIN_COUNT]:
        _close(t, achieved=True, on=OPENED + timedelta(days=61))
    after, _page = _published(client, url)
    assert after["afgesloten"] != before["afgesloten"]  # renewed
    shares = {row[0]: row[1:] for row in after["doel-bereikt"]}
    assert shares[f"afgesloten in {YEAR}"] == ["x"]
