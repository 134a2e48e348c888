"""Pilots with arms: the team lead's pages, enrolment on the resident page, the participant
list, and the import of a real ``bsz loting`` run."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation.models import (
    Pilot,
    PilotArm,
    PilotParticipant,
    PilotStatus,
)
from bestaanszekerheid.web.evaluation.pilot_services import CODE_ALPHABET, CODE_LETTERS

from .factories import login, make_case, make_team, make_user
from .pilot_factories import bsz_loting, enrol, make_pilot

pytestmark = pytest.mark.django_db

SECRET_NAME = "Geheime Gerda"


def _form(name: str = "Pilot Meedoen", arms: list[dict[str, Any]] | None = None, **over: Any):
    arms = (
        arms
        if arms is not None
        else [
            {"code": "controle", "label": "Gewoon", "is_control": "on", "planned": "1"},
            {"code": "extra", "label": "Extra", "description": "Wekelijks", "planned": "4"},
        ]
    )
    data: dict[str, Any] = {
        "name": name,
        "starts_on": date.today().isoformat(),
        "outcome_measures": ["schaal_regie", "zrm_financien"],
        "analysis_plan": "Verschil in eigen regie na zes maanden.",
        "arm-TOTAL_FORMS": "6",
        "arm-INITIAL_FORMS": "0",
        "arm-MIN_NUM_FORMS": "0",
        "arm-MAX_NUM_FORMS": "6",
    }
    for i, arm in enumerate(arms):
        for key, value in arm.items():
            field = "planned_contacts_per_month" if key == "planned" else key
            data[f"arm-{i}-{field}"] = value
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture()
def team() -> Any:
    return make_team()


@pytest.fixture()
def lead(team: Any) -> Any:
    return make_user(Role.TEAM_LEAD, team)


# ----------------------------------------------------------------------------- creating


def test_team_lead_creates_a_pilot_with_arms(client: Client, lead: Any) -> None:
    login(client, lead)
    response = client.post(reverse("evaluation:pilot-create"), _form())
    pilot = Pilot.objects.get(name="Pilot Meedoen")
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:pilot", args=[pilot.pk]
    )
    assert pilot.team == lead.team and pilot.created_by == lead
    assert pilot.status == PilotStatus.PREPARING
    assert pilot.outcome_measures == ["schaal_regie", "zrm_financien"]
    arms = list(pilot.arms.values_list("code", "label", "is_control", "planned_contacts_per_month"))
    assert [(c, lab, ctl, float(p)) for c, lab, ctl, p in arms] == [
        ("controle", "Gewoon", True, 1.0),
        ("extra", "Extra", False, 4.0),
    ]
    event = AuditEvent.objects.get(object_type="evaluation.Pilot", action="create")
    assert event.details["arms"] == ["controle", "extra"] and event.details["control"] == "controle"
    page = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert "--armen controle,extra" in page and "eigen regie" in page


@pytest.mark.parametrize(
    ("arms", "over", "message"),
    [
        (
            [{"code": "controle", "label": "A"}, {"code": "extra", "label": "B"}],
            {},
            "Kies precies één controlearm (nu: 0)",
        ),
        (
            [
                {"code": "controle", "label": "A", "is_control": "on"},
                {"code": "extra", "label": "B", "is_control": "on"},
            ],
            {},
            "Kies precies één controlearm (nu: 2)",
        ),
        (
            [
                {"code": "controle", "label": "A", "is_control": "on"},
                {"code": "Extra", "label": "B"},
                {"code": "extra", "label": "C"},
            ],
            {},
            "eigen code; dubbel: extra",
        ),
        (
            [{"code": "controle", "label": "A", "is_control": "on"}],
            {},
            "Geef de arm een code.",
        ),
        (
            [
                {"code": "controle", "label": "A", "is_control": "on"},
                {"code": "extra", "label": "B"},
                {"label": "C zonder code"},
            ],
            {},
            "Geef de arm een code.",
        ),
        (
            [
                {"code": "controle", "label": "A", "is_control": "on"},
                {"code": "extra begeleiding", "label": "B"},
            ],
            {},
            "geen spaties of komma",
        ),
        (None, {"outcome_measures": None}, "Kies minstens één uitkomstmaat"),
        (None, {"analysis_plan": ""}, "Schrijf in een paar regels"),
        (None, {"starts_on": "1800-01-01"}, "Kies een datum van"),
    ],
)
def test_invalid_pilot_is_refused_with_a_dutch_message(
    client: Client, lead: Any, arms: Any, over: dict[str, Any], message: str
) -> None:
    login(client, lead)
    response = client.post(reverse("evaluation:pilot-create"), _form(arms=arms, **over))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="Pilot Meedoen"' in body  # what was typed stays
    assert not Pilot.objects.exists() and not PilotArm.objects.exists()


def test_pilot_names_are_unique(client: Client, lead: Any) -> None:
    make_pilot(lead, name="Pilot Meedoen")
    login(client, lead)
    response = client.post(reverse("evaluation:pilot-create"), _form())
    assert response.status_code == 400 and "al een pilot met deze naam" in response.content.decode()


def test_the_list_shows_only_the_own_teams_pilots(client: Client, lead: Any) -> None:
    make_pilot(lead, name="Eigen pilot")
    make_pilot(make_user(Role.TEAM_LEAD, make_team()), name="Andermans pilot")
    login(client, lead)
    body = client.get(reverse("evaluation:pilots")).content.decode()
    assert "Eigen pilot" in body and "Andermans pilot" not in body


# ----------------------------------------------------------------------------- enrolment


def _resident(client: Client, trajectory: Any) -> str:
    response = client.get(reverse("casework:resident", args=[trajectory.resident_id]))
    assert response.status_code == 200
    return response.content.decode()


def _enrol_data(pilot: Pilot, consent: str = "ja", **over: Any) -> dict[str, Any]:
    data = {
        "pilot-pilot": str(pilot.pk),
        "pilot-participation": "on",
        "pilot-evaluation_consent": consent,
        "pilot-evaluation_consent_on": date.today().isoformat(),
        **over,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_consultant_enrols_a_resident_with_evaluation_consent(
    client: Client, team: Any, lead: Any
) -> None:
    pilot = make_pilot(lead)
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant, name=SECRET_NAME)
    login(client, consultant)
    assert "Aanmelden voor een pilot" in _resident(client, case)
    response = client.post(reverse("evaluation:pilot-enrol", args=[case.pk]), _enrol_data(pilot))
    assert response.status_code == 302
    p = PilotParticipant.objects.get(pilot=pilot, trajectory=case)
    assert re.fullmatch(f"[{CODE_LETTERS}][{CODE_ALPHABET}]{{7}}", p.code)
    assert p.enrolled_on == date.today() and p.enrolled_by == consultant
    assert p.consents_to_evaluation and p.arm is None
    event = AuditEvent.objects.get(object_type="evaluation.PilotParticipant", action="create")
    assert event.resident_id == case.resident_id and event.details["evaluation_consent"] is True
    body = _resident(client, case)
    assert p.code in body and "nog niet geloot" in body
    assert "Aanmelden voor een pilot" not in body  # joined: no second enrolment offered
    assert AuditEvent.objects.filter(object_type="pilotdeelname", action="read").exists()


def test_participation_without_evaluation_consent(client: Client, team: Any, lead: Any) -> None:
    pilot = make_pilot(lead)
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant)
    login(client, consultant)
    data = _enrol_data(pilot, consent="nee", **{"pilot-evaluation_consent_on": ""})
    assert client.post(reverse("evaluation:pilot-enrol", args=[case.pk]), data).status_code == 302
    p = PilotParticipant.objects.get(trajectory=case)
    assert p.evaluation_consent_on is None and not p.consents_to_evaluation
    assert "niet gegeven" in _resident(client, case)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"pilot-participation": None}, "Vink aan dat de inwoner vrijwillig meedoet"),
        ({"pilot-evaluation_consent": ""}, "Kies ja of nee"),
        ({"pilot-evaluation_consent_on": ""}, "Vul in wanneer de toestemming is gegeven"),
        ({"pilot-evaluation_consent_on": "2999-01-01"}, "tot en met vandaag"),
    ],
)
def test_invalid_enrolment_is_refused(
    client: Client, team: Any, lead: Any, over: dict[str, Any], message: str
) -> None:
    pilot = make_pilot(lead)
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant)
    login(client, consultant)
    response = client.post(
        reverse("evaluation:pilot-enrol", args=[case.pk]), _enrol_data(pilot, **over)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Niet aangemeld voor de pilot" in body
    assert not PilotParticipant.objects.exists()


def test_no_enrolment_in_another_teams_pilot_or_a_running_one(
    client: Client, team: Any, lead: Any
) -> None:
    other = make_pilot(make_user(Role.TEAM_LEAD, make_team()), name="Ander team")
    running = make_pilot(lead, name="Loopt al")
    Pilot.objects.filter(pk=running.pk).update(status=PilotStatus.RUNNING)
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant)
    login(client, consultant)
    body = _resident(client, case)
    assert "Ander team" not in body and "Loopt al" not in body
    # Another team's pilot is not in the list; the own running one is named with the reason.
    for pilot, message in (
        (other, "Kies een pilot uit de lijst"),
        (running, "Bij de pilot Loopt al is de loting al ingelezen; aanmelden kan niet meer."),
    ):
        response = client.post(
            reverse("evaluation:pilot-enrol", args=[case.pk]), _enrol_data(pilot)
        )
        assert response.status_code == 400 and message in response.content.decode()
    assert not PilotParticipant.objects.exists()


def test_stop_participation_and_withdraw_and_give_consent(
    client: Client, team: Any, lead: Any
) -> None:
    pilot = make_pilot(lead)
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant)
    p = enrol(pilot, case)
    login(client, consultant)
    stop = reverse("evaluation:pilot-stop", args=[p.pk])
    unconfirmed = client.post(stop, {})
    assert (
        unconfirmed.status_code == 400 and "Deelname niet gestopt" in unconfirmed.content.decode()
    )
    assert client.post(stop, {f"stop{p.pk}-confirm": "on"}).status_code == 302
    p.refresh_from_db()
    assert p.participation_withdrawn_on == date.today()
    assert client.post(stop, {f"stop{p.pk}-confirm": "on"}).status_code == 400  # already stopped

    consent = reverse("evaluation:pilot-consent", args=[p.pk])
    confirm = {f"consent{p.pk}-confirm": "on"}
    assert client.post(consent, {"actie": "intrekken"}).status_code == 400  # not confirmed
    assert client.post(consent, {**confirm, "actie": "intrekken"}).status_code == 302
    p.refresh_from_db()
    assert p.evaluation_consent_withdrawn_on == date.today() and not p.consents_to_evaluation
    # A second click of the same button does not give the consent again.
    assert client.post(consent, {**confirm, "actie": "intrekken"}).status_code == 400
    p.refresh_from_db()
    assert not p.consents_to_evaluation
    assert client.post(consent, {**confirm, "actie": "geven"}).status_code == 302
    p.refresh_from_db()
    assert p.consents_to_evaluation and p.evaluation_consent_withdrawn_on is None
    updates = AuditEvent.objects.filter(
        object_type="evaluation.PilotParticipant", action="update", resident_id=case.resident_id
    )
    assert [e.details["fields"] for e in updates.order_by("id")] == [
        ["participation_withdrawn_on"],
        ["evaluation_consent_withdrawn_on"],
        ["evaluation_consent_on", "evaluation_consent_withdrawn_on"],
    ]


def test_withdrawing_consent_works_on_a_closed_trajectory(
    client: Client, team: Any, lead: Any
) -> None:
    pilot = make_pilot(lead)
    consultant = make_user(Role.CONSULTANT, team)
    case = make_case(consultant)
    p = enrol(pilot, case)
    case.status, case.closed_on = "closed", date.today()
    case.save()
    login(client, consultant)
    body = _resident(client, case)
    assert "Toestemming voor de evaluatie intrekken" in body
    response = client.post(
        reverse("evaluation:pilot-consent", args=[p.pk]),
        {f"consent{p.pk}-confirm": "on", "actie": "intrekken"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert not p.consents_to_evaluation


# ----------------------------------------------------------------------------- list and import


def _csv(client: Client, pilot: Pilot) -> str:
    response = client.get(reverse("evaluation:pilot-participants", args=[pilot.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "deelnemers.csv" in response["Content-Disposition"]
    return response.content.decode()


def test_participant_list_has_codes_and_consultant_codes_only(
    client: Client, team: Any, lead: Any
) -> None:
    pilot = make_pilot(lead)
    first, second = make_user(Role.CONSULTANT, team), make_user(Role.CONSULTANT, team)
    kept = [
        enrol(pilot, make_case(c, name=f"{SECRET_NAME} {i}"))
        for i, c in enumerate([second, first, second])
    ]
    stopped = enrol(pilot, make_case(first, name="Gestopte Stien"))
    stopped.participation_withdrawn_on = date.today()
    stopped.save()
    login(client, lead)
    text = _csv(client, pilot)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["deelnemer", "consulent"]
    expected = sorted(
        (p.code, "C1" if p.trajectory.consultant_id == first.pk else "C2") for p in kept
    )
    assert sorted(tuple(r) for r in rows[1:]) == expected
    assert stopped.code not in text and SECRET_NAME not in text and "Stien" not in text
    event = AuditEvent.objects.get(action="export", object_type="evaluation.Pilot")
    assert event.details["count"] == 3


def _import(client: Client, pilot: Pilot, log: Path, code: str):
    upload = SimpleUploadedFile("lotingslogboek.jsonl", log.read_bytes())
    return client.post(
        reverse("evaluation:pilot-import", args=[pilot.pk]),
        {"logboek": upload, "controlecode": code},
    )


@pytest.fixture()
def enrolled(team: Any, lead: Any) -> dict[str, Any]:
    pilot = make_pilot(lead)
    consultants = [make_user(Role.CONSULTANT, team) for _ in range(2)]
    cases = [make_case(consultants[i % 2], name=f"{SECRET_NAME} {i}") for i in range(8)]
    participants = [enrol(pilot, c) for c in cases]
    return {
        "pilot": pilot,
        "consultants": consultants,
        "cases": cases,
        "participants": participants,
    }


def test_import_of_a_real_bsz_loting_run(
    client: Client, lead: Any, enrolled: dict[str, Any], tmp_path: Path
) -> None:
    pilot = enrolled["pilot"]
    login(client, lead)
    log, code = bsz_loting(_csv(client, pilot), tmp_path, "controle,extra", "--strata", "consulent")
    response = _import(client, pilot, log, code)
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING and pilot.allocation_head == code
    assert pilot.allocation_seed == 2026 and pilot.allocation_imported_by == lead
    assert pilot.allocation_design["strata"] == ["consulent"]
    participants = list(PilotParticipant.objects.filter(pilot=pilot).select_related("arm"))
    assert all(p.arm is not None for p in participants)
    assert sorted(p.arm.code for p in participants) == ["controle"] * 4 + ["extra"] * 4
    assert {p.stratum for p in participants} == {"C1", "C2"}
    # The allocation is exactly bsz loting's toewijzing.csv.
    table = (tmp_path / "loting" / "toewijzing.csv").read_text(encoding="utf-8").splitlines()
    logged = dict(tuple(line.split(";")[:2]) for line in table[1:])
    assert {p.code: p.arm.code for p in participants} == logged
    event = AuditEvent.objects.get(object_type="evaluation.Pilot", action="update")
    assert event.details["entries"] == 9 and event.details["head"] == code
    assert (
        AuditEvent.objects.filter(
            object_type="evaluation.PilotParticipant", action="update"
        ).count()
        == 8
    )
    # The consultant sees the arm and what it gets.
    p = participants[0]
    consultant_client = login(Client(), p.trajectory.consultant)
    body = _resident(consultant_client, p.trajectory)
    assert p.arm.label in body and (p.arm.description in body)
    assert "Aanmelden voor een pilot" not in body  # running: no enrolment
    # Importing twice is refused, and the list is no longer handed out.
    again = _import(client, pilot, log, code)
    assert again.status_code == 400 and "al ingelezen" in again.content.decode()
    after = client.get(reverse("evaluation:pilot-participants", args=[pilot.pk]))
    assert after.status_code == 302


def test_refused_import_changes_nothing_and_names_the_problems(
    client: Client, lead: Any, enrolled: dict[str, Any], tmp_path: Path
) -> None:
    pilot = enrolled["pilot"]
    login(client, lead)
    log, _code = bsz_loting(_csv(client, pilot), tmp_path)
    wrong = "f" * 64
    response = _import(client, pilot, log, wrong)
    assert response.status_code == 400
    body = response.content.decode()
    assert "wijkt af van de elders vastgelegde waarde" in body and "Er is niets ingelezen" in body
    assert f'value="{wrong}"' in body  # the typed code stays
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.PREPARING and not pilot.allocation_head
    assert not PilotParticipant.objects.filter(arm__isnull=False).exists()
    refused = AuditEvent.objects.get(object_type="evaluation.Pilot", action="update")
    assert refused.details["outcome"] == "refused"
    bad = client.post(
        reverse("evaluation:pilot-import", args=[pilot.pk]),
        {"logboek": SimpleUploadedFile("x.jsonl", b"{}"), "controlecode": "abc"},
    )
    assert bad.status_code == 400 and "64 tekens" in bad.content.decode()


def test_import_refuses_a_log_of_other_participants(
    client: Client, lead: Any, enrolled: dict[str, Any], tmp_path: Path
) -> None:
    pilot = enrolled["pilot"]
    login(client, lead)
    listing = _csv(client, pilot)
    late = enrol(pilot, make_case(enrolled["consultants"][0]))  # after the download
    log, code = bsz_loting(listing, tmp_path)
    body = _import(client, pilot, log, code).content.decode()
    assert f"niet in de loting staan: {late.code}" in body and "Download de lijst opnieuw" in body
    assert not PilotParticipant.objects.filter(arm__isnull=False).exists()


def test_participant_without_arm_in_a_running_pilot_shows_niet_geloot(
    client: Client, lead: Any, enrolled: dict[str, Any], tmp_path: Path
) -> None:
    pilot = enrolled["pilot"]
    login(client, lead)
    log, code = bsz_loting(_csv(client, pilot), tmp_path)
    assert _import(client, pilot, log, code).status_code == 302
    consultant = enrolled["consultants"][0]
    case = make_case(consultant)
    PilotParticipant.objects.create(
        pilot=pilot, trajectory=case, code="LAAT2345", enrolled_on=date.today()
    )
    body = _resident(login(Client(), consultant), case)
    assert "niet geloot (aangemeld na de loting)" in body
    assert (
        "Niet geloot" in client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    )


def test_management_command_imports_the_log(
    client: Client, lead: Any, enrolled: dict[str, Any], tmp_path: Path
) -> None:
    pilot = enrolled["pilot"]
    login(client, lead)
    log, code = bsz_loting(_csv(client, pilot), tmp_path)
    with pytest.raises(CommandError, match="wijkt af"):
        call_command(
            "bsz_loting_inlezen", pilot=pilot.name, logboek=str(log), controlecode="a" * 64
        )
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("bsz_loting_inlezen", pilot="Onbekend", logboek=str(log), controlecode=code)
    with pytest.raises(CommandError, match="geen actieve teamleider"):
        call_command(
            "bsz_loting_inlezen",
            pilot=str(pilot.pk),
            logboek=str(log),
            controlecode=code,
            medewerker=enrolled["consultants"][0].username,
        )
    out = io.StringIO()
    call_command(
        "bsz_loting_inlezen",
        pilot=str(pilot.pk),
        logboek=str(log),
        controlecode=code,
        medewerker=lead.username,
        stdout=out,
    )
    assert "8 deelnemers hebben nu een arm" in out.getvalue()
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING and pilot.allocation_imported_by == lead
    with pytest.raises(CommandError, match="al ingelezen"):
        call_command("bsz_loting_inlezen", pilot=pilot.name, logboek=str(log), controlecode=code)


def test_pilot_pages_are_translated(client: Client, lead: Any) -> None:
    pilot = make_pilot(lead)
    login(client, lead)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Your team's pilots" in client.get(reverse("evaluation:pilots")).content.decode()
    body = client.get(reverse("evaluation:pilot", args=[pilot.pk])).content.decode()
    assert "Randomise outside the app" in body and "Import allocation" in body


def test_the_data_export_holds_the_pilot_participation(team: Any, lead: Any) -> None:
    """AVG art. 15: the resident's data name the pilot, the arm and both consents."""
    from bestaanszekerheid.web.privacy.export import resident_data

    pilot = make_pilot(lead)
    case = make_case(make_user(Role.CONSULTANT, team))
    participant = enrol(pilot, case)
    participant.arm = pilot.arms.get(is_control=True)
    participant.evaluation_consent_withdrawn_on = date.today()
    participant.save()
    (exported,) = resident_data(case.resident)["trajecten"]
    assert exported["pilots"] == [
        {
            "code": participant.code,
            "enrolled_on": date.today().isoformat(),
            "participation_withdrawn_on": None,
            "evaluation_consent_on": date.today().isoformat(),
            "evaluation_consent_withdrawn_on": date.today().isoformat(),
            "stratum": "",
            "pilot": pilot.name,
            "arm": participant.arm.label,
        }
    ]


def test_import_refuses_strata_the_app_did_not_hand_out(
    client: Client, lead: Any, enrolled: dict[str, Any], tmp_path: Path
) -> None:
    """The stratum goes into the evaluator's export: a name typed into the participant list
    (or any other stratum column) is refused, however well the log's chain holds."""
    pilot = enrolled["pilot"]
    login(client, lead)
    text = _csv(client, pilot)
    lines = text.splitlines()
    first = lines[1].split(";")
    lines[1] = f"{first[0]};Jan Jansen Kerkstraat 1"
    log, code = bsz_loting(
        "\n".join(lines) + "\n", tmp_path, "controle,extra", "--strata", "consulent"
    )
    response = _import(client, pilot, log, code)
    assert response.status_code == 400
    assert "niet dat van de deelnemerslijst" in response.content.decode()
    assert not PilotParticipant.objects.filter(pilot=pilot, arm__isnull=False).exists()
    assert not PilotParticipant.objects.filter(stratum__contains="Jansen").exists()
