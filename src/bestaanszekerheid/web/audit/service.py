"""Writing and verifying the audit chain. Views call :func:`record` for every read and write."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from bestaanszekerheid.web.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64

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
    """Append one event to the chain; ``obj`` is a model instance or a label for lists."""
    if isinstance(obj, models.Model):
        object_type = obj._meta.label
        object_id = str(obj.pk)
    else:
        object_type, object_id = obj, ""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_hash=GENESIS)
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
            previous_hash=head.last_hash,
        )
        event.hash = event_hash(event.previous_hash, _fields(event))
        event.save()
        # Through the queryset: the head row is plain state, not an audit event.
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`; ``first_bad_id`` is None when the chain holds."""

    checked: int
    first_bad_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first event that does not fit."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != previous:
            return ChainReport(checked, event.pk, "vorige hash klopt niet (rij ontbreekt?)")
        if event_hash(previous, _fields(event)) != event.hash:
            return ChainReport(checked, event.pk, "inhoud gewijzigd")
        previous = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return ChainReport(checked, -1, "laatste gebeurtenis(sen) verwijderd")
    return ChainReport(checked, None, "")
