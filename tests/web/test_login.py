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


def _fail(client: Client, username: str, times: int = 5, **extra: str) -> None:
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "fout"}, **extra)


def test_lockout_is_per_username_and_address_and_says_for_how_long(client: Client) -> None:
    victim, colleague = make_user(Role.CONSULTANT), make_user(Role.CONSULTANT)
    _fail(client, victim.username)
    locked = client.post(reverse("login"), {"username": victim.username, "password": PASSWORD})
    assert (
        locked.status_code == 429 and "over 30 minuten opnieuw proberen" in locked.content.decode()
    )
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.post(reverse("login"), {"username": victim.username, "password": PASSWORD})
    assert "try again in 30 minutes" in english.content.decode()
    # A colleague at the same address who never failed logs in.
    other = Client()
    ok = other.post(reverse("login"), {"username": colleague.username, "password": PASSWORD})
    assert ok.status_code == 302 and "_auth_user_id" in other.session
    # The victim from another address is not locked out by what was typed elsewhere.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    ok = elsewhere.post(reverse("login"), {"username": victim.username, "password": PASSWORD})
    assert ok.status_code == 302


def test_behind_the_proxy_each_client_has_its_own_lockout(client: Client, settings: object) -> None:
    settings.BEHIND_PROXY = True  # type: ignore[attr-defined]
    victim = make_user(Role.CONSULTANT)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # The attacker sends a forged left-most entry each time; the proxy appends the real one.
    for forged in range(5):
        client.post(
            reverse("login"),
            {"username": victim.username, "password": "fout"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{forged}, 192.0.2.66",
            **proxy,
        )
    again = client.post(
        reverse("login"),
        {"username": victim.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.66",
        **proxy,
    )
    assert again.status_code == 429  # forging the header did not give fresh attempts
    # The victim at her own desk, through the same proxy, is not locked out.
    desk = Client()
    ok = desk.post(
        reverse("login"),
        {"username": victim.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.10",
        **proxy,
    )
    assert ok.status_code == 302


def test_without_a_proxy_the_forwarded_header_is_ignored(client: Client) -> None:
    victim = make_user(Role.CONSULTANT)
    for forged in range(5):
        client.post(
            reverse("login"),
            {"username": victim.username, "password": "fout"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{forged}",
        )
    again = client.post(reverse("login"), {"username": victim.username, "password": PASSWORD})
    assert again.status_code == 429


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
