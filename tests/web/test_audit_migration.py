"""A log written before ADR 0053 (hashes on the events) still verifies after migration 0004
moves its chain into seals, and the triggers guard both tables afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from bestaanszekerheid.web.audit import db_triggers
from bestaanszekerheid.web.audit.models import AuditSeal
from bestaanszekerheid.web.audit.service import GENESIS, event_hash, record, seal_all, verify_chain

BEFORE = [("audit", "0003_append_only_trigger")]


@pytest.mark.django_db(transaction=True)
def test_an_old_chain_is_moved_into_seals_and_still_verifies() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audit")
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        event_model = old.get_model("audit", "AuditEvent")
        head_model = old.get_model("audit", "AuditChainHead")
        previous = GENESIS
        start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        for i in range(4):
            fields = {
                "timestamp": (start + timedelta(minutes=i)).isoformat(),
                "actor_username": "consulent1",
                "action": "read",
                "object_type": "residents.Resident",
                "object_id": str(i),
                "resident_id": i,
                "purpose": "begeleiding",
                "details": {"processing_activity": "urn:test"},
            }
            digest = event_hash(previous, fields)
            event_model.objects.create(
                timestamp=start + timedelta(minutes=i),
                actor_username="consulent1",
                action="read",
                object_type="residents.Resident",
                object_id=str(i),
                resident_id=i,
                purpose="begeleiding",
                details={"processing_activity": "urn:test"},
                previous_hash=previous,
                hash=digest,
            )
            previous = digest
        head_model.objects.update_or_create(pk=1, defaults={"last_hash": previous})
    finally:
        MigrationExecutor(connection).migrate(latest)
    report = verify_chain(full=True)
    assert report.ok and report.checked == 4 and report.last_hash == previous
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    # The chain goes on from the old head, and both tables stay append-only.
    record(None, "read", "nieuw")
    seal_all()
    assert AuditSeal.objects.get(seq=5).previous_hash == previous
    assert verify_chain(full=True).ok and db_triggers.installed(connection)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditSeal._meta.db_table} WHERE seq = 1")
