"""Four eyes on password and 2FA resets (ADR 0054): the tester's takeover path (issue 15,
finding 1) now needs a second person, who is told, and the first session is marked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts import resets
from bestaanszekerheid.web.accounts.models import CredentialKind, CredentialReset, Role, User
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.audit.service import verify_chain

from .factories import PASSWORD, login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "een-heel-lang-nieuw-wachtwoord-42"
VICTIM = "slachtoffer"


@pytest.fixture()
def org() -> dict[str, Any]:
    team = make_team("Team Oost")
    victim = make_user(Role.CONSULTANT, team, username=VICTIM, first_name="Vera")
    make_case(victim, name="Mevrouw Geheim")
    return {
        "team": team,
        "admin": make_user(Role.FUNCTIONAL_ADMIN, team, username="beheer-a", first_name="Anton"),
        "admin2": make_user(Role.FUNCTIONAL_ADMIN, team, username="beheer-b", first_name="Bea"),
        "privacy": make_user(Role.PRIVACY_OFFICER, team, username="privacy", first_name="Piet"),
        "victim": victim,
    }


def _request_both(client: Client, victim: User) -> None:
    for name in ("casework:admin-user-reset-otp", "casework:admin-user-password-link"):
        response = client.post(reverse(name, args=[victim.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("casework:admin-user", args=[victim.pk])


def _intact(victim: User) -> bool:
    victim.refresh_from_db()
    return victim.check_password(PASSWORD) and TOTPDevice.objects.filter(user=victim).exists()


def test_takeover_path_needs_a_second_person(org: dict[str, Any]) -> None:
    victim: User = org["victim"]
    attacker = login(Client(), org["admin"])
    _request_both(attacker, victim)
    # Asking changes nothing and shows no link.
    assert _intact(victim)
    assert CredentialReset.objects.filter(target=victim, approved_at__isnull=True).count() == 2
    page = attacker.get(reverse("casework:admin-user", args=[victim.pk])).content.decode()
    assert "/inloggen/wachtwoord/" not in page and "Open verzoek" in page
    # The requester cannot approve their own requests, nor take a link not yet approved.
    for reset in CredentialReset.objects.filter(target=victim):
        response = attacker.post(reverse("casework:admin-reset-approve", args=[reset.pk]))
        assert response.status_code == 302
        response = attacker.post(reverse("casework:admin-reset-link", args=[reset.pk]))
        assert response.status_code in (302, 404)
    assert _intact(victim)
    page = attacker.get(reverse("casework:admin-resets")).content.decode()
    assert "Jouw verzoek: iemand anders keurt het goed." in page
    assert reverse("casework:admin-reset-approve", args=[reset.pk]) not in page

    # The tester's path ends here for one person: no password, no new authenticator.
    anonymous = Client()
    response = anonymous.post(reverse("login"), {"username": VICTIM, "password": "raden"})
    assert "_auth_user_id" not in anonymous.session

    # With the privacy officer's approval it goes through, and the victim is told.
    officer = login(Client(), org["privacy"])
    for reset in CredentialReset.objects.filter(target=victim):
        response = officer.post(reverse("casework:admin-reset-approve", args=[reset.pk]))
        assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=victim).exists()
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)  # the password changes only when the link is taken
    password_reset = CredentialReset.objects.get(target=victim, kind=CredentialKind.PASSWORD)
    response = attacker.post(reverse("casework:admin-reset-link", args=[password_reset.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    link = response.context["link"]
    victim.refresh_from_db()
    assert not victim.has_usable_password()

    # Whoever holds the link sets a password, enrols an app, and logs in fully.
    person = Client()
    response = person.get(link)
    response = person.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    person.post(reverse("login"), {"username": VICTIM, "password": NEW_PASSWORD})
    person.get(reverse("otp-enrol"))
    device = TOTPDevice.objects.get(user=victim)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    response = person.post(reverse("otp-enrol"), {"token": f"{code:06d}"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "Mevrouw Geheim" in body
    assert "heeft Anton" in body and "goedgekeurd door Piet" in body
    assert "je wachtwoord" in body and "je tweestapsverificatie" in body
    assert "Meld het bij de privacyfunctionaris" in body
    # The first session after each reset is marked in the audit log, naming the reset.
    marks = AuditEvent.objects.filter(actor=victim, object_type="accounts.CredentialReset")
    assert sorted(e.details["credential_reset"] for e in marks) == sorted(
        CredentialReset.objects.filter(target=victim).values_list("pk", flat=True)
    )
    assert all(e.details["first_session_after_reset"] is True for e in marks)
    # Told once: the next login shows nothing.
    again = login(Client(), victim)
    assert (
        "Meld het bij de privacyfunctionaris"
        not in again.get(reverse("casework:caseload")).content.decode()
    )
    steps = [
        e.details["step"]
        for e in AuditEvent.objects.filter(
            object_type="accounts.CredentialReset", purpose="functioneel beheer"
        ).order_by("id")
    ]
    assert steps == ["requested", "requested", "approved", "approved", "executed"]
    assert verify_chain().ok


def test_the_target_cannot_approve_a_reset_of_their_own_account(org: dict[str, Any]) -> None:
    admin2: User = org["admin2"]
    client = login(Client(), org["admin"])
    client.post(reverse("casework:admin-user-reset-otp", args=[admin2.pk]))
    reset = CredentialReset.objects.get(target=admin2)
    own = login(Client(), admin2)
    response = own.post(reverse("casework:admin-reset-approve", args=[reset.pk]), follow=True)
    assert "Je kunt dit verzoek niet goedkeuren" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin2).exists()
    reset.refresh_from_db()
    assert reset.approved_at is None
    page = own.get(reverse("casework:admin-resets")).content.decode()
    assert "Dit gaat over jouw account" in page


def test_another_admin_approves_but_only_the_requester_takes_the_link(
    org: dict[str, Any],
) -> None:
    victim: User = org["victim"]
    requester = login(Client(), org["admin"])
    requester.post(reverse("casework:admin-user-password-link", args=[victim.pk]))
    reset = CredentialReset.objects.get(target=victim)
    other = login(Client(), org["admin2"])
    other.post(reverse("casework:admin-reset-approve", args=[reset.pk]))
    reset.refresh_from_db()
    assert reset.approved_by == org["admin2"]
    response = other.post(reverse("casework:admin-reset-link", args=[reset.pk]), follow=True)
    assert "/inloggen/wachtwoord/" not in response.content.decode()
    assert "Alleen wie het verzoek deed" in response.content.decode()
    officer = login(Client(), org["privacy"])
    assert officer.post(reverse("casework:admin-reset-link", args=[reset.pk])).status_code == 403
    assert _intact(victim)
    assert requester.post(reverse("casework:admin-reset-link", args=[reset.pk])).status_code == 200
    # Once: a second time gives no link.
    response = requester.post(reverse("casework:admin-reset-link", args=[reset.pk]), follow=True)
    assert "/inloggen/wachtwoord/" not in response.content.decode()


def test_rejected_and_expired_requests_change_nothing(org: dict[str, Any]) -> None:
    victim: User = org["victim"]
    requester = login(Client(), org["admin"])
    requester.post(reverse("casework:admin-user-reset-otp", args=[victim.pk]))
    reset = CredentialReset.objects.get(target=victim)
    officer = login(Client(), org["privacy"])
    officer.post(reverse("casework:admin-reset-cancel", args=[reset.pk]))
    officer.post(reverse("casework:admin-reset-approve", args=[reset.pk]))
    assert _intact(victim)
    reset.refresh_from_db()
    assert reset.cancelled_by == org["privacy"] and reset.approved_at is None
    # A new request, left for more than the window, can no longer be approved.
    requester.post(reverse("casework:admin-user-reset-otp", args=[victim.pk]))
    late = CredentialReset.objects.get(target=victim, cancelled_at__isnull=True)
    old = timezone.now() - timedelta(hours=resets.RESET_REQUEST_HOURS, minutes=1)
    CredentialReset.objects.filter(pk=late.pk).update(requested_at=old)
    response = officer.post(reverse("casework:admin-reset-approve", args=[late.pk]), follow=True)
    assert "wacht niet meer op goedkeuring" in response.content.decode()
    assert _intact(victim)


def test_asking_twice_reuses_the_open_request(org: dict[str, Any]) -> None:
    victim: User = org["victim"]
    client = login(Client(), org["admin"])
    client.post(reverse("casework:admin-user-reset-otp", args=[victim.pk]))
    response = client.post(reverse("casework:admin-user-reset-otp", args=[victim.pk]), follow=True)
    assert "Er loopt al zo&#x27;n verzoek" in response.content.decode()
    assert CredentialReset.objects.filter(target=victim).count() == 1


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEAD, Role.ANALYST])
def test_other_roles_cannot_see_or_use_the_reset_pages(org: dict[str, Any], role: str) -> None:
    victim: User = org["victim"]
    login(Client(), org["admin"]).post(reverse("casework:admin-user-reset-otp", args=[victim.pk]))
    reset = CredentialReset.objects.get(target=victim)
    intruder = make_user(role, org["team"])
    client = login(Client(), intruder)
    for method, name, args in [
        ("get", "casework:admin-resets", []),
        ("post", "casework:admin-reset-approve", [reset.pk]),
        ("post", "casework:admin-reset-cancel", [reset.pk]),
        ("post", "casework:admin-reset-link", [reset.pk]),
    ]:
        url = reverse(name, args=args)
        response = client.get(url) if method == "get" else client.post(url)
        assert response.status_code in (403, 404, 405), name
        assert VICTIM not in response.content.decode()
    assert _intact(victim)
    reset.refresh_from_db()
    assert reset.approved_at is None and reset.cancelled_at is None
    assert not AuditEvent.objects.filter(actor=intruder).exists()


def test_the_victim_cannot_approve_either(org: dict[str, Any]) -> None:
    victim: User = org["victim"]
    login(Client(), org["admin"]).post(reverse("casework:admin-user-reset-otp", args=[victim.pk]))
    reset = CredentialReset.objects.get(target=victim)
    client = login(Client(), victim)
    assert client.post(reverse("casework:admin-reset-approve", args=[reset.pk])).status_code == 403
    assert _intact(victim)


def test_reset_page_reads_are_audited(org: dict[str, Any]) -> None:
    officer = login(Client(), org["privacy"])
    assert officer.get(reverse("casework:admin-resets")).status_code == 200
    event = AuditEvent.objects.get(actor=org["privacy"], object_type="herstelverzoeken")
    assert event.action == "read"


def test_an_approved_link_not_collected_in_time_expires(org: dict[str, Any]) -> None:
    victim: User = org["victim"]
    requester = login(Client(), org["admin"])
    requester.post(reverse("casework:admin-user-password-link", args=[victim.pk]))
    reset = CredentialReset.objects.get(target=victim)
    login(Client(), org["privacy"]).post(reverse("casework:admin-reset-approve", args=[reset.pk]))
    old = timezone.now() - timedelta(hours=resets.RESET_REQUEST_HOURS, minutes=1)
    CredentialReset.objects.filter(pk=reset.pk).update(approved_at=old)
    response = requester.post(reverse("casework:admin-reset-link", args=[reset.pk]), follow=True)
    assert "/inloggen/wachtwoord/" not in response.content.decode()
    assert "niet (meer) goedgekeurd" in response.content.decode()
    assert _intact(victim)
