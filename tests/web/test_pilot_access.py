"""Every pilot URL refuses the wrong user: 403 for a wrong role, 404 for an object the user
may not see, never data, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus

from .factories import login, make_case, make_team, make_user
from .pilot_factories import enrol, make_pilot

pytestmark = pytest.mark.django_db

SECRET_NAME = "Geheime Gerda"


@pytest.fixture()
def world() -> dict[str, Any]:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    owner = make_user(Role.CONSULTANT, team)
    pilot = make_pilot(lead, name="Pilot Geheim")
    case = make_case(owner, name=SECRET_NAME)
    participant = enrol(pilot, case)
    return {
        "team": team,
        "lead": lead,
        "owner": owner,
        "pilot": pilot,
        "trajectory": case,
        "participant": participant,
    }


# (method, url name, which object's pk, POST data)
LEAD_VIEWS: list[tuple[str, str, str | None, dict[str, str]]] = [
    ("get", "evaluation:pilots", None, {}),
    ("get", "evaluation:pilot-create", None, {}),
    ("post", "evaluation:pilot-create", None, {"name": "Overgenomen"}),
    ("get", "evaluation:pilot", "pilot", {}),
    ("get", "evaluation:pilot-participants", "pilot", {}),
    ("post", "evaluation:pilot-import", "pilot", {"controlecode": "a" * 64}),
]
RESIDENT_VIEWS: list[tuple[str, str, str | None, dict[str, str]]] = [
    ("post", "evaluation:pilot-enrol", "trajectory", {}),
    ("post", "evaluation:pilot-stop", "participant", {}),
    ("post", "evaluation:pilot-consent", "participant", {"actie": "intrekken"}),
]

OTHER_ROLES = [Role.FUNCTIONAL_ADMIN, Role.ANALYST, Role.PRIVACY_OFFICER]


def _url(world: dict[str, Any], name: str, target: str | None) -> str:
    return reverse(name, args=[world[target].pk]) if target else reverse(name)


def _call(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.get(url) if method == "get" else client.post(url, data)


def _confirm(world: dict[str, Any], name: str) -> dict[str, str]:
    """The confirmations a real request would carry: the refusal must not hinge on them."""
    pk = world["participant"].pk
    if name == "evaluation:pilot-stop":
        return {f"stop{pk}-confirm": "on"}
    if name == "evaluation:pilot-consent":
        return {f"consent{pk}-confirm": "on"}
    return {}


def _unchanged(world: dict[str, Any], body: str) -> None:
    assert SECRET_NAME not in body and world["participant"].code not in body
    p = PilotParticipant.objects.get(pk=world["participant"].pk)
    assert p.participation_withdrawn_on is None and p.consents_to_evaluation
    assert Pilot.objects.get(pk=world["pilot"].pk).status == PilotStatus.PREPARING
    assert not Pilot.objects.filter(name="Overgenomen").exists()


WRONG_FOR_LEAD_VIEWS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "consulent van het team": lambda w: w["owner"],
    **{str(role): (lambda r: lambda w: make_user(r, w["team"]))(role) for role in OTHER_ROLES},
}


@pytest.mark.parametrize("who", list(WRONG_FOR_LEAD_VIEWS))
@pytest.mark.parametrize(("method", "name", "target", "data"), LEAD_VIEWS)
def test_team_lead_pages_refuse_other_roles_with_403(
    client: Client, world: dict[str, Any], who: str, method: str, name: str, target: Any, data: Any
) -> None:
    login(client, WRONG_FOR_LEAD_VIEWS[who](world))
    response = _call(client, method, _url(world, name, target), data)
    assert response.status_code == 403
    _unchanged(world, response.content.decode())


@pytest.mark.parametrize(("method", "name", "target", "data"), LEAD_VIEWS)
def test_team_lead_of_another_team_gets_404_or_an_empty_list(
    client: Client, world: dict[str, Any], method: str, name: str, target: Any, data: Any
) -> None:
    login(client, make_user(Role.TEAM_LEAD, make_team()))
    response = _call(client, method, _url(world, name, target), data)
    if target is None:  # their own list and form: nothing of the other team on it
        assert response.status_code in (200, 302, 400)
        assert "Pilot Geheim" not in response.content.decode()
    else:
        assert response.status_code == 404
    _unchanged(world, response.content.decode())


def test_team_lead_without_a_team_sees_no_pilots_and_cannot_create(
    client: Client, world: dict[str, Any]
) -> None:
    login(client, make_user(Role.TEAM_LEAD, None))
    assert "Pilot Geheim" not in client.get(reverse("evaluation:pilots")).content.decode()
    assert client.get(reverse("evaluation:pilot-create")).status_code == 302
    assert client.get(reverse("evaluation:pilot", args=[world["pilot"].pk])).status_code == 404


WRONG_FOR_RESIDENT: dict[str, tuple[Callable[[dict[str, Any]], Any], int]] = {
    "andere consulent, zelfde team": (lambda w: make_user(Role.CONSULTANT, w["team"]), 404),
    "teamleider van het team": (lambda w: w["lead"], 404),
    **{
        str(role): ((lambda r: lambda w: make_user(r, w["team"]))(role), 403)
        for role in OTHER_ROLES
    },
}


@pytest.mark.parametrize("who", list(WRONG_FOR_RESIDENT))
@pytest.mark.parametrize(("method", "name", "target", "data"), RESIDENT_VIEWS)
def test_resident_page_actions_refuse_whoever_may_not_see_the_case(
    client: Client, world: dict[str, Any], who: str, method: str, name: str, target: Any, data: Any
) -> None:
    make_user_for, status = WRONG_FOR_RESIDENT[who]
    login(client, make_user_for(world))
    data = {**data, **_confirm(world, name)}
    if name == "evaluation:pilot-enrol":
        # A second pilot the trajectory has not joined, so only access can refuse it.
        other = make_pilot(world["lead"], name="Tweede pilot")
        data = {
            "pilot-pilot": str(other.pk),
            "pilot-participation": "on",
            "pilot-evaluation_consent": "ja",
            "pilot-evaluation_consent_on": date.today().isoformat(),
        }
    response = _call(client, method, _url(world, name, target), data)
    assert response.status_code == status
    _unchanged(world, response.content.decode())
    assert PilotParticipant.objects.count() == 1


def test_the_owner_can_do_what_the_others_cannot(client: Client, world: dict[str, Any]) -> None:
    # The positive control for the refusals above.
    login(client, world["owner"])
    other = make_pilot(world["lead"], name="Tweede pilot")
    enrol_data = {
        "pilot-pilot": str(other.pk),
        "pilot-participation": "on",
        "pilot-evaluation_consent": "ja",
        "pilot-evaluation_consent_on": date.today().isoformat(),
    }
    assert (
        client.post(_url(world, "evaluation:pilot-enrol", "trajectory"), enrol_data).status_code
        == 302
    )
    for _method, name, target, data in RESIDENT_VIEWS[1:]:
        response = client.post(_url(world, name, target), {**data, **_confirm(world, name)})
        assert response.status_code == 302, name
    p = PilotParticipant.objects.get(pk=world["participant"].pk)
    assert p.participation_withdrawn_on is not None and not p.consents_to_evaluation
    lead = login(Client(), world["lead"])
    for method, name, target, _data in LEAD_VIEWS:
        if method == "get":
            assert lead.get(_url(world, name, target)).status_code == 200, name


def test_every_pilot_page_read_is_audited(client: Client, world: dict[str, Any]) -> None:
    login(client, world["lead"])
    client.get(reverse("evaluation:pilot", args=[world["pilot"].pk]))
    assert AuditEvent.objects.filter(
        action="read", object_type="evaluation.Pilot", object_id=str(world["pilot"].pk)
    ).exists()
