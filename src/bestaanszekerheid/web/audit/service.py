"""Writing, sealing and verifying the audit chain (ADR 0053).

Views call :func:`record` for every read and write. It appends the event and a pending
marker in the caller's transaction, so a write and its event commit together, and takes no
lock: requests never wait for each other. After the commit, :func:`seal_pending` chains the
new events; one sealer works at a time and any other skips instead of waiting (PostgreSQL's
``SKIP LOCKED``), so an event sealed late is sealed by the next request or by
``bsz_audit_seal``. Each seal batch writes the new chain head to the log
``bestaanszekerheid.audit.head`` (a file or syslog the auditor keeps, outside the database).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from bestaanszekerheid.web.audit.models import (
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    AuditSeal,
    PendingSeal,
)

GENESIS = "0" * 64
#: Events a sealer chains in one transaction (the rest waits for the next one).
SEAL_BATCH = 2000
HEAD_LOG = logging.getLogger("bestaanszekerheid.audit.head")

# A member of a Django TextChoices (a str subclass) or its string value.
Choice = str

# Purposes of processing, in the words staff see in the audit log.
PURPOSE_CASEWORK = "begeleiding"
PURPOSE_PRIVACY_REQUEST = "verzoek van betrokkene (AVG)"
PURPOSE_RETENTION = "bewaartermijn verstreken"


def event_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's fields in a canonical JSON form."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "timestamp": event.timestamp.astimezone(UTC).isoformat(),
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "resident_id": event.resident_id,
        "purpose": event.purpose,
        "details": event.details,
    }


def record(
    actor: Any,
    action: Choice,
    obj: models.Model | str,
    *,
    resident_id: int | None = None,
    purpose: str = PURPOSE_CASEWORK,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; ``obj`` is a model instance or a label for lists. It is sealed
    into the chain right after the surrounding transaction commits (see the module)."""
    if isinstance(obj, models.Model):
        object_type = obj._meta.label
        object_id = str(obj.pk)
    else:
        object_type, object_id = obj, ""
    with transaction.atomic():
        event = AuditEvent(
            timestamp=timezone.now().astimezone(UTC),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_username=getattr(actor, "username", "") or "systeem",
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            resident_id=resident_id,
            purpose=purpose,
            details={**(details or {}), "processing_activity": settings.BSZ_PROCESSING_ACTIVITY},
        )
        event.save()
        PendingSeal.objects.create(event_id=event.pk)
        # One seal after the commit, however many events the transaction records (a page
        # view can record several): the sealer takes all pending events at once.
        connection = transaction.get_connection()
        if not any(entry[1] is seal_pending for entry in connection.run_on_commit):
            transaction.on_commit(seal_pending)
    return event


def _locked_head() -> AuditChainHead | None:
    """The chain head, locked for this transaction; None when another sealer holds it."""
    head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()
    if head is not None or AuditChainHead.objects.filter(pk=1).exists():
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1, last_hash=GENESIS, last_seq=0)
    except IntegrityError:  # another sealer created it first
        return None
    return AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()


def seal_pending(limit: int = SEAL_BATCH) -> int:
    """Chain up to ``limit`` pending events in the order of their id; the number sealed.

    Returns 0 at once when another sealer is busy: its batch or the next one takes them."""
    with transaction.atomic():
        head = _locked_head()
        if head is None:
            return 0
        pending = list(
            PendingSeal.objects.order_by("event_id").values_list("event_id", flat=True)[:limit]
        )
        if not pending:
            return 0
        events = AuditEvent.objects.in_bulk(pending)
        now = timezone.now()
        seq, previous = head.last_seq, head.last_hash
        seals = []
        for event_id in pending:
            event = events.get(event_id)
            if event is None:
                # Pending but gone: only raw SQL can do that; verification reports it.
                continue
            seq += 1
            digest = event_hash(previous, _fields(event))
            seals.append(
                AuditSeal(
                    seq=seq, event_id=event_id, previous_hash=previous, hash=digest, sealed_at=now
                )
            )
            previous = digest
        AuditSeal.objects.bulk_create(seals)
        PendingSeal.objects.filter(event_id__in=pending).delete()
        # Through the queryset: the head row is the sealer's state, not an audit event.
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=previous)
    if seals:
        HEAD_LOG.info(
            "auditketen kop volgnummer=%d hash=%s tijd=%s", seq, previous, now.isoformat()
        )
    return len(seals)


def seal_all() -> int:
    """Seal every pending event (the ``bsz_audit_seal`` command, tests); the number sealed."""
    total = 0
    while (done := seal_pending()) > 0:
        total += done
    return total


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`; ``first_bad_id`` is None when the chain holds.

    ``checked``: seals recomputed in this run (from ``start_seq`` on); ``pending``: events
    written but not sealed yet (not an error; old ones mean the sealer does not run)."""

    checked: int
    first_bad_id: int | None
    reason: str
    start_seq: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    pending: int = 0
    full: bool = True

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def _checkpoint(full: bool) -> tuple[int, str]:
    """Where a check starts: the genesis for a full one, else the latest checkpoint."""
    if full:
        return 0, GENESIS
    last = AuditCheckpoint.objects.order_by("-seq", "-id").first()
    return (last.seq, last.hash) if last is not None else (0, GENESIS)


def verify_chain(*, full: bool = True, save_checkpoint: bool = False) -> ChainReport:
    """Recompute the chain in order and report the first event that does not fit.

    ``full=False`` starts at the latest checkpoint (incremental; the privacy page). A full
    check also finds events that are neither sealed nor pending. ``save_checkpoint`` stores
    the verified end as the next check's start (only when the chain holds)."""
    start_seq, previous = _checkpoint(full)
    checked = 0
    last_seq = start_seq
    seals = AuditSeal.objects.filter(seq__gt=start_seq).order_by("seq")
    while chunk := list(seals.filter(seq__gt=last_seq)[:SEAL_BATCH]):
        events = AuditEvent.objects.in_bulk([s.event_id for s in chunk])
        for seal in chunk:
            if seal.seq != last_seq + 1:
                return ChainReport(checked, seal.event_id, "zegel ontbreekt", start_seq)
            if seal.previous_hash != previous:
                return ChainReport(checked, seal.event_id, "vorige hash klopt niet", start_seq)
            event = events.get(seal.event_id)
            if event is None:
                return ChainReport(checked, seal.event_id, "gebeurtenis verwijderd", start_seq)
            if event_hash(previous, _fields(event)) != seal.hash:
                return ChainReport(checked, seal.event_id, "inhoud gewijzigd", start_seq)
            previous, last_seq = seal.hash, seal.seq
            checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (last_seq, previous):
        return ChainReport(checked, -1, "laatste gebeurtenis(sen) verwijderd", start_seq)
    pending = PendingSeal.objects.count()
    if full:
        sealed = AuditSeal.objects.values("event_id")
        waiting = PendingSeal.objects.values("event_id")
        loose = AuditEvent.objects.exclude(pk__in=sealed).exclude(pk__in=waiting).order_by("pk")
        first_loose = loose.values_list("pk", flat=True).first()
        if first_loose is not None:
            return ChainReport(checked, first_loose, "gebeurtenis buiten de keten", start_seq)
    report = ChainReport(
        checked, None, "", start_seq, last_seq, previous, pending=pending, full=full
    )
    if save_checkpoint and (full or last_seq > start_seq):
        AuditCheckpoint.objects.create(
            seq=last_seq, hash=previous, verified_at=timezone.now(), full=full
        )
    return report


def head_is_in_chain(seq: int, digest: str) -> bool:
    """Whether a chain head kept outside the database (seq and hash) is still in the chain:
    False when the chain was cut back or rewritten since the head was exported."""
    if seq == 0:
        return digest == GENESIS
    return AuditSeal.objects.filter(seq=seq, hash=digest).exists()
