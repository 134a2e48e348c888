"""Every casework write commits together with its audit event, or not at all.

The audit write is made to fail (``AuditEvent.save`` raises, as a lost connection or a full
disk would); then the case file must be exactly as it was: no new record, no changed field,
no half-written audit chain. Each case is also run once without the failure, to show that
the request really writes (otherwise "nothing changed" would prove nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import DatabaseError, models
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.audit.models import AuditChainHead, AuditEvent
from bestaanszekerheid.web.casework import services
from bestaanszekerheid.web.conversations.models import Conversation, Dimension, PositiveHealthScore
from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal
from bestaanszekerheid.web.referrals.models import Referral, ReferralTransition
from bestaanszekerheid.web.residents.models import Consent, Resident
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryRoute

from .factories import (
    SOON,
    login,
    make_case,
    make_conversation,
    make_follow_up,
    make_goal,
    make_referral,
    make_team,
    make_user,
)

CASE_FILE: list[type[models.Model]] = [
    Resident,
    Consent,
    Trajectory,
    Trajectory.shared_with.through,
    TrajectoryRoute,
    Conversation,
    PositiveHealthScore,
    Goal,
    Action,
    FollowUp,
    Referral,
    ReferralTransition,
    AuditEvent,
    AuditChainHead,
]
SCORES = {f"score_{code}": 6 for code in Dimension.values}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the case file and the audit chain."""
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in CASE_FILE}


@dataclass
class World:
    consultant: User
    colleague: User
    team_lead: User
    trajectory: Trajectory
    conversation: Conversation
    goal: Goal
    action: Action
    follow_up: FollowUp
    referral: Referral


def make_world() -> World:
    team = make_team()
    consultant = make_user(Role.CONSULTANT, team)
    colleague = make_user(Role.CONSULTANT, team)
    team_lead = make_user(Role.TEAM_LEAD, team)
    trajectory = make_case(consultant)
    trajectory.shared_with.add(make_user(Role.CONSULTANT, team))
    goal = make_goal(trajectory)
    action = Action.objects.create(goal=goal, description="Bellen", due_on=date.today())
    return World(
        consultant=consultant,
        colleague=colleague,
        team_lead=team_lead,
        trajectory=trajectory,
        conversation=make_conversation(trajectory, scores=[5] * 6, acute=True),
        goal=goal,
        action=action,
        follow_up=make_follow_up(trajectory, date.today() + timedelta(days=7)),
        referral=make_referral(trajectory),
    )


def conversation_data(**extra: Any) -> dict[str, Any]:
    return {
        "held_on": date.today().isoformat(),
        "channel": "telefoon",
        "themes": ["werk"],
        "notes": "Over werk gesproken.",
        **SCORES,
        **extra,
    }


# name -> (url, POST data, who posts) for each casework write.
Request = tuple[str, dict[str, Any], User]
CASES: dict[str, Callable[[World], Request]] = {
    "inwoner registreren": lambda w: (
        reverse("casework:resident-create"),
        {
            "name": "Nieuwe Inwoner",
            "consent_given_on": date.today().isoformat(),
            "consent_method": "mondeling",
            "consent_confirmed": "on",
        },
        w.consultant,
    ),
    "gesprek vastleggen": lambda w: (
        reverse("casework:conversation-create", args=[w.trajectory.pk]),
        conversation_data(),
        w.consultant,
    ),
    "gesprek corrigeren": lambda w: (
        reverse("casework:conversation-edit", args=[w.conversation.pk]),
        conversation_data(acute_signal="on"),
        w.consultant,
    ),
    "routes kiezen": lambda w: (
        reverse("casework:routes", args=[w.trajectory.pk]),
        {"routes-routes": ["inkomen", "kosten"]},
        w.consultant,
    ),
    "doel toevoegen": lambda w: (
        reverse("casework:goal-create", args=[w.trajectory.pk]),
        {"goal-description": "Een cursus volgen"},
        w.consultant,
    ),
    "doel wijzigen": lambda w: (
        reverse("casework:goal-edit", args=[w.goal.pk]),
        {"description": "Elke dag de post openen"},
        w.consultant,
    ),
    "doelstatus wijzigen": lambda w: (
        reverse("casework:goal-status", args=[w.goal.pk]),
        {"status": "bereikt"},
        w.consultant,
    ),
    "actie toevoegen": lambda w: (
        reverse("casework:action-create", args=[w.goal.pk]),
        {f"action{w.goal.pk}-description": "Formulier", f"action{w.goal.pk}-due_on": SOON},
        w.consultant,
    ),
    "actie afvinken": lambda w: (
        reverse("casework:action-done", args=[w.action.pk]),
        {},
        w.consultant,
    ),
    "vervolgafspraak toevoegen": lambda w: (
        reverse("casework:follow-up-create", args=[w.trajectory.pk]),
        {"followup-description": "Terugbellen", "followup-due_on": SOON},
        w.consultant,
    ),
    "vervolgafspraak wijzigen": lambda w: (
        reverse("casework:follow-up-edit", args=[w.follow_up.pk]),
        {"description": "Langsgaan", "due_on": SOON},
        w.consultant,
    ),
    "vervolgafspraak gedaan": lambda w: (
        reverse("casework:follow-up-done", args=[w.follow_up.pk]),
        {},
        w.consultant,
    ),
    "verwijzing voorstellen": lambda w: (
        reverse("casework:referral-create", args=[w.trajectory.pk]),
        {"referral-partner": w.referral.partner_id, "referral-reason": "Hulp bij post"},
        w.consultant,
    ),
    "verwijzing versturen": lambda w: (
        reverse("casework:referral-transition", args=[w.referral.pk]),
        {"to": "verstuurd"},
        w.consultant,
    ),
    "acuut signaal opgepakt": lambda w: (
        reverse("casework:signal-resolved", args=[w.conversation.pk]),
        {},
        w.consultant,
    ),
    "toestemming intrekken": lambda w: (
        reverse("casework:consent-withdraw", args=[w.trajectory.pk]),
        {"withdraw-confirm": "on"},
        w.consultant,
    ),
    "traject afsluiten": lambda w: (
        reverse("casework:close", args=[w.trajectory.pk]),
        {"close-reason": "doelen_bereikt", "close-confirm": "on"},
        w.consultant,
    ),
    "delen": lambda w: (
        reverse("casework:share", args=[w.trajectory.pk]),
        {"share-colleague": w.colleague.pk},
        w.consultant,
    ),
    "delen stoppen": lambda w: (
        reverse(
            "casework:unshare",
            args=[w.trajectory.pk, w.trajectory.shared_with.get().pk],
        ),
        {},
        w.consultant,
    ),
    "overdragen": lambda w: (
        reverse("casework:hand-over", args=[w.trajectory.pk]),
        {"handover-consultant": w.colleague.pk, "handover-confirm": "on"},
        w.consultant,
    ),
    "caseload overdragen (teamleider)": lambda w: (
        reverse("casework:team-hand-over"),
        {"from_consultant": w.consultant.pk, "to_consultant": w.colleague.pk},
        w.team_lead,
    ),
}


def refuse_audit_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: AuditEvent, *args: Any, **kwargs: Any) -> None:
        raise DatabaseError("auditlog niet bereikbaar (test)")

    monkeypatch.setattr(AuditEvent, "save", refuse)


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_a_failed_audit_write_saves_nothing(
    case: str, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world()
    url, data, user = CASES[case](world)
    login(client, user)
    before = snapshot()
    refuse_audit_writes(monkeypatch)
    with pytest.raises(DatabaseError, match="auditlog niet bereikbaar"):
        client.post(url, data)
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_the_same_request_writes_with_its_audit_event(case: str, client: Client) -> None:
    world = make_world()
    url, data, user = CASES[case](world)
    login(client, user)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 302
    after = snapshot()
    changed = {label for label in after if after[label] != before[label]}
    assert changed - {"audit.AuditEvent", "audit.AuditChainHead"}, "the request wrote nothing"
    assert len(after["audit.AuditEvent"]) > len(before["audit.AuditEvent"])


# The four named in issue 12 once more with real transactions: the view's block is the
# outermost one, so "not saved" means not committed (not only rolled back to a savepoint).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "case", ["doel toevoegen", "doel wijzigen", "gesprek vastleggen", "traject afsluiten"]
)
def test_a_failed_audit_write_commits_nothing(
    case: str, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world()
    url, data, user = CASES[case](world)
    login(client, user)
    before = snapshot()
    refuse_audit_writes(monkeypatch)
    with pytest.raises(DatabaseError):
        client.post(url, data)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_service_rolls_back_when_record_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world()

    def failing_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit mislukt")

    monkeypatch.setattr(services, "record", failing_record)
    with pytest.raises(RuntimeError):
        services.add_goal(world.consultant, world.trajectory, Goal(description="Nieuw doel"))
    with pytest.raises(RuntimeError):
        services.close_trajectory(world.consultant, world.trajectory, "verhuisd")
    assert not Goal.objects.filter(description="Nieuw doel").exists()
    world.trajectory.refresh_from_db()
    assert world.trajectory.status == "open" and world.trajectory.closed_on is None
