"""The audit log: reads and writes are recorded; the hash chain detects tampering."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import (
    AppendOnlyError,
    AuditChainHead,
    AuditEvent,
    AuditSeal,
    PendingSeal,
)
from bestaanszekerheid.web.audit.service import record, seal_all, seal_pending, verify_chain

from .factories import RECENTLY, login, make_case, make_user
from .tampering import audit_trigger_lifted

pytestmark = pytest.mark.django_db


def _events(user: object, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=action))


def test_reading_a_resident_is_recorded(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    login(client, user)
    client.get(reverse("casework:resident", args=[trajectory.resident_id]))
    [event] = _events(user, "read")
    assert event.object_type == "residents.Resident"
    assert event.object_id == str(trajectory.resident_id)
    assert event.resident_id == trajectory.resident_id
    assert event.purpose == "begeleiding"
    # No names or notes in the log, only references.
    assert trajectory.resident.name not in str(event.details)


def test_caseload_read_lists_the_residents_shown(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    ids = sorted(make_case(user).resident_id for _ in range(3))
    login(client, user)
    client.get(reverse("casework:caseload"))
    [event] = _events(user, "read")
    assert sorted(event.details["residents"]) == ids


def test_writes_are_recorded(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    login(client, user)
    client.post(
        reverse("casework:resident-create"),
        {
            "name": "Nieuwe Nina",
            "consent_given_on": RECENTLY,
            "consent_method": "mondeling",
            "consent_confirmed": "on",
        },
    )
    created = {e.object_type for e in _events(user, "create")}
    assert created == {
        "residents.Resident",
        "residents.Consent",
        "trajectories.Trajectory",
        "inwonerregistratie",  # the attempt itself (issue 15), with a keyed hash of any BSN
    }
    trajectory_id = AuditEvent.objects.get(object_type="trajectories.Trajectory").object_id
    client.post(
        reverse("casework:conversation-create", args=[trajectory_id]),
        {"held_on": RECENTLY, "channel": "telefoon", "notes": "x"}
        | {
            f"score_{d}": "6"
            for d in [
                "lichaamsfuncties",
                "mentaal_welbevinden",
                "zingeving",
                "kwaliteit_van_leven",
                "meedoen",
                "dagelijks_functioneren",
            ]
        },
    )
    assert "conversations.Conversation" in {e.object_type for e in _events(user, "create")}
    assert verify_chain().ok


def test_chain_verifies_and_detects_changed_content() -> None:
    user = make_user(Role.CONSULTANT)
    events = [record(user, "read", f"item-{i}") for i in range(5)]
    assert seal_all() == 5
    assert verify_chain().ok and verify_chain().checked == 5
    # An attacker who owns the database, bypassing the model and the append-only trigger.
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_username = %s WHERE id = %s",
            ["iemand-anders", events[2].pk],
        )
    report = verify_chain()
    assert not report.ok and report.first_bad_id == events[2].pk
    assert report.reason == "inhoud gewijzigd"


def test_chain_detects_a_removed_row() -> None:
    events = [record(None, "read", f"item-{i}") for i in range(4)]
    seal_all()
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert not report.ok and report.first_bad_id == events[1].pk
    assert report.reason == "gebeurtenis verwijderd"


def test_chain_detects_a_removed_last_row() -> None:
    events = [record(None, "read", f"item-{i}") for i in range(3)]
    seal_all()
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])
    assert not verify_chain().ok


def test_events_cannot_be_changed_or_deleted_through_the_app() -> None:
    event = record(None, "read", "item")
    event.purpose = "iets anders"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert verify_chain().ok


def test_verify_command(capsys: pytest.CaptureFixture[str]) -> None:
    events = [record(None, "read", f"item-{i}") for i in range(2)]
    seal_all()
    call_command("bsz_audit_verify", "--volledig")
    assert "2 gebeurtenissen gecontroleerd" in capsys.readouterr().out
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET purpose = 'x' WHERE id = %s", [events[0].pk]
        )
    with pytest.raises(CommandError, match="verbroken"):
        call_command("bsz_audit_verify", "--volledig")


def test_privacy_lookup_is_recorded_with_its_purpose(client: Client) -> None:
    trajectory = make_case(make_user(Role.CONSULTANT), bsn="111222333")
    officer = make_user(Role.PRIVACY_OFFICER)
    login(client, officer)
    client.get(reverse("privacy:index"), {"query": "111222333"})
    [event] = _events(officer, "read")
    assert event.resident_id == trajectory.resident_id
    assert event.purpose == "verzoek van betrokkene (AVG)"


# --- sealing (ADR 0053) -------------------------------------------------------------------


def test_events_are_pending_until_sealed_in_the_order_of_their_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = [record(None, "read", f"item-{i}") for i in range(3)]
    assert PendingSeal.objects.count() == 3 and not AuditSeal.objects.exists()
    report = verify_chain()
    assert report.ok and report.pending == 3 and report.checked == 0
    with caplog.at_level("INFO", logger="bestaanszekerheid.audit.head"):
        assert seal_all() == 3
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.event_id for s in seals] == [e.pk for e in events]
    assert [s.seq for s in seals] == [1, 2, 3]
    assert [s.previous_hash for s in seals[1:]] == [s.hash for s in seals[:-1]]
    assert not PendingSeal.objects.exists()
    # The new head goes to a log outside the database.
    assert f"volgnummer=3 hash={seals[-1].hash}" in caplog.text


def test_a_write_and_its_event_commit_together_and_are_sealed_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record(None, "read", "item")
        # Inside the transaction nothing is sealed yet: no lock was taken.
        assert not AuditSeal.objects.exists()
    assert AuditSeal.objects.count() == 1 and not PendingSeal.objects.exists()


def test_a_removed_seal_is_detected() -> None:
    [record(None, "read", f"item-{i}") for i in range(3)]
    seal_all()
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditSeal._meta.db_table} WHERE seq = 2")
    report = verify_chain()
    assert not report.ok and report.reason == "zegel ontbreekt"


def test_an_event_slipped_in_outside_the_chain_is_found_by_the_full_check() -> None:
    record(None, "read", "item")
    seal_all()
    # Raw SQL: an event without a seal and without a pending marker.
    AuditEvent.objects.bulk_create(
        [AuditEvent(timestamp=timezone.now(), actor_username="x", action="read", purpose="y")]
    )
    slipped = AuditEvent.objects.order_by("-pk").first()
    assert slipped is not None
    assert verify_chain(full=False).ok  # incremental: only the chain after the checkpoint
    report = verify_chain(full=True)
    assert not report.ok and report.first_bad_id == slipped.pk
    assert report.reason == "gebeurtenis buiten de keten"


def test_incremental_check_starts_at_the_last_checkpoint() -> None:
    first = [record(None, "read", f"oud-{i}") for i in range(3)]
    seal_all()
    assert verify_chain(full=True, save_checkpoint=True).checked == 3
    [record(None, "read", f"nieuw-{i}") for i in range(2)]
    seal_all()
    report = verify_chain(full=False, save_checkpoint=True)
    assert report.ok and (report.start_seq, report.checked, report.last_seq) == (3, 2, 5)
    # Tampering before the checkpoint is the full check's to find.
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET purpose = 'x' WHERE id = %s", [first[0].pk]
        )
    assert verify_chain(full=False).ok
    assert verify_chain(full=True).reason == "inhoud gewijzigd"


def test_a_chain_cut_back_is_caught_by_a_head_kept_outside(
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = [record(None, "read", f"item-{i}") for i in range(3)]
    seal_all()
    kept = AuditChainHead.objects.get(pk=1)
    kept_head = f"{kept.last_seq}:{kept.last_hash}"
    call_command("bsz_audit_verify", "--volledig", "--kop", kept_head)
    # The attacker removes the last event and its seal and winds the head back.
    previous = AuditSeal.objects.get(seq=2)
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditSeal._meta.db_table} WHERE seq = 3")
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[2].pk])
    AuditChainHead.objects.filter(pk=1).update(last_seq=2, last_hash=previous.hash)
    assert verify_chain(full=True).ok  # inside the database everything fits again
    with pytest.raises(CommandError, match="ingekort of herschreven"):
        call_command("bsz_audit_verify", "--volledig", "--kop", kept_head)


@pytest.mark.django_db(transaction=True)
def test_requests_do_not_wait_for_a_busy_sealer() -> None:
    """On PostgreSQL: while one sealer holds the chain head, another request records and
    commits its event at once, and its own sealer skips instead of waiting."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises all writes)")
    held = threading.Event()
    release = threading.Event()

    def busy_sealer() -> None:
        with transaction.atomic():
            AuditChainHead.objects.select_for_update().get(pk=1)
            held.set()
            release.wait(10)
        connections.close_all()

    worker = threading.Thread(target=busy_sealer)
    worker.start()
    assert held.wait(10)
    try:
        started = time.monotonic()
        record(None, "read", "item")  # autocommit: commits, then tries to seal
        assert time.monotonic() - started < 2
        assert seal_pending() == 0 and PendingSeal.objects.count() == 1
    finally:
        release.set()
        worker.join()
    assert seal_all() == 1 and verify_chain().ok


def test_a_transaction_that_records_several_events_seals_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for i in range(3):
            record(None, "read", f"item-{i}")
    assert len(callbacks) == 1
    assert AuditSeal.objects.count() == 3 and not PendingSeal.objects.exists()
