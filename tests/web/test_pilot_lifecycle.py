"""A pilot after it was registered: the team lead edits its design while it is in preparation
and ends it once it runs (the "not yet" list of issue 16)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation import export_file, pilot_services
from bestaanszekerheid.web.evaluation.export_services import exportable_pilots
from bestaanszekerheid.web.evaluation.models import (
    Pilot,
    PilotArm,
    PilotParticipant,
    PilotStatus,
)
from bestaanszekerheid.web.evaluation.monitor_figures import load_monitor_rows

from .factories import login, make_case, make_team, make_user
from .pilot_factories import bsz_loting, enrol, make_pilot, start_without_loting

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture()
def team() -> Any:
    return make_team()


@pytest.fixture()
def lead(team: Any) -> Any:
    return make_user(Role.TEAM_LEAD, team)


@pytest.fixture()
def pilot(lead: Any) -> Pilot:
    return make_pilot(lead, name="Pilot Opzet")


def _edit_url(pilot: Pilot) -> str:
    return reverse("evaluation:pilot-edit", args=[pilot.pk])


def _edit_data(pilot: Pilot, arms: dict[str, dict[str, Any]] | None = None, **over: Any):
    """The edit form as the page fills it in, with ``over`` and per arm code ``arms`` changed
    (a value None leaves the field out, as an unticked box or an emptied list)."""
    data: dict[str, Any] = {
        "name": pilot.name,
        "starts_on": pilot.starts_on.isoformat(),
        "outcome_measures": list(pilot.outcome_measures),
        "analysis_plan": pilot.analysis_plan,
    }
    stored = list(pilot.arms.all())
    data.update(
        {
            "arm-TOTAL_FORMS": str(len(stored)),
            "arm-INITIAL_FORMS": str(len(stored)),
            "arm-MIN_NUM_FORMS": "0",
            "arm-MAX_NUM_FORMS": "6",
        }
    )
    for i, arm in enumerate(stored):
        row = {
            "arm": str(arm.pk),
            "code": arm.code,
            "label": arm.label,
            "is_control": "on" if arm.is_control else None,
            "description": arm.description,
            "planned_contacts_per_month": str(arm.planned_contacts_per_month or ""),
            **(arms or {}).get(arm.code, {}),
        }
        data.update({f"arm-{i}-{k}": v for k, v in row.items()})
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _arms(pilot: Pilot) -> list[tuple[str, str, bool, str]]:
    return list(
        PilotArm.objects.filter(pilot=pilot)
        .order_by("pk")
        .values_list("code", "label", "is_control", "description")
    )


def _updates(pilot: Pilot) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="evaluation.Pilot", object_id=str(pilot.pk), action="update"
        ).order_by("id")
    )


# ----------------------------------------------------------------------------- editing


def test_the_pilot_page_offers_editing_only_in_preparation(
    client: Client, lead: Any, pilot: Pilot
) -> None:
    login(client, lead)
    page = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert _edit_url(pilot) in page
    assert reverse("evaluation:pilot-end", args=[pilot.pk]) not in page
    form = client.get(_edit_url(pilot)).content.decode()
    assert 'value="Pilot Opzet"' in form and "Gewone begeleiding" in form
    start_without_loting(pilot)
    page = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert _edit_url(pilot) not in page


def test_team_lead_edits_the_design_with_participants_enrolled(
    client: Client, team: Any, lead: Any, pilot: Pilot
) -> None:
    enrol(pilot, make_case(make_user(Role.CONSULTANT, team)))
    login(client, lead)
    form = client.get(_edit_url(pilot)).content.decode()
    assert "liggen daarom vast" in form and 'name="arm-0-code"' in form and "disabled" in form
    data = _edit_data(
        pilot,
        arms={
            "extra": {"label": "Wekelijkse begeleiding", "description": "Elke week"},
            # Tampered: a disabled field's POST is ignored, the stored code stays.
            "controle": {"code": "gewoon", "is_control": None},
        },
        name="Pilot Opzet 2027",
        analysis_plan="Eigen regie en financiën na zes maanden.",
        outcome_measures=["schaal_regie", "zrm_financien"],
    )
    response = client.post(_edit_url(pilot), data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:pilot", args=[pilot.pk]
    )
    pilot.refresh_from_db()
    assert pilot.name == "Pilot Opzet 2027" and pilot.analysis_plan.startswith("Eigen regie en")
    assert pilot.outcome_measures == ["schaal_regie", "zrm_financien"]
    assert pilot.status == PilotStatus.PREPARING
    assert _arms(pilot) == [
        ("controle", "Gewone begeleiding", True, "Zoals altijd"),
        ("extra", "Wekelijkse begeleiding", False, "Elke week"),
    ]
    (event,) = _updates(pilot)
    assert event.actor == lead and event.purpose == pilot_services.PURPOSE_EVALUATION
    assert event.details["changed"] == ["name", "outcome_measures", "analysis_plan"]
    assert event.details["arms"] == {"extra": ["label", "description"]}
    assert event.details["outcome_measures"] == ["schaal_regie", "zrm_financien"]
    assert "codes" not in event.details
    # The same again: nothing saved, nothing logged.
    pilot.refresh_from_db()
    again = client.post(_edit_url(pilot), _edit_data(pilot), follow=True)
    assert "Niets gewijzigd." in again.content.decode()
    assert len(_updates(pilot)) == 1


def test_without_participants_codes_and_the_control_arm_can_change(
    client: Client, lead: Any, pilot: Pilot
) -> None:
    login(client, lead)
    assert "disabled" not in client.get(_edit_url(pilot)).content.decode()
    # Swap the codes and move the control arm: the codes are unique per pilot at every step.
    data = _edit_data(
        pilot,
        arms={
            "controle": {"code": "extra", "is_control": None},
            "extra": {"code": "controle", "is_control": "on"},
        },
    )
    assert client.post(_edit_url(pilot), data).status_code == 302
    assert _arms(pilot) == [
        ("extra", "Gewone begeleiding", False, "Zoals altijd"),
        ("controle", "Extra begeleiding", True, "Elke week een gesprek"),
    ]
    (event,) = _updates(pilot)
    assert event.details["codes"] == {"controle": "extra", "extra": "controle"}
    assert event.details["arms"] == {
        "controle": ["code", "is_control"],
        "extra": ["code", "is_control"],
    }
    page = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert "--armen controle,extra" in page  # the control arm first, as bsz loting wants it


@pytest.mark.parametrize(
    ("over", "arms", "message"),
    [
        ({"name": ""}, {}, "Geef de pilot een naam."),
        ({"name": "Andere pilot"}, {}, "Er is al een pilot met deze naam"),
        ({"outcome_measures": None}, {}, "Kies minstens één uitkomstmaat."),
        ({"analysis_plan": ""}, {}, "Schrijf in een paar regels"),
        ({"starts_on": "1800-01-01"}, {}, "Kies een datum van"),
        ({}, {"extra": {"label": ""}}, "Geef de arm een naam."),
        ({}, {"extra": {"label": "gewone BEGELEIDING"}}, "Elke arm heeft een eigen naam"),
        ({}, {"extra": {"is_control": "on"}}, "Kies precies één controlearm (nu: 2)"),
        ({}, {"extra": {"code": "extra arm"}}, "geen spaties of komma"),
    ],
)
def test_an_invalid_edit_keeps_the_input_and_changes_nothing(
    client: Client, lead: Any, pilot: Pilot, over: dict[str, Any], arms: Any, message: str
) -> None:
    make_pilot(lead, name="Andere pilot")
    login(client, lead)
    typed = {"name": "Getypte naam", "analysis_plan": "Nieuw getypt plan.", **over}
    data = _edit_data(pilot, arms=arms, **typed)
    response = client.post(_edit_url(pilot), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Pilot niet opgeslagen" in body
    # What was typed stays on the page.
    if "analysis_plan" not in over:
        assert "Nieuw getypt plan." in body
    if "name" not in over:
        assert 'value="Getypte naam"' in body
    pilot.refresh_from_db()
    assert pilot.name == "Pilot Opzet" and pilot.analysis_plan.startswith("Eigen regie na")
    assert _arms(pilot)[1] == ("extra", "Extra begeleiding", False, "Elke week een gesprek")
    assert not _updates(pilot)


def test_a_pilot_that_runs_cannot_be_edited(client: Client, lead: Any, pilot: Pilot) -> None:
    start_without_loting(pilot)
    login(client, lead)
    response = client.get(_edit_url(pilot), follow=True)
    assert "zolang hij in voorbereiding is" in response.content.decode()
    response = client.post(_edit_url(pilot), _edit_data(pilot, name="Te laat"))
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.name == "Pilot Opzet" and not _updates(pilot)


def test_a_participant_enrolled_meanwhile_fixes_the_codes(
    team: Any, lead: Any, pilot: Pilot
) -> None:
    """The page was opened without participants; someone enrols before it is saved."""
    arms = {a.pk: {"code": a.code, "label": a.label} for a in pilot.arms.all()}
    values = {f: getattr(pilot, f) for f in pilot_services.PILOT_FIELDS}
    enrol(pilot, make_case(make_user(Role.CONSULTANT, team)))
    control = pilot.arms.get(is_control=True)
    arms[control.pk]["code"] = "gewoon"
    with pytest.raises(pilot_services.PilotStateError, match="liggen vast"):
        pilot_services.update_pilot(lead, pilot, values, arms)
    assert pilot.arms.filter(code="controle").exists() and not _updates(pilot)
    # An arm of another pilot is not this pilot's arm.
    other = make_pilot(lead, name="Andere pilot").arms.first()
    assert other is not None
    with pytest.raises(pilot_services.PilotStateError, match="intussen veranderd"):
        pilot_services.update_pilot(lead, pilot, values, {other.pk: {"label": "x"}})


# ----------------------------------------------------------------------------- ending


def _end_url(pilot: Pilot) -> str:
    return reverse("evaluation:pilot-end", args=[pilot.pk])


@pytest.fixture()
def running(client: Client, team: Any, lead: Any, tmp_path: Path) -> dict[str, Any]:
    """A pilot with four participants, its loting imported from a real ``bsz loting`` run."""
    pilot = make_pilot(lead, name="Pilot Loopt")
    consultant = make_user(Role.CONSULTANT, team)
    cases = [make_case(consultant, name=f"Deelnemer {i}") for i in range(4)]
    participants = [enrol(pilot, c) for c in cases]
    login(client, lead)
    csv_text = client.get(reverse("evaluation:pilot-participants", args=[pilot.pk])).content
    log, code = bsz_loting(csv_text.decode(), tmp_path)
    upload = SimpleUploadedFile("lotingslogboek.jsonl", log.read_bytes())
    imported = client.post(
        reverse("evaluation:pilot-import", args=[pilot.pk]),
        {"logboek": upload, "controlecode": code},
    )
    assert imported.status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING
    return {
        "pilot": pilot,
        "consultant": consultant,
        "cases": cases,
        "participants": participants,
        "log": log,
        "code": code,
    }


def test_team_lead_ends_a_running_pilot_after_a_confirmation(
    client: Client, lead: Any, running: dict[str, Any]
) -> None:
    pilot = running["pilot"]
    arms_before = dict(PilotParticipant.objects.filter(pilot=pilot).values_list("pk", "arm_id"))
    page = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert _end_url(pilot) in page and _edit_url(pilot) not in page
    confirm = client.get(_end_url(pilot))
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Pilot Loopt afronden" in body
    assert 'name="confirm"' in body and "checked" not in body  # nothing preselected
    assert "4 deelnemers" in body
    unconfirmed = client.post(_end_url(pilot), {})
    assert unconfirmed.status_code == 400
    assert "Vink aan dat je de pilot wilt afronden." in unconfirmed.content.decode()
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING and pilot.ended_on is None
    response = client.post(_end_url(pilot), {"confirm": "on"})
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.ENDED
    assert pilot.ended_on == TODAY and pilot.ended_by == lead
    assert pilot.allocation_head == running["code"]  # the loting stays as it was
    # Everyone keeps the arm.
    after = dict(PilotParticipant.objects.filter(pilot=pilot).values_list("pk", "arm_id"))
    assert after == arms_before and all(after.values())
    event = _updates(pilot)[-1]
    assert event.actor == lead and event.details["to"] == "afgerond"
    assert event.details["from"] == "lopend" and event.details["participants"] == 4
    assert event.details["fields"] == ["status", "ended_on", "ended_by"]
    when = f"afgerond op {TODAY.day} "
    page = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert when in page and _end_url(pilot) not in page
    assert "Dosis en trouw per arm" in page  # the figures stay
    assert when in client.get(reverse("evaluation:pilots")).content.decode()
    # A second time: only a running pilot can be ended.
    again = client.post(_end_url(pilot), {"confirm": "on"}, follow=True)
    assert "Alleen een lopende pilot kan worden afgerond." in again.content.decode()
    assert [e.details.get("to") for e in _updates(pilot)].count("afgerond") == 1


def test_an_ended_pilot_takes_no_enrolment_and_no_loting(
    client: Client, team: Any, lead: Any, running: dict[str, Any]
) -> None:
    pilot = running["pilot"]
    pilot_services.end_pilot(lead, pilot)
    # The loting: refused with a clear message, nothing changed.
    upload = SimpleUploadedFile("lotingslogboek.jsonl", running["log"].read_bytes())
    response = client.post(
        reverse("evaluation:pilot-import", args=[pilot.pk]),
        {"logboek": upload, "controlecode": running["code"]},
    )
    assert response.status_code == 400
    assert "Deze pilot is afgerond; een loting inlezen kan niet meer." in response.content.decode()
    listed = client.get(reverse("evaluation:pilot-participants", args=[pilot.pk]), follow=True)
    assert "Deze pilot is afgerond; de deelnemerslijst is niet meer nodig." in (
        listed.content.decode()
    )
    # Enrolment: not offered, refused with the pilot named when posted anyway.
    consultant = running["consultant"]
    case = make_case(consultant, name="Nieuwe Nina")
    own = login(Client(), consultant)
    body = own.get(reverse("casework:resident", args=[case.resident_id])).content.decode()
    assert "Aanmelden voor een pilot" not in body
    data = {
        "pilot-pilot": str(pilot.pk),
        "pilot-participation": "on",
        "pilot-evaluation_consent": "ja",
        "pilot-evaluation_consent_on": TODAY.isoformat(),
    }
    response = own.post(reverse("evaluation:pilot-enrol", args=[case.pk]), data)
    assert response.status_code == 400
    assert "De pilot Pilot Loopt is afgerond; aanmelden kan niet meer." in (
        response.content.decode()
    )
    with pytest.raises(pilot_services.PilotStateError, match="afgerond"):
        pilot_services.enrol(consultant, pilot, case, evaluation_consent_on=None)
    assert not PilotParticipant.objects.filter(trajectory=case).exists()


def test_after_the_end_the_resident_page_keeps_the_arm_and_the_consent_step(
    client: Client, lead: Any, running: dict[str, Any]
) -> None:
    pilot = running["pilot"]
    pilot_services.end_pilot(lead, pilot)
    p = PilotParticipant.objects.select_related("arm").get(pk=running["participants"][0].pk)
    own = login(Client(), running["consultant"])
    body = own.get(reverse("casework:resident", args=[p.trajectory.resident_id])).content.decode()
    assert p.arm is not None and p.arm.label in body
    assert f"afgerond op {TODAY.day} " in body and "tot het einde van de pilot" in body
    assert "Deelname aan de pilot stoppen" not in body  # the pilot is over
    assert "Toestemming voor de evaluatie intrekken" in body  # this stays possible
    stop = own.post(reverse("evaluation:pilot-stop", args=[p.pk]), {f"stop{p.pk}-confirm": "on"})
    assert stop.status_code == 400 and "stoppen is niet meer nodig" in stop.content.decode()
    p.refresh_from_db()
    assert p.participation_withdrawn_on is None
    consent = own.post(
        reverse("evaluation:pilot-consent", args=[p.pk]),
        {f"consent{p.pk}-confirm": "on", "actie": "intrekken"},
    )
    assert consent.status_code == 302


def test_an_ended_pilots_data_stay_for_the_monitor_and_the_export(
    team: Any, lead: Any, pilot: Pilot
) -> None:
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant)
    participant = enrol(pilot, case, days_ago=60)
    start_without_loting(pilot)
    pilot_services.end_pilot(lead, pilot)
    assert pilot in exportable_pilots()
    assert [p.pk for p in export_file.participants(pilot)] == [participant.pk]
    monitored = load_monitor_rows(lead, TODAY).pilots
    assert [m.pilot_id for m in monitored] == [pilot.pk]


def test_a_pilot_in_preparation_cannot_be_ended(client: Client, lead: Any, pilot: Pilot) -> None:
    login(client, lead)
    response = client.get(_end_url(pilot), follow=True)
    assert "Alleen een lopende pilot kan worden afgerond." in response.content.decode()
    assert client.post(_end_url(pilot), {"confirm": "on"}).status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.PREPARING and not _updates(pilot)


def test_the_new_pilot_pages_are_translated(
    client: Client, lead: Any, pilot: Pilot, running: dict[str, Any]
) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(_edit_url(pilot)).content.decode()
    assert "Change the design of Pilot Opzet" in body and "Adding or removing an arm" in body
    body = client.get(_end_url(running["pilot"])).content.decode()
    assert "Complete Pilot Loopt" in body and "I want to complete this pilot" in body
    body = client.post(_end_url(running["pilot"]), {}).content.decode()
    assert "Tick that you want to complete the pilot." in body
