"""Every casework write, each with its audit event in one transaction.

Views check access (``for_user``) and validate forms; the functions here change the case
file and call :func:`bestaanszekerheid.web.audit.service.record` inside the same
``transaction.atomic`` block, so a failed audit write leaves no unaudited change behind.
This module is the one way to make each write; a referral's status changes go through
:func:`bestaanszekerheid.web.referrals.workflow.transition`, which follows the same rule.

Audit details name what changed (fields, statuses, routes), never the content: the log must
not become a second copy of the case file. Audited reads stay in the views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone

from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.forms import ConversationForm
from bestaanszekerheid.web.conversations.models import Conversation, PositiveHealthScore
from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal
from bestaanszekerheid.web.referrals.models import Referral
from bestaanszekerheid.web.residents.models import Consent, DuplicateRegistration, Resident
from bestaanszekerheid.web.trajectories.models import (
    CloseReason,
    Trajectory,
    TrajectoryRoute,
    TrajectoryStatus,
)

# The actor is the logged-in user (``request.user``); the audit log stores its name.
Actor = Any

PURPOSE_HANDOVER = "continuïteit van begeleiding (delen of overdragen)"


def today() -> date:
    """Today's date in the app's time zone."""
    return timezone.localdate()


# Helpers for the writes below; they run inside the caller's transaction.
_InTrajectory = TypeVar("_InTrajectory", Goal, FollowUp, Referral)


def _add_to(actor: Actor, trajectory: Trajectory, item: _InTrajectory) -> _InTrajectory:
    """Save a new ``item`` in ``trajectory`` and audit its creation."""
    item.trajectory = trajectory
    item.save()
    record(actor, AuditAction.CREATE, item, resident_id=trajectory.resident_id)
    return item


def _date_today(actor: Actor, item: FollowUp | Conversation, field: str, resident_id: int) -> None:
    """Set the date ``field`` of ``item`` to today, save only that field and audit it."""
    setattr(item, field, today())
    item.save(update_fields=[field])
    record(actor, AuditAction.UPDATE, item, resident_id=resident_id)


# --- registering ------------------------------------------------------------------------


@transaction.atomic
def register_resident(
    actor: Actor,
    resident: Resident,
    *,
    consent_given_on: date,
    consent_method: str,
    known_elsewhere: Resident | None = None,
    attempt: Mapping[str, Any] | None = None,
) -> Trajectory:
    """Save a new resident with their consent and an open trajectory held by ``actor``.

    ``known_elsewhere``: a resident with the same BSN whose case ``actor`` may not see. The
    new record is saved without the BSN and a :class:`DuplicateRegistration` routes the
    match to ``actor``'s team lead; ``actor`` is not told (issue 15). ``attempt`` holds the
    audit details of the registration attempt (a keyed hash of the BSN, never the number).
    """
    if known_elsewhere is not None:
        resident.bsn = None
    resident.save()
    consent = Consent.objects.create(
        resident=resident, given_on=consent_given_on, method=consent_method
    )
    trajectory = Trajectory.objects.create(resident=resident, consultant=actor, opened_on=today())
    for obj in (resident, consent, trajectory):
        record(actor, AuditAction.CREATE, obj, resident_id=resident.pk)
    details: dict[str, Any] = {**(attempt or {}), "outcome": "registered"}
    if known_elsewhere is not None:
        duplicate = DuplicateRegistration.objects.create(
            resident=resident,
            existing=known_elsewhere,
            team_id=getattr(actor, "team_id", None),
            registered_by=actor,
            registered_at=timezone.now(),
        )
        record(
            actor,
            AuditAction.CREATE,
            duplicate,
            resident_id=resident.pk,
            details={"existing_resident": known_elsewhere.pk},
        )
        details.update(outcome="bsn_known_elsewhere", duplicate_registration=duplicate.pk)
    record(
        actor, AuditAction.CREATE, "inwonerregistratie", resident_id=resident.pk, details=details
    )
    return trajectory


def masked_bsn(resident: Resident) -> str:
    """The resident's BSN as shown (last three digits). For a registration whose BSN was
    known elsewhere it is the BSN typed, so the page looks the same as for any other."""
    if resident.bsn:
        return resident.masked_bsn
    duplicate = resident.duplicate_registrations.select_related("existing").first()
    return duplicate.existing.masked_bsn if duplicate is not None else ""


@transaction.atomic
def handle_duplicate(actor: Actor, duplicate: DuplicateRegistration) -> None:
    """The team lead has sorted out a duplicate registration with the consultants."""
    duplicate.handled_by = actor
    duplicate.handled_at = timezone.now()
    duplicate.save(update_fields=["handled_by", "handled_at"])
    record(
        actor,
        AuditAction.UPDATE,
        duplicate,
        resident_id=duplicate.resident_id,
        purpose=PURPOSE_HANDOVER,
        details={"handled": True, "existing_resident": duplicate.existing_id},
    )


def _replace_scores(conversation: Conversation, scores: Mapping[str, int]) -> None:
    conversation.scores.all().delete()
    PositiveHealthScore.objects.bulk_create(
        PositiveHealthScore(conversation=conversation, dimension=code, score=value)
        for code, value in scores.items()
    )


@transaction.atomic
def record_conversation(
    actor: Actor, trajectory: Trajectory, conversation: Conversation, scores: Mapping[str, int]
) -> Conversation:
    """Save a new conversation in ``trajectory`` with its six scores (or none)."""
    conversation.trajectory = trajectory
    conversation.recorded_by = actor
    conversation.save()
    _replace_scores(conversation, scores)
    record(
        actor,
        AuditAction.CREATE,
        conversation,
        resident_id=trajectory.resident_id,
        details={"scores": bool(scores)},
    )
    return conversation


@transaction.atomic
def set_routes(actor: Actor, trajectory: Trajectory, routes: Iterable[str]) -> bool:
    """Make ``routes`` the trajectory's chosen routes (kept ones keep their date).

    Returns whether anything changed; an unchanged choice is not saved or audited.
    """
    chosen = set(routes)
    existing = set(trajectory.routes.values_list("route", flat=True))
    if chosen == existing:
        return False
    trajectory.routes.exclude(route__in=chosen).delete()
    for route in sorted(chosen - existing):
        TrajectoryRoute.objects.create(trajectory=trajectory, route=route, chosen_on=today())
    record(
        actor,
        AuditAction.UPDATE,
        trajectory,
        resident_id=trajectory.resident_id,
        details={"routes": sorted(chosen)},
    )
    return True


# --- goals, actions and follow-ups ------------------------------------------------------


@transaction.atomic
def add_goal(actor: Actor, trajectory: Trajectory, goal: Goal) -> Goal:
    """Save a new goal; setting it counts as its first progress."""
    goal.created_on = goal.last_progress_on = today()
    return _add_to(actor, trajectory, goal)


@transaction.atomic
def set_goal_status(actor: Actor, goal: Goal, status: str) -> None:
    """Change a goal's status; any change counts as progress for the traffic light."""
    goal.status = status
    goal.last_progress_on = today()
    goal.save(update_fields=["status", "last_progress_on"])
    record(
        actor,
        AuditAction.UPDATE,
        goal,
        resident_id=goal.trajectory.resident_id,
        details={"status": goal.status},
    )


@transaction.atomic
def add_action(actor: Actor, goal: Goal, action: Action) -> Action:
    """Save a concrete step for ``goal``; adding one counts as progress on the goal."""
    action.goal = goal
    action.save()
    goal.last_progress_on = today()
    goal.save(update_fields=["last_progress_on"])
    record(actor, AuditAction.CREATE, action, resident_id=goal.trajectory.resident_id)
    return action


@transaction.atomic
def complete_action(actor: Actor, action: Action) -> None:
    """Tick off an action; doing a step counts as progress on its goal."""
    goal = action.goal
    action.done_on = today()
    action.save(update_fields=["done_on"])
    goal.last_progress_on = today()
    goal.save(update_fields=["last_progress_on"])
    record(
        actor,
        AuditAction.UPDATE,
        action,
        resident_id=goal.trajectory.resident_id,
        details={"changed": ["done_on"]},
    )


@transaction.atomic
def add_follow_up(actor: Actor, trajectory: Trajectory, follow_up: FollowUp) -> FollowUp:
    """Save a new follow-up appointment in ``trajectory``."""
    return _add_to(actor, trajectory, follow_up)


@transaction.atomic
def complete_follow_up(actor: Actor, follow_up: FollowUp) -> None:
    """Mark a follow-up as done today."""
    _date_today(actor, follow_up, "done_on", follow_up.trajectory.resident_id)


# --- corrections ------------------------------------------------------------------------


@transaction.atomic
def _save_form(
    actor: Actor,
    form: ModelForm[Any],
    resident_id: int,
    after_save: Callable[[list[str]], None] | None = None,
) -> list[str]:
    changed = sorted(form.changed_data)
    if not changed:
        return changed
    form.save()
    if after_save is not None:
        after_save(changed)
    record(
        actor,
        AuditAction.UPDATE,
        form.instance,
        resident_id=resident_id,
        details={"changed": changed},
    )
    return changed


def update_goal(actor: Actor, form: ModelForm[Goal]) -> list[str]:
    """Save a valid goal edit form; the names of the changed fields, empty if none."""
    return _save_form(actor, form, form.instance.trajectory.resident_id)


def update_follow_up(actor: Actor, form: ModelForm[FollowUp]) -> list[str]:
    """Save a valid follow-up edit form; the names of the changed fields, empty if none."""
    return _save_form(actor, form, form.instance.trajectory.resident_id)


def update_conversation(actor: Actor, form: ConversationForm) -> list[str]:
    """Save a valid conversation edit form; the six scores are replaced as a whole when one
    of them changed. The names of the changed fields, empty if none."""
    conversation = form.instance

    def replace_scores(changed: list[str]) -> None:
        if any(name.startswith("score_") for name in changed):
            _replace_scores(conversation, form.scores())

    return _save_form(actor, form, conversation.trajectory.resident_id, replace_scores)


# --- referrals and signals --------------------------------------------------------------


@transaction.atomic
def propose_referral(actor: Actor, trajectory: Trajectory, referral: Referral) -> Referral:
    """Save a new referral (status proposed); later steps go through ``workflow.transition``."""
    return _add_to(actor, trajectory, referral)


@transaction.atomic
def resolve_signal(actor: Actor, conversation: Conversation) -> None:
    """Mark a conversation's acute signal as picked up today."""
    _date_today(
        actor, conversation, "acute_signal_resolved_on", conversation.trajectory.resident_id
    )


# --- closing ----------------------------------------------------------------------------


def _close(trajectory: Trajectory, reason: str) -> None:
    trajectory.status = TrajectoryStatus.CLOSED
    trajectory.closed_on = today()
    trajectory.close_reason = reason
    trajectory.save(update_fields=["status", "closed_on", "close_reason"])


@transaction.atomic
def close_trajectory(actor: Actor, trajectory: Trajectory, reason: str) -> None:
    """Close an open trajectory with the chosen reason."""
    _close(trajectory, reason)
    record(
        actor,
        AuditAction.UPDATE,
        trajectory,
        resident_id=trajectory.resident_id,
        details={"closed": trajectory.close_reason},
    )


# A closed trajectory can be reopened for this many days (the retention period is at least
# 30 days, so it still exists; ADR 0054). Not after a withdrawal of consent.
REOPEN_DAYS = 30


def reopen_until(trajectory: Trajectory) -> date | None:
    """The last day ``trajectory`` can be reopened, or None when it cannot (open, closed
    too long ago, or closed because the resident withdrew consent)."""
    if trajectory.status != TrajectoryStatus.CLOSED or trajectory.closed_on is None:
        return None
    if not trajectory.resident.consents.filter(withdrawn_on__isnull=True).exists():
        return None
    last = trajectory.closed_on + timedelta(days=REOPEN_DAYS)
    return last if today() <= last else None


@transaction.atomic
def reopen_trajectory(actor: Actor, trajectory: Trajectory) -> None:
    """Undo a closing within :data:`REOPEN_DAYS` (the caller checks :func:`reopen_until`)."""
    closed_on, reason = trajectory.closed_on, trajectory.close_reason
    trajectory.status = TrajectoryStatus.OPEN
    trajectory.closed_on = None
    trajectory.close_reason = ""
    trajectory.save(update_fields=["status", "closed_on", "close_reason"])
    record(
        actor,
        AuditAction.UPDATE,
        trajectory,
        resident_id=trajectory.resident_id,
        details={
            "reopened": True,
            "closed_on": closed_on.isoformat() if closed_on else None,
            "close_reason": reason,
        },
    )


@transaction.atomic
def withdraw_consent(actor: Actor, trajectory: Trajectory) -> None:
    """The resident stops: record the withdrawal and close the trajectory (no sanctions)."""
    consent = trajectory.resident.consents.filter(withdrawn_on__isnull=True).first()
    if consent is not None:
        consent.withdrawn_on = today()
        consent.save(update_fields=["withdrawn_on"])
        record(actor, AuditAction.UPDATE, consent, resident_id=trajectory.resident_id)
    _close(trajectory, str(CloseReason.RESIDENT_STOPPED))
    record(
        actor,
        AuditAction.UPDATE,
        trajectory,
        resident_id=trajectory.resident_id,
        details={"closed": trajectory.close_reason, "consent_withdrawn": True},
    )


# --- sharing and handing over -----------------------------------------------------------


@transaction.atomic
def share(actor: Actor, trajectory: Trajectory, colleague: User) -> None:
    """Give a colleague access to ``trajectory`` until sharing stops."""
    trajectory.shared_with.add(colleague)
    _record_sharing(actor, trajectory, {"shared_with": colleague.pk})


@transaction.atomic
def unshare(actor: Actor, trajectory: Trajectory, colleague: User) -> None:
    """Stop sharing ``trajectory`` with a colleague."""
    trajectory.shared_with.remove(colleague)
    _record_sharing(actor, trajectory, {"unshared_with": colleague.pk})


def _record_sharing(actor: Actor, trajectory: Trajectory, details: dict[str, int]) -> None:
    record(
        actor,
        AuditAction.UPDATE,
        trajectory,
        resident_id=trajectory.resident_id,
        purpose=PURPOSE_HANDOVER,
        details=details,
    )


@transaction.atomic
def hand_over(actor: Actor, trajectory: Trajectory, new: User) -> None:
    """Make ``new`` the fixed contact person; a share with them is no longer needed."""
    _move(actor, trajectory, new)


def _move(actor: Actor, trajectory: Trajectory, new: User) -> None:
    previous = trajectory.consultant_id
    trajectory.consultant = new
    trajectory.save(update_fields=["consultant"])
    trajectory.shared_with.remove(new)
    record(
        actor,
        AuditAction.UPDATE,
        trajectory,
        resident_id=trajectory.resident_id,
        purpose=PURPOSE_HANDOVER,
        details={"consultant_from": previous, "consultant_to": new.pk},
    )


@transaction.atomic
def hand_over_caseload(actor: Actor, source: User, target: User) -> int:
    """Hand every open trajectory of ``source`` over to ``target``; how many moved."""
    moving = list(
        Trajectory.objects.select_for_update().filter(
            consultant=source, status=TrajectoryStatus.OPEN
        )
    )
    for trajectory in moving:
        _move(actor, trajectory, target)  # one transaction for all (no savepoint each)
    return len(moving)
