"""AVG: retention (dry run vs real, delete vs anonymise), export and erasure."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.audit.service import verify_chain
from bestaanszekerheid.web.conversations.models import Conversation, PositiveHealthScore
from bestaanszekerheid.web.privacy.models import RetentionPolicy
from bestaanszekerheid.web.privacy.retention import ANONYMOUS, apply_retention
from bestaanszekerheid.web.residents.models import Resident
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import login, make_case, make_conversation, make_goal, make_referral, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


def _closed(days_ago: int, name: str) -> Trajectory:
    trajectory = make_case(
        make_user(Role.CONSULTANT), name=name, bsn=None, opened_on=TODAY - 900 * timedelta(days=1)
    )
    make_conversation(trajectory, scores=[4] * 6, notes="privé")
    make_goal(trajectory, description="persoonlijk doel")
    trajectory.status, trajectory.close_reason = "closed", "doelen_bereikt"
    trajectory.closed_on = TODAY - timedelta(days=days_ago)
    trajectory.save()
    return trajectory


def test_dry_run_changes_nothing() -> None:
    old = _closed(800, "Oude Olga")
    result = apply_retention(TODAY, 730, "delete", apply=False)
    assert result.trajectory_ids == [old.pk] and not result.applied
    assert Resident.objects.filter(name="Oude Olga").exists()


def test_delete_removes_only_expired_trajectories() -> None:
    old = _closed(800, "Oude Olga")
    recent = _closed(100, "Recente Rob")
    open_case = make_case(make_user(Role.CONSULTANT), name="Lopende Lies")
    result = apply_retention(TODAY, 730, "delete", apply=True)
    assert result.trajectory_ids == [old.pk] and result.residents_removed == 1
    assert not Resident.objects.filter(name="Oude Olga").exists()
    assert not Conversation.objects.filter(trajectory_id=old.pk).exists()
    assert Trajectory.objects.filter(pk__in=[recent.pk, open_case.pk]).count() == 2
    assert (
        AuditEvent.objects.filter(purpose="bewaartermijn verstreken", action="delete").count() == 1
    )
    assert verify_chain().ok


def test_anonymise_keeps_figures_but_no_person() -> None:
    old = _closed(800, "Oude Olga")
    apply_retention(TODAY, 730, "anonymise", apply=True)
    old.refresh_from_db()
    assert old.resident.name == ANONYMOUS and old.resident.bsn is None
    assert Conversation.objects.get(trajectory=old).notes == ""
    assert PositiveHealthScore.objects.filter(conversation__trajectory=old).count() == 6
    assert old.goals.get().description == ANONYMOUS
    # Running again finds nothing new.
    assert apply_retention(TODAY, 730, "anonymise", apply=False).trajectory_ids == []


def test_retention_command_is_a_dry_run_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    _closed(3000, "Heel Oude Henk")
    call_command("bsz_retention")
    assert "Proefdraaien: 1" in capsys.readouterr().out
    assert Resident.objects.filter(name="Heel Oude Henk").exists()
    call_command("bsz_retention", "--uitvoeren")
    assert not Resident.objects.filter(name="Heel Oude Henk").exists()


def test_export_contains_everything_and_is_audited(client: Client) -> None:
    trajectory = make_case(make_user(Role.CONSULTANT), name="Export Eva", bsn="111222333")
    make_conversation(trajectory, scores=[3, 4, 5, 6, 7, 8], notes="gespreksnotitie")
    make_referral(trajectory)
    officer = make_user(Role.PRIVACY_OFFICER)
    login(client, officer)
    response = client.get(reverse("privacy:export", args=[trajectory.resident_id]))
    data = json.loads(response.content)
    assert data["inwoner"]["name"] == "Export Eva" and data["inwoner"]["bsn"] == "111222333"
    [t] = data["trajecten"]
    assert t["gesprekken"][0]["notes"] == "gespreksnotitie"
    assert t["gesprekken"][0]["scores_positieve_gezondheid"]["meedoen"] == 7
    assert len(t["verwijzingen"]) == 1
    assert AuditEvent.objects.filter(actor=officer, action="export").count() == 1


def test_pdf_export_is_a_pdf_and_audited(client: Client) -> None:
    trajectory = make_case(make_user(Role.CONSULTANT), name="Pdf Pieter")
    make_conversation(trajectory, scores=[5] * 6)
    officer = make_user(Role.PRIVACY_OFFICER)
    login(client, officer)
    response = client.get(reverse("privacy:export-pdf", args=[trajectory.resident_id]))
    assert response["Content-Type"] == "application/pdf" and response.content[:5] == b"%PDF-"
    event = AuditEvent.objects.get(actor=officer, action="export")
    assert event.details["format"] == "pdf"


def test_privacy_officer_finds_by_bsn_and_erases(client: Client) -> None:
    trajectory = make_case(make_user(Role.CONSULTANT), name="Wis Willem", bsn="123456782")
    make_conversation(trajectory, notes="weg ermee")
    officer = make_user(Role.PRIVACY_OFFICER)
    login(client, officer)
    found = client.get(reverse("privacy:index"), {"query": "1234.56.782"})
    assert "Wis Willem" in found.content.decode()
    url = reverse("privacy:erase", args=[trajectory.resident_id])
    client.post(url, {"confirm": "fout"})
    assert Resident.objects.filter(pk=trajectory.resident_id).exists()
    client.post(url, {"confirm": str(trajectory.resident_id)})
    assert not Resident.objects.filter(pk=trajectory.resident_id).exists()
    assert not Conversation.objects.filter(notes="weg ermee").exists()
    erase = AuditEvent.objects.get(action="erase")
    assert erase.actor == officer and erase.resident_id == trajectory.resident_id
    assert verify_chain().ok


def test_resident_page_shows_purpose(client: Client, settings: object) -> None:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    login(client, user)
    body = client.get(reverse("casework:resident", args=[trajectory.resident_id])).content.decode()
    assert "Doel van de verwerking" in body and "vrijwillige deelname" in body


def test_privacy_officer_sets_the_retention_policy_and_the_job_follows_it(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    _closed(400, "Vorig Jaar Vera")  # expired under 365 days, not under the default 730
    officer = make_user(Role.PRIVACY_OFFICER)
    login(client, officer)
    page = client.get(reverse("privacy:index")).content.decode()
    assert "730 dagen" in page
    response = client.post(reverse("privacy:retention"), {"days": "365", "mode": "anonymise"})
    assert response.status_code == 302
    policy = RetentionPolicy.current()
    assert (policy.days, policy.mode, policy.updated_by) == (365, "anonymise", officer)
    event = AuditEvent.objects.filter(object_type="privacy.RetentionPolicy").get()
    assert event.details["from"] == {"days": 730, "mode": "delete"}
    assert event.details["to"] == {"days": 365, "mode": "anonymise"}

    call_command("bsz_retention", "--uitvoeren")
    assert "geanonimiseerd" in capsys.readouterr().out
    assert not Resident.objects.filter(name="Vorig Jaar Vera").exists()
    assert Resident.objects.filter(name=ANONYMOUS).count() == 1


def test_retention_policy_refuses_a_dangerously_short_period(client: Client) -> None:
    login(client, make_user(Role.PRIVACY_OFFICER))
    response = client.post(reverse("privacy:retention"), {"days": "1", "mode": "delete"})
    assert response.status_code == 400
    assert RetentionPolicy.current().days == 730  # unchanged default
    assert not RetentionPolicy.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.CONSULTANT, Role.TEAM_LEAD, Role.FUNCTIONAL_ADMIN, Role.ANALYST]
)
def test_only_the_privacy_officer_sets_retention(client: Client, role: str) -> None:
    login(client, make_user(role))
    response = client.post(reverse("privacy:retention"), {"days": "365", "mode": "delete"})
    assert response.status_code == 403
    assert not RetentionPolicy.objects.exists()
