"""Login: TOTP is required for every role, and repeated wrong passwords lock the account."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role

from .factories import PASSWORD, current_token, make_case, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role.values))
def test_password_alone_is_not_enough(client: Client, role: str) -> None:
    user = make_user(role)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    # Every page now leads to the TOTP step, not to content.
    response = client.get(reverse("casework:caseload"))
    assert response.status_code == 302 and response["Location"] == reverse("otp-verify")


def test_full_login_with_totp_code(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    make_case(user, name="Zichtbare Zoë")
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    right = client.post(reverse("otp-verify"), {"token": current_token(user)})
    assert right.status_code == 302
    assert "Zichtbare Zoë" in client.get(reverse("casework:caseload")).content.decode()


def test_wrong_totp_code_is_refused(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    make_case(user, name="Verborgen Vera")
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    wrong_code = f"{(int(current_token(user)) + 1) % 1_000_000:06d}"
    wrong = client.post(reverse("otp-verify"), {"token": wrong_code})
    assert wrong.status_code == 200 and "klopt niet" in wrong.content.decode()
    response = client.get(reverse("casework:caseload"))
    assert response.status_code == 302 and "Verborgen Vera" not in response.content.decode()


def test_lockout_after_repeated_failures(client: Client, settings: object) -> None:
    user = make_user(Role.CONSULTANT)
    limit = 5  # BSZ_LOGIN_FAILURE_LIMIT default
    for _ in range(limit):
        response = client.post(reverse("login"), {"username": user.username, "password": "fout"})
        assert response.status_code in (200, 429)
    # Now even the right password is refused.
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "geblokkeerd" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_user_without_device_cannot_get_past_the_code_step(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    user.totpdevice_set.all().delete()
    client.force_login(user)
    # The code step sends them on to enrolment, which shows no content either.
    response = client.get(reverse("otp-verify"), follow=True)
    assert "authenticator-app" in response.content.decode()
    assert client.get(reverse("casework:caseload")).status_code == 302


def test_user_command_creates_account_with_totp(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from bestaanszekerheid.web.accounts.models import User

    call_command("bsz_user", "nieuw", "--rol", "consultant", "--team", "Zuid", "--naam", "An Vos")
    out = capsys.readouterr().out
    user = User.objects.get(username="nieuw")
    assert (user.role, user.team.name, user.last_name) == ("consultant", "Zuid", "Vos")
    assert user.totpdevice_set.filter(confirmed=True).count() == 1
    password = out.split("Wachtwoord (veilig doorgeven): ")[1].split()[0]
    assert user.check_password(password) and "otpauth://totp/" in out
