"""The lifecycle pages of a pilot refuse the wrong user as the other pilot pages do: 403 for
a wrong role, 404 for an object the user may not see, never data, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation import pilot_services
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus

from .factories import login, make_case, make_team, make_user
from .pilot_factories import enrol, make_pilot, start_without_loting

pytestmark = pytest.mark.django_db

SECRET_NAME = "Geheime Gijs"
OTHER_ROLES = [Role.FUNCTIONAL_ADMIN, Role.ANALYST, Role.PRIVACY_OFFICER]


@pytest.fixture()
def world() -> dict[str, Any]:
    """A pilot in preparation, and a running one with a stopped participant."""
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    owner = make_user(Role.CONSULTANT, team)
    preparing = make_pilot(lead, name="Pilot Geheim Voorbereid")
    running = make_pilot(lead, name="Pilot Geheim Lopend")
    case = make_case(owner, name=SECRET_NAME)
    participant = enrol(running, case)
    start_without_loting(running)
    participant.refresh_from_db()
    pilot_services.stop_participation(owner, participant)
    return {
        "team": team,
        "lead": lead,
        "owner": owner,
        "preparing": preparing,
        "running": running,
        "trajectory": case,
        "participant": participant,
    }


EDIT = {
    "name": "Overgenomen",
    "analysis_plan": "Anders.",
    "outcome_measures": ["zrm_werk_opleiding"],
}
# (method, url name, which object's pk, POST data)
LEAD_VIEWS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("get", "evaluation:pilot-edit", "preparing", {}),
    ("post", "evaluation:pilot-edit", "preparing", EDIT),
    ("get", "evaluation:pilot-end", "running", {}),
    ("post", "evaluation:pilot-end", "running", {"confirm": "on"}),
]
RESIDENT_VIEWS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("get", "evaluation:pilot-resume", "participant", {}),
    ("post", "evaluation:pilot-resume", "participant", {"confirm": "on", "reason": "anders"}),
]


def _url(world: dict[str, Any], name: str, target: str) -> str:
    return reverse(name, args=[world[target].pk])


def _call(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.get(url) if method == "get" else client.post(url, data)


def _with_arms(world: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A complete edit form (so only access can refuse it)."""
    if "name" not in data:
        return data
    pilot = world["preparing"]
    arms = list(pilot.arms.all())
    full = {**data, "starts_on": pilot.starts_on.isoformat(), "arm-TOTAL_FORMS": str(len(arms))}
    full["arm-INITIAL_FORMS"] = str(len(arms))
    for i, arm in enumerate(arms):
        full.update({f"arm-{i}-arm": str(arm.pk), f"arm-{i}-code": arm.code})
        full.update({f"arm-{i}-label": "Overgenomen arm" if i else arm.label})
        if arm.is_control:
            full[f"arm-{i}-is_control"] = "on"
    return full


def _unchanged(world: dict[str, Any], body: str) -> None:
    assert SECRET_NAME not in body and world["participant"].code not in body
    assert "Pilot Geheim" not in body
    preparing = Pilot.objects.get(pk=world["preparing"].pk)
    assert preparing.name == "Pilot Geheim Voorbereid" and preparing.analysis_plan != "Anders."
    assert not preparing.arms.filter(label="Overgenomen arm").exists()
    running = Pilot.objects.get(pk=world["running"].pk)
    assert running.status == PilotStatus.RUNNING and running.ended_on is None
    p = PilotParticipant.objects.get(pk=world["participant"].pk)
    assert p.participation_withdrawn_on is not None
    assert not AuditEvent.objects.filter(
        object_type="evaluation.Pilot", action="update", details__has_key="changed"
    ).exists()


WRONG_FOR_LEAD_VIEWS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "consulent van het team": lambda w: w["owner"],
    **{str(role): (lambda r: lambda w: make_user(r, w["team"]))(role) for role in OTHER_ROLES},
}


@pytest.mark.parametrize("who", list(WRONG_FOR_LEAD_VIEWS))
@pytest.mark.parametrize(("method", "name", "target", "data"), LEAD_VIEWS)
def test_editing_and_ending_refuse_other_roles_with_403(
    client: Client, world: dict[str, Any], who: str, method: str, name: str, target: str, data: Any
) -> None:
    login(client, WRONG_FOR_LEAD_VIEWS[who](world))
    response = _call(client, method, _url(world, name, target), _with_arms(world, data))
    assert response.status_code == 403
    _unchanged(world, response.content.decode())


@pytest.mark.parametrize("team", ["ander team", "geen team"])
@pytest.mark.parametrize(("method", "name", "target", "data"), LEAD_VIEWS)
def test_a_team_lead_of_another_team_or_none_gets_404(
    client: Client, world: dict[str, Any], team: str, method: str, name: str, target: str, data: Any
) -> None:
    login(client, make_user(Role.TEAM_LEAD, make_team() if team == "ander team" else None))
    response = _call(client, method, _url(world, name, target), _with_arms(world, data))
    assert response.status_code == 404
    _unchanged(world, response.content.decode())


WRONG_FOR_RESIDENT: dict[str, tuple[Callable[[dict[str, Any]], Any], int]] = {
    "andere consulent, zelfde team": (lambda w: make_user(Role.CONSULTANT, w["team"]), 404),
    "consulent van een ander team": (lambda w: make_user(Role.CONSULTANT, make_team()), 404),
    "teamleider van het team": (lambda w: w["lead"], 404),
    **{
        str(role): ((lambda r: lambda w: make_user(r, w["team"]))(role), 403)
        for role in OTHER_ROLES
    },
}


@pytest.mark.parametrize("who", list(WRONG_FOR_RESIDENT))
@pytest.mark.parametrize(("method", "name", "target", "data"), RESIDENT_VIEWS)
def test_resuming_refuses_whoever_may_not_see_the_case(
    client: Client, world: dict[str, Any], who: str, method: str, name: str, target: str, data: Any
) -> None:
    make_user_for, status = WRONG_FOR_RESIDENT[who]
    login(client, make_user_for(world))
    response = _call(client, method, _url(world, name, target), data)
    assert response.status_code == status
    _unchanged(world, response.content.decode())
    assert not AuditEvent.objects.filter(
        object_type="evaluation.PilotParticipant",
        action="read",
        object_id=str(world["participant"].pk),
    ).exists()


def test_logged_out_users_are_sent_to_the_login(world: dict[str, Any]) -> None:
    for method, name, target, data in LEAD_VIEWS + RESIDENT_VIEWS:
        response = _call(Client(), method, _url(world, name, target), data)
        assert response.status_code == 302 and "/inloggen/" in response["Location"], name
    _unchanged(world, "")


def test_the_owner_and_the_lead_can_do_what_the_others_cannot(
    client: Client, world: dict[str, Any]
) -> None:
    # The positive control for the refusals above.
    lead = login(Client(), world["lead"])
    for method, name, target, data in LEAD_VIEWS:
        response = _call(lead, method, _url(world, name, target), _with_arms(world, data))
        assert response.status_code == (200 if method == "get" else 302), name
    assert Pilot.objects.get(pk=world["preparing"].pk).name == "Overgenomen"
    owner = login(client, world["owner"])
    # Ended now: resuming is refused by state, not by access (a redirect with the reason).
    response = owner.get(_url(world, "evaluation:pilot-resume", "participant"), follow=True)
    assert "hervatten kan niet meer" in response.content.decode()
    Pilot.objects.filter(pk=world["running"].pk).update(status=PilotStatus.RUNNING)
    for method, name, target, data in RESIDENT_VIEWS:
        response = _call(owner, method, _url(world, name, target), data)
        assert response.status_code == (200 if method == "get" else 302), name
    p = PilotParticipant.objects.get(pk=world["participant"].pk)
    assert p.participation_withdrawn_on is None
