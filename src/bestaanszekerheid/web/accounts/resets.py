"""Resetting a staff member's password or second factor takes two people (ADR 0054).

A functional administrator *requests* a reset (:func:`request_reset`); a privacy officer
or another functional administrator, never the requester and never the staff member
concerned, *approves* it (:func:`approve`) or rejects it (:func:`cancel`). A TOTP reset
is carried out on approval; for a password reset the requester takes the one-time
set-password link after approval (:func:`issue_password_link`), which makes the old
password unusable. Requests not approved within :data:`RESET_REQUEST_HOURS` expire, and so
do approved password links not taken within that time.

At the staff member's next full login (after the TOTP step) :func:`announce` tells them
who reset what and when, once, and writes an audit event marking that first session.

Every step is an audit event in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts.models import CredentialKind, CredentialReset, Role, User
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record

PURPOSE_ADMIN = "functioneel beheer"
PURPOSE_ACCOUNT = "toegang tot de applicatie"

# How long a request waits for approval, and an approved password link for its requester.
RESET_REQUEST_HOURS = 24

APPROVER_ROLES = (Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER)

# Requests carried out by handing the requester a one-time set-password link.
LINK_KINDS = (CredentialKind.PASSWORD, CredentialKind.ACCOUNT)


class ResetNotAllowedError(Exception):
    """A step on a reset request that this user may not take now; the message is Dutch."""


def _window(now: datetime) -> datetime:
    return now - timedelta(hours=RESET_REQUEST_HOURS)


def open_requests(now: datetime | None = None) -> QuerySet[CredentialReset]:
    """Requests waiting for approval, and approved password resets waiting for the link."""
    since = _window(now or timezone.now())
    return CredentialReset.objects.filter(
        Q(approved_at__isnull=True, requested_at__gte=since)
        | Q(approved_at__gte=since, executed_at__isnull=True),
        cancelled_at__isnull=True,
        executed_at__isnull=True,
    ).select_related("target", "requested_by", "approved_by")


def state(reset: CredentialReset, now: datetime | None = None) -> str:
    """``pending``, ``approved`` (password link not yet taken), ``executed``,
    ``cancelled`` or ``expired``."""
    since = _window(now or timezone.now())
    if reset.executed_at is not None:
        return "executed"
    if reset.cancelled_at is not None:
        return "cancelled"
    if reset.approved_at is None:
        return "pending" if reset.requested_at >= since else "expired"
    return "approved" if reset.approved_at >= since else "expired"


def expires_at(reset: CredentialReset) -> datetime:
    """When the current step of an open request expires."""
    start = reset.approved_at or reset.requested_at
    return start + timedelta(hours=RESET_REQUEST_HOURS)


def may_approve(user: Any, reset: CredentialReset) -> bool:
    """Four eyes: an active privacy officer or functional administrator who neither asked
    for the reset nor is the staff member concerned."""
    return (
        bool(getattr(user, "is_active", False))
        and user.role in APPROVER_ROLES
        and user.pk not in (reset.requested_by_id, reset.target_id)
    )


def _audit(actor: Any, reset: CredentialReset, step: str, **details: Any) -> None:
    record(
        actor,
        AuditAction.UPDATE if step != "requested" else AuditAction.CREATE,
        reset,
        purpose=PURPOSE_ADMIN,
        details={"step": step, "kind": reset.kind, "target": reset.target_id, **details},
    )


@transaction.atomic
def request_reset(actor: User, target: User, kind: str) -> tuple[CredentialReset, bool]:
    """Ask for a reset; an open request of the same kind for ``target`` is reused.

    Returns the request and whether it is new. Nothing changes for ``target`` yet.
    """
    existing = open_requests().filter(target=target, kind=kind).first()
    if existing is not None:
        return existing, False
    reset = CredentialReset.objects.create(
        target=target, kind=kind, requested_by=actor, requested_at=timezone.now()
    )
    _audit(actor, reset, "requested")
    return reset, True


def _locked(reset: CredentialReset) -> CredentialReset:
    return CredentialReset.objects.select_for_update().get(pk=reset.pk)


@transaction.atomic
def approve(actor: User, reset: CredentialReset) -> CredentialReset:
    """Approve a pending request; a TOTP reset is carried out at once."""
    reset = _locked(reset)
    if not may_approve(actor, reset):
        raise ResetNotAllowedError(
            _(
                "Je kunt dit verzoek niet goedkeuren: dat doet een privacyfunctionaris of een "
                "andere functioneel beheerder dan wie het aanvroeg, en nooit de medewerker zelf."
            )
        )
    if state(reset) != "pending":
        raise ResetNotAllowedError(_("Dit verzoek wacht niet meer op goedkeuring."))
    now = timezone.now()
    reset.approved_by, reset.approved_at = actor, now
    details: dict[str, Any] = {}
    if reset.kind == CredentialKind.TOTP:
        # The staff member's open sessions are no longer verified (django-otp checks the
        # device on every request) and the next login asks for a new authenticator app.
        removed, _per_model = TOTPDevice.objects.filter(user=reset.target).delete()
        reset.executed_at = now
        details["devices_removed"] = removed
    reset.save(update_fields=["approved_by", "approved_at", "executed_at"])
    _audit(actor, reset, "approved", executed=reset.executed_at is not None, **details)
    return reset


@transaction.atomic
def cancel(actor: User, reset: CredentialReset) -> CredentialReset:
    """Withdraw (the requester) or reject (someone who may approve) an open request."""
    reset = _locked(reset)
    if actor.pk != reset.requested_by_id and not may_approve(actor, reset):
        raise ResetNotAllowedError(_("Je kunt dit verzoek niet afwijzen of intrekken."))
    if state(reset) not in ("pending", "approved"):
        raise ResetNotAllowedError(_("Dit verzoek is al afgehandeld of verlopen."))
    reset.cancelled_by, reset.cancelled_at = actor, timezone.now()
    reset.save(update_fields=["cancelled_by", "cancelled_at"])
    _audit(actor, reset, "withdrawn" if actor.pk == reset.requested_by_id else "rejected")
    return reset


@transaction.atomic
def issue_password_link(actor: User, reset: CredentialReset) -> User:
    """The requester takes the link of an approved password reset; the old password (and
    any earlier link) stops working. Returns the staff member to build the link for."""
    reset = _locked(reset)
    if reset.kind not in LINK_KINDS or actor.pk != reset.requested_by_id:
        raise ResetNotAllowedError(_("Alleen wie het verzoek deed, krijgt de wachtwoordlink."))
    if state(reset) != "approved":
        raise ResetNotAllowedError(_("Dit verzoek is niet (meer) goedgekeurd."))
    target = User.objects.select_for_update().get(pk=reset.target_id)
    if not target.is_active:
        raise ResetNotAllowedError(_("Dit account is gedeactiveerd."))
    target.set_unusable_password()
    target.save(update_fields=["password"])
    reset.executed_at = timezone.now()
    reset.save(update_fields=["executed_at"])
    _audit(actor, reset, "executed")
    return target


@dataclass(frozen=True)
class Notice:
    """What the staff member is told after their first full login following a reset."""

    reset_id: int
    text: str


def _notice_text(reset: CredentialReset) -> str:
    when = timezone.localtime(reset.executed_at)
    values = {
        "date": date_format(when, "j F Y"),
        "time": time_format(when, "H:i"),
        "requester": _name(reset.requested_by),
        "approver": _name(reset.approved_by),
    }
    if reset.kind == CredentialKind.ACCOUNT:
        return (
            _(
                "Welkom. %(requester)s heeft je account aangemaakt; %(approver)s keurde de "
                "wachtwoordlink goed (%(date)s, %(time)s)."
            )
            % values
        )
    if reset.kind == CredentialKind.PASSWORD:
        what = _("je wachtwoord")
    else:
        what = _("je tweestapsverificatie")
    return _(
        "Op %(date)s om %(time)s heeft %(requester)s %(what)s hersteld, goedgekeurd door "
        "%(approver)s. Was jij dit niet? Meld het bij de privacyfunctionaris."
    ) % {**values, "what": what}


def _name(user: User | None) -> str:
    if user is None:
        return "?"
    return user.get_full_name() or user.username


@transaction.atomic
def announce(user: User) -> list[Notice]:
    """After a full login: the resets of ``user``'s credentials not yet told, each once.

    Each one writes an audit event marking this as the first session after that reset.
    """
    resets = list(
        # Lock the requests only: PostgreSQL refuses FOR UPDATE on the nullable side of the
        # outer join to the approver.
        CredentialReset.objects.select_for_update(of=("self",))
        .filter(target=user, executed_at__isnull=False, notified_at__isnull=True)
        .select_related("requested_by", "approved_by")
        .order_by("executed_at")
    )
    notices = []
    now = timezone.now()
    for reset in resets:
        reset.notified_at = now
        reset.save(update_fields=["notified_at"])
        record(
            user,
            AuditAction.UPDATE,
            reset,
            purpose=PURPOSE_ACCOUNT,
            details={
                "first_session_after_reset": True,
                "credential_reset": reset.pk,
                "kind": reset.kind,
            },
        )
        notices.append(Notice(reset.pk, _notice_text(reset)))
    return notices
