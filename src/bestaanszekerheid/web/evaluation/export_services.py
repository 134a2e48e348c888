"""The evaluation export takes four eyes: an analyst asks, a privacy officer decides (ADR 0055).

An analyst (the evaluator) *requests* an export of a pilot whose allocation is imported
(:func:`request_export`); a privacy officer, never the requester, *approves* or *rejects* it
(:func:`approve`, :func:`reject`) within :data:`REQUEST_DAYS` days, after which a pending
request expires. After approval the requester *downloads* it once (:func:`download`): the file
is built then, from the data as they are at that moment, so a consent withdrawn after the
approval is respected. Each rule is enforced here, not only by the pages.

Every step is an audit event in the same transaction as the change; the details name the
pilot, the step, and for the download the row count, SHA-256 and key source, never content.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction, AuditEvent
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.evaluation.export_file import ExportFile, build_export, evaluation_key
from bestaanszekerheid.web.evaluation.models import EvaluationExport, Pilot, PilotStatus

PURPOSE_EVALUATION = "evaluatie van een pilot (goedgekeurde export)"

# How long a request waits for the privacy officer's decision.
REQUEST_DAYS = 14
# How long an approval stays valid for its one download.
APPROVAL_DAYS = 7

# Pilots whose allocation is imported: only they have arms to export.
EXPORTABLE_STATUSES = (PilotStatus.RUNNING, PilotStatus.ENDED)

PENDING, EXPIRED, APPROVED, LAPSED, DOWNLOADED, REJECTED = (
    "pending",
    "expired",
    "approved",
    "lapsed",
    "downloaded",
    "rejected",
)


class ExportNotAllowedError(Exception):
    """A step on an export request that this user may not take now; the message is Dutch."""


def exportable_pilots() -> QuerySet[Pilot]:
    """Pilots an analyst can ask an export of."""
    return Pilot.objects.filter(status__in=EXPORTABLE_STATUSES)


def visible_exports(user: Any) -> QuerySet[EvaluationExport]:
    """The requests a user may see: an analyst their own, a privacy officer all."""
    qs = EvaluationExport.objects.select_related(
        "pilot", "requested_by", "approved_by", "rejected_by"
    )
    if not getattr(user, "is_active", False):
        return qs.none()
    if user.role == Role.PRIVACY_OFFICER:
        return qs
    if user.role == Role.ANALYST:
        return qs.filter(requested_by=user)
    return qs.none()


def expires_at(export: EvaluationExport) -> datetime:
    """When a pending request expires."""
    return export.requested_at + timedelta(days=REQUEST_DAYS)


def approval_lapses_at(export: EvaluationExport) -> datetime | None:
    """When an approval not acted on lapses (:data:`APPROVAL_DAYS` after it was given)."""
    if export.approved_at is None:
        return None
    return export.approved_at + timedelta(days=APPROVAL_DAYS)


def state(export: EvaluationExport, now: datetime | None = None) -> str:
    """``pending``, ``expired`` (no decision in time), ``approved`` (not yet downloaded),
    ``lapsed`` (approved, not downloaded in time), ``downloaded`` or ``rejected``.

    An approval lapses because the file is built at download: an approval that stayed open
    for months would cover data the privacy officer never weighed (attacker review)."""
    now = now or timezone.now()
    if export.downloaded_at is not None:
        return DOWNLOADED
    if export.rejected_at is not None:
        return REJECTED
    lapses = approval_lapses_at(export)
    if lapses is not None:
        return APPROVED if now < lapses else LAPSED
    return PENDING if now < expires_at(export) else EXPIRED


def may_decide(user: Any, export: EvaluationExport) -> bool:
    """Four eyes: an active privacy officer who did not ask for the export."""
    return (
        bool(getattr(user, "is_active", False))
        and user.role == Role.PRIVACY_OFFICER
        and user.pk != export.requested_by_id
    )


def may_download(user: Any, export: EvaluationExport) -> bool:
    """Only the analyst who asked for it."""
    return (
        bool(getattr(user, "is_active", False))
        and user.role == Role.ANALYST
        and user.pk == export.requested_by_id
    )


def _audit(actor: Any, action: str, export: EvaluationExport, **details: Any) -> None:
    record(
        actor,
        action,
        export,
        purpose=PURPOSE_EVALUATION,
        details={"pilot": export.pilot_id, **details},
    )


def _locked(export: EvaluationExport) -> EvaluationExport:
    return EvaluationExport.objects.select_for_update().select_related("pilot").get(pk=export.pk)


@transaction.atomic
def request_export(actor: Any, pilot: Pilot, purpose: str) -> EvaluationExport:
    """An analyst asks for an export of ``pilot`` for ``purpose``; nothing is handed out yet."""
    if getattr(actor, "role", None) != Role.ANALYST or not actor.is_active:
        raise ExportNotAllowedError(_("Alleen een analist kan een evaluatie-export aanvragen."))
    pilot = Pilot.objects.select_for_update().get(pk=pilot.pk)
    if pilot.status not in EXPORTABLE_STATUSES:
        raise ExportNotAllowedError(
            _("Voor deze pilot is nog geen loting ingelezen: er zijn geen armen om te exporteren.")
        )
    purpose = purpose.strip()
    if not purpose:
        raise ExportNotAllowedError(_("Geef het doel van de export."))
    export = EvaluationExport.objects.create(
        pilot=pilot, purpose=purpose, requested_by=actor, requested_at=timezone.now()
    )
    _audit(actor, AuditAction.CREATE, export, step="requested")
    return export


def _decidable(actor: Any, export: EvaluationExport) -> EvaluationExport:
    export = _locked(export)
    if not may_decide(actor, export):
        raise ExportNotAllowedError(
            _(
                "Je kunt deze aanvraag niet beoordelen: dat doet een privacyfunctionaris, nooit "
                "wie de export aanvroeg."
            )
        )
    current = state(export)
    if current == EXPIRED:
        raise ExportNotAllowedError(
            _("Deze aanvraag is verlopen (na %(days)d dagen zonder besluit); vraag opnieuw aan.")
            % {"days": REQUEST_DAYS}
        )
    if current != PENDING:
        raise ExportNotAllowedError(_("Over deze aanvraag is al besloten."))
    return export


@transaction.atomic
def approve(actor: Any, export: EvaluationExport) -> EvaluationExport:
    """A privacy officer approves a pending request; the requester may then download once."""
    export = _decidable(actor, export)
    export.approved_by, export.approved_at = actor, timezone.now()
    export.save(update_fields=["approved_by", "approved_at"])
    _audit(actor, AuditAction.UPDATE, export, step="approved")
    return export


@transaction.atomic
def reject(actor: Any, export: EvaluationExport) -> EvaluationExport:
    """A privacy officer rejects a pending request; it can never be downloaded."""
    export = _decidable(actor, export)
    export.rejected_by, export.rejected_at = actor, timezone.now()
    export.save(update_fields=["rejected_by", "rejected_at"])
    _audit(actor, AuditAction.UPDATE, export, step="rejected")
    return export


def check_downloadable(actor: Any, export: EvaluationExport) -> None:
    """Raise :class:`ExportNotAllowedError` unless ``actor`` may download ``export`` now."""
    if not may_download(actor, export):
        raise ExportNotAllowedError(
            _("Alleen de analist die de export aanvroeg, kan hem downloaden.")
        )
    current = state(export)
    if current == DOWNLOADED:
        raise ExportNotAllowedError(
            _(
                "Deze export is al gedownload (dat kan één keer). Heb je het bestand opnieuw "
                "nodig, vraag dan een nieuwe export aan."
            )
        )
    if current == REJECTED:
        raise ExportNotAllowedError(_("Deze aanvraag is afgewezen: er is geen bestand."))
    if current == LAPSED:
        raise ExportNotAllowedError(
            _(
                "De goedkeuring is verlopen: er is niet binnen %(days)d dagen gedownload. Vraag "
                "een nieuwe export aan."
            )
            % {"days": APPROVAL_DAYS}
        )
    if current in (PENDING, EXPIRED):
        raise ExportNotAllowedError(
            _("Deze aanvraag is (nog) niet goedgekeurd door een privacyfunctionaris.")
        )
    if export.pilot.status not in EXPORTABLE_STATUSES:
        raise ExportNotAllowedError(_("Deze pilot heeft geen ingelezen loting meer."))


@transaction.atomic
def download(
    actor: Any, export: EvaluationExport, today: date, *, channel: Mapping[str, str] | None = None
) -> ExportFile:
    """Build the file now and hand it out once; record what was handed out.

    ``channel``: how it left, recorded with the download (the page by default; the command
    line names itself and the server account that ran it).

    Raises :class:`ExportNotAllowedError` (not approved, already downloaded, not the
    requester) or :class:`~.export_file.ExportKeyError` (no key) and then changes nothing.
    """
    export = _locked(export)
    check_downloadable(actor, export)
    built = build_export(export.pilot, evaluation_key(), today)
    export.downloaded_at = timezone.now()
    export.n_rows = built.n_rows
    export.sha256 = built.sha256
    export.save(update_fields=["downloaded_at", "n_rows", "sha256"])
    _audit(
        actor,
        AuditAction.EXPORT,
        export,
        step="downloaded",
        n_rows=built.n_rows,
        sha256=built.sha256,
        columns=list(built.columns),
        key=built.key.source,
        key_fingerprint=built.key.fingerprint,
        allocation_head=export.pilot.allocation_head,
        **(channel or {"channel": "web"}),
    )
    return built


def provenance(export: EvaluationExport) -> dict[str, Any]:
    """What the download's audit event recorded (key source and fingerprint, columns), for
    the export page; empty before the download."""
    event = (
        AuditEvent.objects.filter(
            object_type=EvaluationExport._meta.label,
            object_id=str(export.pk),
            action=AuditAction.EXPORT,
            details__step="downloaded",
        )
        .order_by("-id")
        .first()
    )
    return dict(event.details) if event is not None else {}
