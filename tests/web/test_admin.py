"""Functional administration: partners and teams, for the functional administrator only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.referrals.models import PartnerOrganisation

from .factories import login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db


def test_admin_adds_and_switches_off_a_partner(client: Client) -> None:
    team = make_team("Team Oost")
    make_case(make_user(Role.CONSULTANT, team), name="Niet Zichtbaar")
    login(client, make_user(Role.FUNCTIONAL_ADMIN, team))
    client.post(reverse("casework:admin"), {"name": "Voedselbank", "description": "pakketten"})
    partner = PartnerOrganisation.objects.get(name="Voedselbank")
    client.post(reverse("casework:partner-toggle", args=[partner.pk]))
    partner.refresh_from_db()
    assert not partner.active
    body = client.get(reverse("casework:admin")).content.decode()
    assert "Team Oost" in body and "Niet Zichtbaar" not in body


@pytest.mark.parametrize(
    "role", [Role.CONSULTANT, Role.TEAM_LEAD, Role.PRIVACY_OFFICER, Role.ANALYST]
)
def test_other_roles_cannot_administer(client: Client, role: str) -> None:
    partner = PartnerOrganisation.objects.create(name="Partner")
    login(client, make_user(role))
    assert client.get(reverse("casework:admin")).status_code == 403
    assert client.post(reverse("casework:partner-toggle", args=[partner.pk])).status_code == 403
    partner.refresh_from_db()
    assert partner.active
