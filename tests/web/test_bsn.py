"""BSN: the 11-test, normalisation, masking, and that a full BSN never reaches a page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.residents.bsn import is_valid_bsn, mask_bsn, normalise_bsn, validate_bsn

from .factories import RECENTLY, login, make_case, make_user

VALID = ["111222333", "123456782", "999999990"]
INVALID = ["111222334", "123456789", "000000000", "12345678", "1234567890", "12345678a", ""]


@pytest.mark.parametrize("bsn", VALID)
def test_valid_numbers_pass_the_11_test(bsn: str) -> None:
    assert is_valid_bsn(bsn)
    validate_bsn(bsn)


@pytest.mark.parametrize("bsn", INVALID)
def test_invalid_numbers_fail(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


def test_validator_message_is_dutch() -> None:
    with pytest.raises(ValidationError, match="elfproef"):
        validate_bsn("123456789")


def test_normalise_strips_separators_and_pads_eight_digits() -> None:
    assert normalise_bsn("1112.22.333") == "111222333"
    assert normalise_bsn("12345672") == "012345672"


def test_mask_shows_only_last_three() -> None:
    assert mask_bsn("111222333") == "******333"
    assert mask_bsn(None) == "" and mask_bsn("") == ""


@pytest.mark.django_db
def test_full_bsn_never_on_the_resident_page(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user, bsn="111222333")
    login(client, user)
    body = client.get(reverse("casework:resident", args=[trajectory.resident_id])).content.decode()
    assert "******333" in body and "111222333" not in body


@pytest.mark.django_db
def test_registration_refuses_an_invalid_bsn(client: Client) -> None:
    login(client, make_user(Role.CONSULTANT))
    response = client.post(
        reverse("casework:resident-create"),
        {
            "name": "Foute Frank",
            "bsn": "123456789",
            "consent_given_on": RECENTLY,
            "consent_method": "mondeling",
            "consent_confirmed": "on",
        },
    )
    assert response.status_code == 400 and "elfproef" in response.content.decode()


@pytest.mark.django_db
def test_registration_requires_consent(client: Client) -> None:
    login(client, make_user(Role.CONSULTANT))
    response = client.post(
        reverse("casework:resident-create"),
        {
            "name": "Zonder Toestemming",
            "consent_given_on": RECENTLY,
            "consent_method": "mondeling",
        },
    )
    assert response.status_code == 400
    from bestaanszekerheid.web.residents.models import Resident

    assert not Resident.objects.filter(name="Zonder Toestemming").exists()
