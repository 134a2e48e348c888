"""TOTP enrolment after the password step, and the set-password link for new staff."""

from __future__ import annotations

from base64 import b32encode
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.demo import create_demo

from .factories import PASSWORD, approved_link, login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "een-heel-lang-nieuw-wachtwoord-42"


def _code(device: TOTPDevice, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{(value + offset) % 10**device.digits:0{device.digits}d}"


def _password_only(user: User, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    return client


def _without_device(role: str = Role.CONSULTANT, **extra: Any) -> User:
    user = make_user(role, make_team(), **extra)
    TOTPDevice.objects.filter(user=user).delete()
    return user


def test_user_without_device_is_sent_to_enrolment_with_qr_and_secret() -> None:
    user = _without_device()
    client = _password_only(user)
    response = client.get(reverse("casework:caseload"), follow=True)
    assert [url for url, _status in response.redirect_chain] == [
        reverse("otp-verify"),
        reverse("otp-enrol"),
    ]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    body = response.content.decode()
    assert "<svg" in body and "<title>" in body  # inline QR code, no external service
    secret = b32encode(device.bin_key).decode().rstrip("=")
    grouped = response.context["secret"]
    assert grouped.replace(" ", "") == secret and grouped.split(" ")[0] == secret[:4]
    assert grouped in body
    # A reload shows the same secret instead of making a new one.
    client.get(reverse("otp-enrol"))
    assert TOTPDevice.objects.filter(user=user).get().key == device.key


def test_unconfirmed_user_cannot_reach_any_other_page() -> None:
    user = _without_device(Role.FUNCTIONAL_ADMIN)
    client = _password_only(user)
    client.get(reverse("otp-enrol"))
    for url in [
        reverse("casework:home"),
        reverse("casework:caseload"),
        reverse("casework:admin"),
        reverse("casework:admin-users"),
        reverse("casework:dashboard"),
        reverse("privacy:index"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("otp-verify"), url
    # The code step does not accept codes from an unconfirmed device either.
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("otp-verify"), {"token": _code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("otp-enrol")
    assert client.get(reverse("casework:admin")).status_code == 302


def test_wrong_code_is_refused() -> None:
    user = _without_device()
    make_case(user, name="Verborgen Vera")
    client = _password_only(user)
    client.get(reverse("otp-enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("otp-enrol"), {"token": _code(device, offset=1)})
    assert response.status_code == 200 and "klopt niet" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    response = client.get(reverse("casework:caseload"))
    assert response.status_code == 302 and "Verborgen Vera" not in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="otp_totp.TOTPDevice").exists()


def test_right_code_confirms_the_device_and_logs_in() -> None:
    user = _without_device()
    make_case(user, name="Zichtbare Zoë")
    client = _password_only(user)
    client.get(reverse("otp-enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("otp-enrol"), {"token": _code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("casework:home")
    device.refresh_from_db()
    assert device.confirmed
    assert "Zichtbare Zoë" in client.get(reverse("casework:caseload")).content.decode()
    (event,) = AuditEvent.objects.filter(object_type="otp_totp.TOTPDevice")
    assert (event.action, event.actor, event.object_id) == ("create", user, str(device.pk))
    # Once set up, the enrolment page is closed: it cannot add a second device.
    assert client.get(reverse("otp-enrol")).status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_wrong_then_right_code(settings: Any) -> None:
    # Throttling (a growing wait after each wrong code) is django-otp's and not under test.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = _without_device()
    client = _password_only(user)
    client.get(reverse("otp-enrol"))
    device = TOTPDevice.objects.get(user=user)
    assert client.post(reverse("otp-enrol"), {"token": "12345x"}).status_code == 200
    assert client.post(reverse("otp-enrol"), {"token": _code(device, offset=7)}).status_code == 200
    response = client.post(reverse("otp-enrol"), {"token": _code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed


def test_password_alone_cannot_replace_an_existing_device() -> None:
    user = make_user(Role.CONSULTANT, make_team())
    client = _password_only(user)
    response = client.get(reverse("otp-enrol"))
    assert response.status_code == 302 and response["Location"] == reverse("otp-verify")
    response = client.post(reverse("otp-enrol"), {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert client.get(reverse("casework:caseload")).status_code == 302


def test_verified_user_and_anonymous_cannot_use_enrolment(client: Client) -> None:
    response = client.get(reverse("otp-enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    user = make_user(Role.CONSULTANT, make_team())
    login(client, user)
    response = client.get(reverse("otp-enrol"))
    assert response.status_code == 302 and response["Location"] == reverse("casework:home")
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_new_staff_member_from_admin_screen_to_first_page(client: Client) -> None:
    team = make_team()
    admin = make_user(Role.FUNCTIONAL_ADMIN, team)
    login(client, admin)
    response = client.post(
        reverse("casework:admin-user-create"),
        {
            "username": "anvos",
            "first_name": "An",
            "last_name": "Vos",
            "role": "consultant",
            "team": team.pk,
        },
    )
    assert response.status_code == 302  # the link comes after a second person approved
    link = approved_link(client, User.objects.get(username="anvos"), team)
    newcomer = Client()
    # The token moves from the address into the session before the form is shown.
    response = newcomer.get(link, follow=True)
    assert response.context["validlink"] and "set-password" in response.redirect_chain[-1][0]
    form_url = response.redirect_chain[-1][0]
    response = newcomer.post(form_url, {"new_password1": "kort", "new_password2": "kort"})
    assert response.status_code == 200  # too short: refused
    response = newcomer.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("login")
    user = User.objects.get(username="anvos")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(actor=user, object_type="accounts.User").count() == 1
    # The link works once.
    assert not Client().get(link, follow=True).context["validlink"]
    # First login: password, then enrolment, then the caseload.
    session = _password_only(user, NEW_PASSWORD)
    assert session.get(reverse("otp-verify"))["Location"] == reverse("otp-enrol")
    session.get(reverse("otp-enrol"))
    device = TOTPDevice.objects.get(user=user)
    session.post(reverse("otp-enrol"), {"token": _code(device)})
    caseload = session.get(reverse("casework:caseload"))
    assert caseload.status_code == 200
    # Told once who created the account and who approved its link (ADR 0054).
    assert "heeft je account aangemaakt" in caseload.content.decode()
    assert (
        "heeft je account aangemaakt"
        not in session.get(reverse("casework:caseload")).content.decode()
    )


def test_link_of_a_deactivated_account_does_not_work(client: Client) -> None:
    team = make_team()
    login(client, make_user(Role.FUNCTIONAL_ADMIN, team))
    response = client.post(
        reverse("casework:admin-user-create"),
        {"username": "weg", "first_name": "W", "last_name": "Eg", "role": "analist"},
    )
    user = User.objects.get(username="weg")
    link = approved_link(client, user, team)
    client.post(reverse("casework:admin-user-active", args=[user.pk]))
    response = Client().get(link, follow=True)
    assert not response.context["validlink"]
    assert "werkt niet" in response.content.decode()


def test_demo_restart_restores_a_reset_or_deactivated_demo_account() -> None:
    create_demo(date(2025, 6, 1))
    admin_user = User.objects.get(username="beheerder")
    TOTPDevice.objects.filter(user=admin_user).delete()
    TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=False)
    admin_user.is_active = False
    admin_user.save()
    account = next(a for a in create_demo(date(2025, 6, 1)) if a.username == "beheerder")
    device = TOTPDevice.objects.get(user=admin_user, confirmed=True)
    assert b32encode(device.bin_key).decode().rstrip("=") == account.otp_secret_b32
    # The printed password and a code from the printed secret get the demo user in.
    client = _password_only(admin_user, account.password)
    response = client.post(reverse("otp-verify"), {"token": _code(device)})
    assert response.status_code == 302
    assert client.get(reverse("casework:admin-users")).status_code == 200
