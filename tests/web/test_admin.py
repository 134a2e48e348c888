"""Functional administration: partners and teams, for the functional administrator only."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.partners import Partner, read_partners
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction, AuditEvent
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
    assert client.get(reverse("casework:admin-partners-export")).status_code == 403
    partner.refresh_from_db()
    assert partner.active


def test_partners_with_their_wijken_become_the_partner_file_of_bsz_wijken(
    client: Client, tmp_path: Path
) -> None:
    """The Beheer page checks wijk codes against the area catalogue and exports the active
    partners as the partner file the outreach plan reads (an audited export)."""
    admin = make_user(Role.FUNCTIONAL_ADMIN)
    login(client, admin)
    catalog = tilburg()
    w1, w2 = catalog.wijken[0].code, catalog.wijken[1].code
    bad = client.post(reverse("casework:admin"), {"name": "Buurthuis", "wijken": "WK999999"})
    assert "Onbekende wijkcode(s): WK999999" in bad.content.decode()
    assert not PartnerOrganisation.objects.filter(name="Buurthuis").exists()
    client.post(
        reverse("casework:admin"),
        {"name": "Buurthuis", "kind": "buurthuis", "wijken": f"{w2.lower()}, {w1} {w2}"},
    )
    assert PartnerOrganisation.objects.get(name="Buurthuis").wijken == f"{w2} {w1}"
    client.post(reverse("casework:admin"), {"name": "Werkplein", "description": "werk"})
    off = PartnerOrganisation.objects.create(name="Oud", active=False)
    response = client.get(reverse("casework:admin-partners-export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="partners.csv"'
    path = tmp_path / "partners.csv"
    path.write_bytes(response.content)
    assert read_partners(path, catalog) == (
        Partner("Buurthuis", "buurthuis", "", (w2, w1)),
        Partner("Werkplein", "", "werk", ()),
    )
    assert off.name not in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert event.actor_id == admin.pk and event.details["partners"] == 2
