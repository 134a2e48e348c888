"""Retention: closed trajectories older than the configured period are removed or anonymised.

``delete`` removes the trajectory with all its content, and the resident too when no other
trajectory remains. ``anonymise`` keeps the trajectory's dates, routes, statuses and scores
for figures, but empties every free text and detaches it from the person (the resident's
name, phone and BSN are cleared when no open trajectory remains). The outcome measurements
(issue 16) are dates, moments and scores 1-5 without any text, so ``anonymise`` keeps them
like the Positieve Gezondheid scores and ``delete`` removes them with the trajectory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.db import transaction
from django.db.models import QuerySet

from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import PURPOSE_RETENTION, record
from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal
from bestaanszekerheid.web.referrals.models import Referral
from bestaanszekerheid.web.residents.models import Resident
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

Mode = Literal["delete", "anonymise"]
ANONYMOUS = "(geanonimiseerd)"


@dataclass(frozen=True)
class RetentionResult:
    trajectory_ids: list[int]
    residents_removed: int
    applied: bool


def expired(today: date, days: int) -> QuerySet[Trajectory]:
    """Closed trajectories whose closing date lies more than ``days`` ago."""
    cutoff = today - timedelta(days=days)
    return (
        Trajectory.objects.filter(status=TrajectoryStatus.CLOSED, closed_on__lt=cutoff)
        .exclude(resident__name=ANONYMOUS)
        .order_by("id")
    )


def apply_retention(today: date, days: int, mode: Mode, *, apply: bool) -> RetentionResult:
    """Find expired trajectories; change nothing unless ``apply`` is true."""
    found = list(expired(today, days))
    ids = [t.pk for t in found]  # before deleting: a deleted instance loses its pk
    removed = 0
    if not apply:
        return RetentionResult(ids, 0, False)
    with transaction.atomic():
        for trajectory in found:
            resident = trajectory.resident
            record(
                None,
                AuditAction.DELETE if mode == "delete" else AuditAction.UPDATE,
                trajectory,
                resident_id=resident.pk,
                purpose=PURPOSE_RETENTION,
                details={"mode": mode},
            )
            others = resident.trajectories.exclude(pk=trajectory.pk)
            if mode == "delete":
                trajectory.delete()
                if not others.exists():
                    resident.delete()
                    removed += 1
                continue
            Conversation.objects.filter(trajectory=trajectory).update(notes="", themes=[])
            Goal.objects.filter(trajectory=trajectory).update(description=ANONYMOUS)
            Action.objects.filter(goal__trajectory=trajectory).update(description=ANONYMOUS)
            FollowUp.objects.filter(trajectory=trajectory).update(description=ANONYMOUS)
            Referral.objects.filter(trajectory=trajectory).update(reason=ANONYMOUS)
            if not others.filter(status=TrajectoryStatus.OPEN).exists():
                Resident.objects.filter(pk=resident.pk).update(name=ANONYMOUS, phone="", bsn=None)
                resident.consents.all().delete()
                removed += 1
    return RetentionResult(ids, removed, True)
