"""The referral state machine: allowed steps happen and are logged; others are refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.referrals.models import ReferralStatus
from bestaanszekerheid.web.referrals.workflow import (
    ALLOWED_TRANSITIONS,
    TransitionNotAllowedError,
    transition,
)

from .factories import login, make_case, make_referral, make_user

pytestmark = pytest.mark.django_db

ALLOWED_PATHS = [
    ["verstuurd", "geaccepteerd", "afgerond"],
    ["afgewezen"],
    ["verstuurd", "afgewezen"],
]


def test_every_status_has_an_entry() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(ReferralStatus.values)


@pytest.mark.parametrize("path", ALLOWED_PATHS)
def test_allowed_paths_are_logged(path: list[str]) -> None:
    user = make_user(Role.CONSULTANT)
    referral = make_referral(make_case(user))
    for to in path:
        transition(referral, to, user)
    referral.refresh_from_db()
    assert referral.status == path[-1]
    history = list(referral.history.values_list("from_status", "to_status", "by"))
    assert history == list(
        zip(["voorgesteld", *path[:-1]], path, [user.pk] * len(path), strict=True)
    )
    assert AuditEvent.objects.filter(
        object_type="referrals.Referral", action="update"
    ).count() == len(path)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "geaccepteerd"),  # not sent yet
        ([], "afgerond"),
        (["verstuurd", "geaccepteerd", "afgerond"], "verstuurd"),  # completed is final
        (["afgewezen"], "verstuurd"),  # declined is final
        (["verstuurd", "geaccepteerd"], "afgewezen"),  # accepted cannot be declined
        ([], "onzin"),
    ],
)
def test_refused_transitions_change_nothing(path: list[str], refused: str) -> None:
    user = make_user(Role.CONSULTANT)
    referral = make_referral(make_case(user))
    for to in path:
        transition(referral, to, user)
    before = referral.history.count()
    with pytest.raises(TransitionNotAllowedError):
        transition(referral, refused, user)
    referral.refresh_from_db()
    assert referral.status == (path[-1] if path else "voorgesteld")
    assert referral.history.count() == before


def test_transition_through_the_page(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    referral = make_referral(make_case(user))
    login(client, user)
    url = reverse("casework:referral-transition", args=[referral.pk])
    client.post(url, {"to": "afgerond"})
    referral.refresh_from_db()
    assert referral.status == "voorgesteld"
    client.post(url, {"to": "verstuurd"})
    referral.refresh_from_db()
    assert referral.status == "verstuurd"
