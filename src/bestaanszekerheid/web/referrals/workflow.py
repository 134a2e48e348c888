"""The referral state machine: allowed transitions are listed here and nowhere else.

proposed -> sent -> accepted -> completed; a proposal can be declined by the resident, a
sent referral by the partner. ``completed`` and ``declined`` are final.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.referrals.models import Referral, ReferralStatus, ReferralTransition

# Plain strings (str(member) is its value), the type of ``Referral.status``.
PROPOSED, SENT, ACCEPTED, COMPLETED, DECLINED = (
    str(ReferralStatus.PROPOSED),
    str(ReferralStatus.SENT),
    str(ReferralStatus.ACCEPTED),
    str(ReferralStatus.COMPLETED),
    str(ReferralStatus.DECLINED),
)
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    PROPOSED: frozenset({SENT, DECLINED}),
    SENT: frozenset({ACCEPTED, DECLINED}),
    ACCEPTED: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    DECLINED: frozenset(),
}


class TransitionNotAllowedError(ValueError):
    """The requested status change is not in :data:`ALLOWED_TRANSITIONS`."""


def next_statuses(referral: Referral) -> list[str]:
    """The statuses this referral may move to, in the order of the choices."""
    allowed = ALLOWED_TRANSITIONS[referral.status]
    return [value for value in ReferralStatus.values if value in allowed]


def transition(referral: Referral, to_status: str, user: Any) -> ReferralTransition:
    """Move ``referral`` to ``to_status``, logging the step and an audit event."""
    if to_status not in ALLOWED_TRANSITIONS.get(referral.status, frozenset()):
        raise TransitionNotAllowedError(
            _("Van %(van)s naar %(naar)s mag niet.") % {"van": referral.status, "naar": to_status}
        )
    with transaction.atomic():
        step = ReferralTransition.objects.create(
            referral=referral, from_status=referral.status, to_status=to_status, by=user
        )
        referral.status = to_status
        referral.save(update_fields=["status"])
        record(
            user,
            AuditAction.UPDATE,
            referral,
            resident_id=referral.trajectory.resident_id,
            details={"from": step.from_status, "to": to_status},
        )
    return step
