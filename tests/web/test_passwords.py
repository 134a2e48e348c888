"""The password policy of local accounts: what a tester typed first is refused, in Dutch,
with every problem at once; a long passphrase is accepted (web/accounts/passwords.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bestaanszekerheid.web.accounts.models import Role

from .factories import PASSWORD, login, make_user


def _problems(password: str, user: object = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [str(e.code) for e in error.error_list]
    return []


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("123456789012", ["password_entirely_numeric"]),
        ("wachtwoord12", ["password_too_common"]),
        ("Welkom2026!!", ["password_too_common"]),
        ("password1234", ["password_too_common"]),
        ("!!Tilburg2026", ["password_too_common"]),
        ("aaaaaaaaaaaaaaa", ["password_repetitive"]),
        ("kort", ["password_too_short", "password_repetitive"]),
    ],
)
def test_weak_passwords_are_refused_with_every_reason(password: str, codes: list[str]) -> None:
    assert _problems(password) == codes


def test_a_passphrase_is_accepted() -> None:
    assert _problems("paard batterij nietje correct") == []
    assert _problems(PASSWORD) == []


@pytest.mark.django_db
def test_the_users_own_name_is_refused() -> None:
    user = make_user(Role.CONSULTANT)
    user.first_name, user.last_name = "Annemarie", "Vermeulen-Jansen"
    assert "password_too_similar" in _problems("vermeulen-jansen", user)


def test_messages_are_dutch_and_english() -> None:
    with translation.override("nl"):
        with pytest.raises(ValidationError) as dutch:
            validate_password("123456789012")
        assert "alleen uit cijfers" in dutch.value.messages[0]
        assert "Minstens 12 tekens" in password_validators_help_texts()[0]
    with translation.override("en"):
        with pytest.raises(ValidationError) as english:
            validate_password("kort")
        assert "too short" in english.value.messages[0]


@pytest.mark.django_db
def test_the_password_page_shows_the_dutch_reasons(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    login(client, user)
    weak = "123456789012"
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "alleen uit cijfers" in body
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
