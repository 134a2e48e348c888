"""On the resident page: resuming a participation that was stopped by mistake, and the
warning when a resident who takes part in another running pilot is enrolled."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation import pilot_services
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import login, make_case, make_team, make_user
from .pilot_factories import enrol, make_pilot, start_without_loting

pytestmark = pytest.mark.django_db

TODAY = date.today()
SECRET_NAME = "Hervatte Hanna"


@pytest.fixture()
def world() -> dict[str, Any]:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    owner = make_user(Role.CONSULTANT, team)
    pilot = make_pilot(lead, name="Pilot Hervat")
    case = make_case(owner, name=SECRET_NAME)
    participant = enrol(pilot, case)
    start_without_loting(pilot)
    participant.refresh_from_db()
    pilot_services.stop_participation(owner, participant)
    participant.participation_withdrawn_on = TODAY - timedelta(days=3)
    participant.save(update_fields=["participation_withdrawn_on"])
    return {
        "team": team,
        "lead": lead,
        "owner": owner,
        "pilot": pilot,
        "case": case,
        "p": participant,
    }


def _url(p: PilotParticipant) -> str:
    return reverse("evaluation:pilot-resume", args=[p.pk])


def _resumes(p: PilotParticipant) -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(
            object_type="evaluation.PilotParticipant", object_id=str(p.pk), action="update"
        ).order_by("id")
        if e.details.get("resumed")
    ]


def _resident(client: Client, trajectory: Trajectory) -> str:
    response = client.get(reverse("casework:resident", args=[trajectory.resident_id]))
    assert response.status_code == 200
    return response.content.decode()


# ----------------------------------------------------------------------------- resuming


def test_a_stopped_participation_is_resumed_after_a_confirmation(
    client: Client, world: dict[str, Any]
) -> None:
    p = world["p"]
    arm = p.arm_id
    pilot_services.withdraw_evaluation_consent(world["owner"], p)
    login(client, world["owner"])
    body = _resident(client, world["case"])
    assert _url(p) in body and "Deelname hervatten…" in body
    page = client.get(_url(p))
    text = page.content.decode()
    assert page.status_code == 200 and f"Deelname van {SECRET_NAME} aan Pilot Hervat" in text
    assert "selected" not in text.split('name="reason"')[1].split("</select>")[0].replace(
        '<option value="" selected>', ""
    )  # no reason preselected but "none given"
    assert 'name="confirm"' in text and "checked" not in text
    read = AuditEvent.objects.filter(
        action="read", object_type="evaluation.PilotParticipant", object_id=str(p.pk)
    ).get()
    assert read.resident_id == world["case"].resident_id
    # Not confirmed: refused, the reason chosen stays.
    refused = client.post(_url(p), {"reason": "vergissing"})
    assert refused.status_code == 400
    assert "Vink aan dat de inwoner weer meedoet." in refused.content.decode()
    assert '<option value="vergissing" selected>' in refused.content.decode()
    p.refresh_from_db()
    assert p.participation_withdrawn_on is not None
    response = client.post(_url(p), {"reason": "vergissing", "confirm": "on"}, follow=True)
    assert response.redirect_chain[0][0].endswith(f"#pilot-{p.pk}-kop")
    assert "Deelname aan de pilot hervat." in response.content.decode()
    assert "nog steeds geen toestemming voor de evaluatie" in response.content.decode()
    p.refresh_from_db()
    assert p.participation_withdrawn_on is None and p.arm_id == arm
    # The evaluation consent is a separate matter: still withdrawn, not given again.
    assert not p.consents_to_evaluation and p.evaluation_consent_withdrawn_on == TODAY
    (event,) = _resumes(p)
    assert event.resident_id == world["case"].resident_id and event.actor == world["owner"]
    assert event.purpose == pilot_services.PURPOSE_EVALUATION
    assert event.details["fields"] == ["participation_withdrawn_on"]
    assert event.details["reason"] == "vergissing" and event.details["allocated"] is True
    assert event.details["stopped_on"] == (TODAY - timedelta(days=3)).isoformat()
    assert "loopt" in _resident(client, world["case"])


def test_the_reason_is_optional_and_the_consent_stays_given(
    client: Client, world: dict[str, Any]
) -> None:
    p = world["p"]
    login(client, world["owner"])
    response = client.post(_url(p), {"confirm": "on"}, follow=True)
    assert "De toestemming voor de evaluatie staat nog." in response.content.decode()
    p.refresh_from_db()
    assert p.participation_withdrawn_on is None and p.consents_to_evaluation
    (event,) = _resumes(p)
    assert event.details["reason"] is None


def test_an_unknown_reason_is_refused_in_dutch(client: Client, world: dict[str, Any]) -> None:
    login(client, world["owner"])
    response = client.post(_url(world["p"]), {"reason": "omdat", "confirm": "on"})
    assert response.status_code == 400
    assert "Kies een reden uit de lijst, of geen reden." in response.content.decode()
    world["p"].refresh_from_db()
    assert world["p"].participation_withdrawn_on is not None


@pytest.mark.parametrize("state", ["afgerond", "traject gesloten", "loopt al"])
def test_resuming_is_refused_when_it_cannot_apply(
    client: Client, world: dict[str, Any], state: str
) -> None:
    p = world["p"]
    message = {
        "afgerond": "Deze pilot is afgerond; hervatten kan niet meer.",
        "traject gesloten": "Het traject is afgesloten; hervatten kan alleen bij een open traject.",
        "loopt al": "De deelname loopt al.",
    }[state]
    if state == "afgerond":
        pilot_services.end_pilot(world["lead"], world["pilot"])
    elif state == "traject gesloten":
        Trajectory.objects.filter(pk=world["case"].pk).update(
            status="closed", closed_on=TODAY, close_reason="anders"
        )
    else:
        PilotParticipant.objects.filter(pk=p.pk).update(participation_withdrawn_on=None)
    login(client, world["owner"])
    if state != "loopt al":
        assert _url(p) not in _resident(client, world["case"])
    for response in (
        client.get(_url(p), follow=True),
        client.post(_url(p), {"confirm": "on"}, follow=True),
    ):
        assert message in response.content.decode()
    assert not _resumes(p)
    with pytest.raises(pilot_services.PilotStateError):
        pilot_services.resume_participation(world["owner"], p, "")


def test_resuming_before_the_loting_puts_the_resident_back_on_the_list(
    client: Client, world: dict[str, Any]
) -> None:
    pilot = make_pilot(world["lead"], name="Pilot Voorbereid")
    p = enrol(pilot, make_case(world["owner"]))
    pilot_services.stop_participation(world["owner"], p)
    assert p.code not in dict(pilot_services.participant_list(pilot))
    login(client, world["owner"])
    page = client.get(_url(p)).content.decode()
    assert "download hem dan opnieuw" in page
    assert client.post(_url(p), {"confirm": "on"}).status_code == 302
    assert p.code in dict(pilot_services.participant_list(pilot))


# ----------------------------------------------------------------------------- warning


def _enrol(client: Client, case: Trajectory, pilot: Pilot) -> Any:
    data = {
        "pilot-pilot": str(pilot.pk),
        "pilot-participation": "on",
        "pilot-evaluation_consent": "nee",
    }
    return client.post(reverse("evaluation:pilot-enrol", args=[case.pk]), data)


def test_enrolling_a_resident_of_another_running_pilot_warns_but_is_possible(
    client: Client, world: dict[str, Any]
) -> None:
    # The resident takes part in Pilot Hervat again (running), a second pilot is prepared.
    pilot_services.resume_participation(world["owner"], world["p"], "")
    second = make_pilot(world["lead"], name="Pilot Twee")
    login(client, world["owner"])
    body = _resident(client, world["case"])
    assert 'id="pilot-elders"' in body
    assert "Let op: deze inwoner doet al mee aan een lopende pilot: Pilot Hervat." in body
    response = _enrol(client, world["case"], second)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(
        object_type="evaluation.PilotParticipant", action="create"
    ).latest("id")
    assert event.details["other_running_pilots"] == 1
    assert "Pilot Hervat" not in str(event.details)


def test_no_warning_for_a_stopped_or_a_prepared_participation(
    client: Client, world: dict[str, Any]
) -> None:
    # world: the participation in the running pilot is stopped.
    prepared = make_pilot(world["lead"], name="Pilot Voorbereid")
    enrol(prepared, world["case"])
    make_pilot(world["lead"], name="Pilot Drie")
    login(client, world["owner"])
    body = _resident(client, world["case"])
    assert "Aanmelden voor een pilot" in body and 'id="pilot-elders"' not in body
    assert _enrol(client, world["case"], Pilot.objects.get(name="Pilot Drie")).status_code == 302
    event = AuditEvent.objects.filter(
        object_type="evaluation.PilotParticipant", action="create"
    ).latest("id")
    assert event.details["other_running_pilots"] == 0


def test_a_pilot_through_a_trajectory_the_user_may_not_see_is_not_named(
    client: Client, world: dict[str, Any]
) -> None:
    """The resident's earlier trajectory in another team, in that team's running pilot."""
    other_team = make_team()
    other_lead = make_user(Role.TEAM_LEAD, other_team)
    earlier = Trajectory.objects.create(
        resident=world["case"].resident,
        consultant=make_user(Role.CONSULTANT, other_team),
        opened_on=TODAY - timedelta(days=200),
    )
    secrets = [make_pilot(other_lead, name=f"Pilot Elders Geheim {i}") for i in (1, 2)]
    for secret in secrets:
        enrol(secret, earlier)
        start_without_loting(secret)
    Trajectory.objects.filter(pk=earlier.pk).update(
        status="closed", closed_on=TODAY - timedelta(days=40), close_reason="anders"
    )
    make_pilot(world["lead"], name="Pilot Twee")
    login(client, world["owner"])
    body = _resident(client, world["case"])
    assert "Let op: deze inwoner doet al mee aan 2 lopende pilots: 2 pilots via een" in body
    assert "Pilot Elders Geheim" not in body
    assert all(Pilot.objects.get(pk=p.pk).status == PilotStatus.RUNNING for p in secrets)
    # With the resident's own running pilot too: named, and counted with the others.
    pilot_services.resume_participation(world["owner"], world["p"], "")
    body = _resident(client, world["case"])
    assert "doet al mee aan 3 lopende pilots: Pilot Hervat, 2 pilots via een ander traject." in body


def test_the_resume_page_and_the_warning_are_translated(
    client: Client, world: dict[str, Any]
) -> None:
    login(client, world["owner"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(_url(world["p"])).content.decode()
    assert "Resume participation" in body and "No reason given" in body
    body = client.post(_url(world["p"]), {}).content.decode()
    assert "Tick that the resident takes part again." in body
    pilot_services.resume_participation(world["owner"], world["p"], "")
    make_pilot(world["lead"], name="Pilot Twee")
    body = _resident(client, world["case"])
    assert "Please note: this resident already takes part in a running pilot: Pilot Hervat." in body
