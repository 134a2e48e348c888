"""Issue 16 end to end: from casework to evidence, through the app's own pages.

``bsz loting`` on the participant list the app hands out -> import of its log (verified
against the control code) -> intake and follow-up measurements typed into the measurement
form -> an export the privacy officer approves -> ``bsz effect`` on the downloaded file. The
synthetic data have a planted effect of +1 point on "eigen regie" in the intervention arm;
the estimate's 95% interval must contain it and exclude zero. Without approval there is no
file, and a consent withdrawn on the resident page keeps that resident out of the next export.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from bestaanszekerheid.cli import app as bsz
from bestaanszekerheid.households.readers import read_table
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.evaluation.export_file import evaluation_key, pseudonym
from bestaanszekerheid.web.evaluation.models import EvaluationExport, PilotParticipant
from tests.web.factories import login, make_case, make_team, make_user
from tests.web.pilot_factories import bsz_loting

pytestmark = pytest.mark.django_db

PLANTED = 1.0  # points on the 1-5 scale "eigen regie", intervention arm minus control
N_PER_CONSULTANT = 24
ENROLLED_DAYS_AGO = 120


@pytest.fixture()
def key(settings: Any) -> None:
    settings.BSZ_EVALUATION_KEY = "k" * 40
    settings.DEBUG = False


def _new_pilot(lead_client: Client) -> int:
    response = lead_client.post(
        reverse("evaluation:pilot-create"),
        {
            "name": "Pilot Regie in eigen hand",
            "starts_on": date.today().isoformat(),
            "outcome_measures": ["schaal_regie", "zrm_financien"],
            "analysis_plan": "Eigen regie na vier maanden, extra begeleiding tegen gewoon.",
            **_arm_rows(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].rstrip("/").split("/")[-1])


def _arm_rows() -> dict[str, str]:
    """The pilot form's arm rows, read from the form itself so the test follows its names."""
    from bestaanszekerheid.web.evaluation.pilot_forms import arm_formset

    prefix = arm_formset().prefix
    rows = [
        ("controle", "Gewone begeleiding", True, "1"),
        ("extra", "Extra begeleiding", False, "3"),
    ]
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "2",
        f"{prefix}-MAX_NUM_FORMS": "6",
    }
    for i, (code, label, control, planned) in enumerate(rows):
        data |= {
            f"{prefix}-{i}-code": code,
            f"{prefix}-{i}-label": label,
            f"{prefix}-{i}-description": label,
            f"{prefix}-{i}-planned_contacts_per_month": planned,
        }
        if control:
            data[f"{prefix}-{i}-is_control"] = "on"
    return data


def _enrol(client: Client, trajectory: Any, pilot_id: int) -> None:
    response = client.post(
        reverse("evaluation:pilot-enrol", args=[trajectory.pk]),
        {
            "pilot-pilot": str(pilot_id),
            "pilot-participation": "on",
            "pilot-evaluation_consent": "ja",
            "pilot-evaluation_consent_on": date.today().isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _measure(client: Client, trajectory: Any, taken_on: date, moment: str, regie: int) -> None:
    """One measurement through the form: "eigen regie" (two statements) and a ZRM domain."""
    response = client.post(
        reverse("evaluation:measurement-create", args=[trajectory.pk]),
        {
            "taken_on": taken_on.isoformat(),
            "moment": moment,
            "item_regie_1": str(regie),
            "item_regie_2": str(regie),
            "item_zrm_financien": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def _export(analyst: Client, officer: Client, pilot_id: int) -> bytes:
    analyst.post(
        reverse("evaluation:export-request"),
        {"pilot": pilot_id, "purpose": "Effectmeting pilot Regie (analyseplan)"},
    )
    export = EvaluationExport.objects.latest("id")
    # No approval, no file.
    assert analyst.post(reverse("evaluation:export-download", args=[export.pk])).status_code == 403
    assert officer.post(reverse("evaluation:export-approve", args=[export.pk])).status_code == 302
    response = analyst.post(reverse("evaluation:export-download", args=[export.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return response.content


def test_loting_import_measurements_export_and_bsz_effect_recover_the_planted_effect(
    key: None, tmp_path: Path
) -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultants = [make_user(Role.CONSULTANT, team) for _ in range(2)]
    lead_client = login(Client(), lead)
    clients = {c.pk: login(Client(), c) for c in consultants}
    pilot_id = _new_pilot(lead_client)

    # Consultants enrol their residents on the resident page (consent for evaluation: yes).
    cases = [make_case(c) for c in consultants for _ in range(N_PER_CONSULTANT)]
    for case in cases:
        _enrol(clients[case.consultant_id], case, pilot_id)
    # The pilot started four months ago (time travel the forms cannot do).
    start = date.today() - timedelta(days=ENROLLED_DAYS_AGO)
    PilotParticipant.objects.filter(pilot_id=pilot_id).update(enrolled_on=start)

    # Randomise outside the app, stratified by consultant, and import the log.
    participants_csv = lead_client.get(
        reverse("evaluation:pilot-participants", args=[pilot_id])
    ).content.decode()
    log, code = bsz_loting(participants_csv, tmp_path, "controle,extra", "--strata", "consulent")
    upload = SimpleUploadedFile("lotingslogboek.jsonl", log.read_bytes())
    response = lead_client.post(
        reverse("evaluation:pilot-import", args=[pilot_id]),
        {"logboek": upload, "controlecode": code},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    # Work: an intake at enrolment and a follow-up today, typed into the form by the
    # resident's consultant, who sees the arm on the resident page.
    # The same baselines and noise in each arm whatever the loting drew: the participant
    # codes (and so the allocation) differ from run to run, and noise drawn in case order
    # let the interval miss the planted effect about one run in twenty.
    seen: dict[str, int] = {}
    arms = dict(
        PilotParticipant.objects.filter(pilot_id=pilot_id).values_list("trajectory_id", "arm__code")
    )
    assert sorted(arms.values()).count("extra") == len(cases) // 2
    for case in cases:
        client = clients[case.consultant_id]
        page = client.get(reverse("casework:resident", args=[case.resident_id])).content
        label = "Extra begeleiding" if arms[case.pk] == "extra" else "Gewone begeleiding"
        assert label.encode() in page
        i = seen[arms[case.pk]] = seen.get(arms[case.pk], -1) + 1
        baseline = (2, 3)[i % 2]
        lift = int(PLANTED) if arms[case.pk] == "extra" else 0
        follow_up = baseline + lift + (-1, 0, 1)[(i // 2) % 3]
        _measure(client, case, start, "intake", baseline)
        _measure(client, case, date.today(), "vervolg", follow_up)

    # The evaluator's export, approved by the privacy officer.
    analyst = login(Client(), make_user(Role.ANALYST))
    officer = login(Client(), make_user(Role.PRIVACY_OFFICER))
    content = _export(analyst, officer, pilot_id)
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    frame = read_table(path)
    assert len(frame) == len(cases)
    assert {"deelnemer", "arm", "schaal_regie_start", "schaal_regie_eind"} <= set(frame.columns)

    # bsz effect reads the file as it is.
    out = tmp_path / "effect"
    result = CliRunner().invoke(
        bsz,
        [
            "effect", "--input", str(path), "--arm", "arm", "--controle", "controle",
            "--uitkomst", "schaal_regie_eind", "--covariaten", "schaal_regie_start",
            "--strata", "stratum", "--id", "deelnemer", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(out / "effecten.csv", sep=";", decimal=",")
    row = effects.iloc[0]
    assert row["Ondergrens 95%-BI"] <= PLANTED <= row["Bovengrens 95%-BI"], row.to_dict()
    assert row["Ondergrens 95%-BI"] > 0, row.to_dict()  # the effect is found, not only allowed

    # A consent withdrawn on the resident page: out of the next export.
    leaving = cases[0]
    participant = PilotParticipant.objects.get(pilot_id=pilot_id, trajectory=leaving)
    response = clients[leaving.consultant_id].post(
        reverse("evaluation:pilot-consent", args=[participant.pk]),
        {f"consent{participant.pk}-confirm": "on", "actie": "intrekken"},
    )
    assert response.status_code == 302
    second = pd.read_csv(io.BytesIO(_export(analyst, officer, pilot_id)), sep=";", dtype=str)
    gone = pseudonym(evaluation_key(), pilot_id, leaving.pk)
    assert gone in set(frame["deelnemer"]) and gone not in set(second["deelnemer"])
    assert len(second) == len(cases) - 1


def test_the_export_command_downloads_once_as_the_requester(key: None, tmp_path: Path) -> None:
    """``django-admin bsz_evaluatie_export`` (the README's step 4): the same rules as the page."""
    from django.core.management import CommandError, call_command

    from bestaanszekerheid.web.evaluation import export_services
    from bestaanszekerheid.web.evaluation.models import PilotStatus
    from tests.web.pilot_factories import enrol, make_pilot

    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team)
    pilot = make_pilot(lead)
    arms = list(pilot.arms.order_by("code"))
    for i in range(4):
        participant = enrol(pilot, make_case(consultant), days_ago=30)
        participant.arm = arms[i % 2]
        participant.save(update_fields=["arm"])
    pilot.status = PilotStatus.RUNNING
    pilot.save(update_fields=["status"])
    analyst, officer = make_user(Role.ANALYST), make_user(Role.PRIVACY_OFFICER)
    export = export_services.request_export(analyst, pilot, "Effectmeting")
    out = tmp_path / "export.csv"
    args = ["bsz_evaluatie_export", "--aanvraag", str(export.pk), "--uit", str(out)]
    with pytest.raises(CommandError, match="niet goedgekeurd"):
        call_command(*args, "--medewerker", analyst.username)
    assert not out.exists()
    export_services.approve(officer, export)
    with pytest.raises(CommandError, match="Alleen de analist die de export aanvroeg"):
        call_command(*args, "--medewerker", make_user(Role.ANALYST).username)
    call_command(*args, "--medewerker", analyst.username, "--labels", str(tmp_path / "l.yaml"))
    assert len(read_table(out)) == 4 and "Gewone begeleiding" in (tmp_path / "l.yaml").read_text()
    export.refresh_from_db()
    assert export.downloaded_at is not None and export.n_rows == 4
    from bestaanszekerheid.web.audit.models import AuditEvent

    steps = {
        e.details["step"]: e.details
        for e in AuditEvent.objects.filter(action="export", object_id=str(export.pk))
    }
    assert steps["downloaded"]["channel"] == "commandline" and steps["downloaded"]["os_user"]
    assert steps["labels"]["channel"] == "commandline"
    out.unlink()
    with pytest.raises(CommandError, match="al gedownload"):
        call_command(*args, "--medewerker", analyst.username)
    assert not out.exists()


def test_an_approval_lapses_after_a_week_without_download(key: None, tmp_path: Path) -> None:
    """The file is built at download: an approval must not cover data months later."""
    from django.utils import timezone

    from bestaanszekerheid.web.evaluation import export_services
    from bestaanszekerheid.web.evaluation.models import PilotStatus
    from tests.web.pilot_factories import make_pilot

    team = make_team()
    pilot = make_pilot(make_user(Role.TEAM_LEAD, team))
    pilot.status = PilotStatus.RUNNING
    pilot.save(update_fields=["status"])
    analyst = make_user(Role.ANALYST)
    export = export_services.request_export(analyst, pilot, "Effectmeting")
    export = export_services.approve(make_user(Role.PRIVACY_OFFICER), export)
    assert export_services.state(export) == export_services.APPROVED
    export.approved_at = timezone.now() - timedelta(days=export_services.APPROVAL_DAYS, hours=1)
    export.save(update_fields=["approved_at"])
    assert export_services.state(export) == export_services.LAPSED
    client = login(Client(), analyst)
    response = client.post(reverse("evaluation:export-download", args=[export.pk]))
    assert response.status_code == 403 and "goedkeuring is verlopen" in response.content.decode()
    assert "goedkeuring verlopen" in client.get(reverse("evaluation:exports")).content.decode()
    export.refresh_from_db()
    assert export.downloaded_at is None
