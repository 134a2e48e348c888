"""The audit log: reads and writes are recorded; the hash chain detects tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AppendOnlyError, AuditEvent
from bestaanszekerheid.web.audit.service import record, verify_chain

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
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert not report.ok and report.first_bad_id == events[2].pk


def test_chain_detects_a_removed_last_row() -> None:
    events = [record(None, "read", f"item-{i}") for i in range(3)]
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
    call_command("bsz_audit_verify")
    assert "in orde: 2" in capsys.readouterr().out
    with audit_trigger_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET purpose = 'x' WHERE id = %s", [events[0].pk]
        )
    with pytest.raises(CommandError, match="verbroken"):
        call_command("bsz_audit_verify")


def test_privacy_lookup_is_recorded_with_its_purpose(client: Client) -> None:
    trajectory = make_case(make_user(Role.CONSULTANT), bsn="111222333")
    officer = make_user(Role.PRIVACY_OFFICER)
    login(client, officer)
    client.get(reverse("privacy:index"), {"query": "111222333"})
    [event] = _events(officer, "read")
    assert event.resident_id == trajectory.resident_id
    assert event.purpose == "verzoek van betrokkene (AVG)"
