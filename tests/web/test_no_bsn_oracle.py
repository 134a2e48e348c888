"""No BSN oracle (issue 15, finding 3): registering a BSN that belongs to someone else's
resident looks exactly like registering an unknown one; the team lead gets the match, and
every attempt is audited without the number in clear."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.audit.service import verify_chain
from bestaanszekerheid.web.residents.models import DuplicateRegistration, Resident

from .factories import RECENTLY, login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db

KNOWN_BSN = "111222333"
UNKNOWN_BSN = "100003333"  # also valid, and ends in the same three digits (shown masked)
HOLDER_RESIDENT = "Mevrouw Bestaand"


@pytest.fixture()
def org() -> dict[str, Any]:
    team = make_team("Team Noord")
    holder = make_user(Role.CONSULTANT, team, first_name="Hanna", last_name="Houder")
    existing = make_case(holder, name=HOLDER_RESIDENT, bsn=KNOWN_BSN)
    return {
        "team": team,
        "holder": holder,
        "existing": existing.resident,
        "prober": make_user(Role.CONSULTANT, team, first_name="Piet", last_name="Probeer"),
        "lead": make_user(Role.TEAM_LEAD, team, first_name="Lea", last_name="Leider"),
    }


def _register(client: Client, name: str, bsn: str) -> Any:
    return client.post(
        reverse("casework:resident-create"),
        {
            "name": name,
            "bsn": bsn,
            "consent_given_on": RECENTLY,
            "consent_method": "mondeling",
            "consent_confirmed": "on",
        },
    )


def _normalised(body: str, name: str) -> str:
    body = body.replace(name, "NAAM")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return re.sub(r"\d+", "#", body)  # the new record's numbers (kenmerk, links)


def test_known_elsewhere_and_unknown_look_the_same(org: dict[str, Any]) -> None:
    client = login(Client(), org["prober"])
    unknown = _register(client, "Anna Onbekend", UNKNOWN_BSN)
    unknown_page = client.get(unknown["Location"])
    known = _register(client, "Bert Bekend", KNOWN_BSN)
    known_page = client.get(known["Location"])
    assert unknown.status_code == known.status_code == 302
    assert re.sub(r"\d+", "#", unknown["Location"]) == re.sub(r"\d+", "#", known["Location"])
    assert unknown_page.status_code == known_page.status_code == 200
    assert _normalised(unknown_page.content.decode(), "Anna Onbekend") == _normalised(
        known_page.content.decode(), "Bert Bekend"
    )
    body = known_page.content.decode()
    assert "******333" in body and "Dit BSN is al geregistreerd" not in body
    assert HOLDER_RESIDENT not in body and "Houder" not in body
    # The new record has no BSN; the existing one is untouched and still not visible.
    bert = Resident.objects.get(name="Bert Bekend")
    assert bert.bsn is None
    assert Resident.objects.get(bsn=KNOWN_BSN) == org["existing"]
    page = client.get(reverse("casework:resident", args=[org["existing"].pk]))
    assert page.status_code == 404
    (duplicate,) = DuplicateRegistration.objects.all()
    assert (duplicate.resident, duplicate.existing, duplicate.team) == (
        bert,
        org["existing"],
        org["team"],
    )


def test_every_attempt_is_audited_without_the_bsn(org: dict[str, Any]) -> None:
    prober: User = org["prober"]
    client = login(Client(), prober)
    _register(client, "Anna Onbekend", UNKNOWN_BSN)
    _register(client, "Bert Bekend", KNOWN_BSN)
    _register(client, "Carla Fout", "123456789")  # fails the 11-test
    _register(client, "Bert Nogmaals", KNOWN_BSN)
    attempts = list(
        AuditEvent.objects.filter(actor=prober, object_type="inwonerregistratie").order_by("id")
    )
    outcomes = [e.details["outcome"] for e in attempts]
    assert outcomes == ["registered", "bsn_known_elsewhere", "refused", "bsn_known_elsewhere"]
    refs = [e.details["bsn"] for e in attempts]
    assert refs[1] == refs[3] and len({refs[0], refs[1], refs[2]}) == 3
    everything = json.dumps([e.details for e in AuditEvent.objects.all()])
    for number in (KNOWN_BSN, UNKNOWN_BSN, "123456789"):
        assert number not in everything
    assert attempts[1].details["duplicate_registration"] == DuplicateRegistration.objects.first().pk
    assert verify_chain().ok


def test_own_resident_is_named_to_who_may_see_it(org: dict[str, Any]) -> None:
    client = login(Client(), org["holder"])
    response = _register(client, "Nog Eens", KNOWN_BSN)
    assert response.status_code == 400
    assert "is al bij jou geregistreerd" in response.content.decode()
    assert not Resident.objects.filter(name="Nog Eens").exists()
    event = AuditEvent.objects.get(actor=org["holder"], object_type="inwonerregistratie")
    assert event.details["outcome"] == "refused" and event.details["fields"] == ["bsn"]


def test_team_lead_sees_the_match_without_resident_names(org: dict[str, Any]) -> None:
    _register(login(Client(), org["prober"]), "Bert Bekend", KNOWN_BSN)
    lead = login(Client(), org["lead"])
    assert "Dubbele registraties" in lead.get(reverse("casework:dashboard")).content.decode()
    page = lead.get(reverse("casework:duplicates"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Piet Probeer" in body and "Hanna Houder" in body
    assert "Bert Bekend" not in body and HOLDER_RESIDENT not in body and "333" not in body
    read = AuditEvent.objects.get(actor=org["lead"], object_type="dubbele registraties")
    duplicate = DuplicateRegistration.objects.get()
    assert read.details["duplicates"] == [duplicate.pk]
    response = lead.post(reverse("casework:duplicate-handled", args=[duplicate.pk]))
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.handled_by == org["lead"] and duplicate.handled_at is not None
    assert AuditEvent.objects.filter(
        actor=org["lead"], object_type="residents.DuplicateRegistration", action="update"
    ).exists()
    assert (
        "Geen open dubbele registraties"
        in lead.get(reverse("casework:duplicates")).content.decode()
    )


@pytest.mark.parametrize(
    "who",
    ["consultant", "other team lead", Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER, Role.ANALYST],
)
def test_nobody_else_sees_or_handles_duplicates(org: dict[str, Any], who: str) -> None:
    _register(login(Client(), org["prober"]), "Bert Bekend", KNOWN_BSN)
    duplicate = DuplicateRegistration.objects.get()
    if who == "consultant":
        user = make_user(Role.CONSULTANT, org["team"])
    elif who == "other team lead":
        user = make_user(Role.TEAM_LEAD, make_team("Team Zuid"))
    else:
        user = make_user(who, org["team"])
    client = login(Client(), user)
    listing = client.get(reverse("casework:duplicates"))
    handled = client.post(reverse("casework:duplicate-handled", args=[duplicate.pk]))
    if who == "other team lead":
        assert listing.status_code == 200 and "Piet Probeer" not in listing.content.decode()
        assert handled.status_code == 404
    else:
        assert listing.status_code == 403 and handled.status_code == 403
    duplicate.refresh_from_db()
    assert duplicate.handled_at is None
