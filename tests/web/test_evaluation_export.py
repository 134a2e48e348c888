"""The evaluation export (issue 16): four eyes, once-only download, a pseudonymised minimal
file that ``bsz effect`` reads, and no other role near it."""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from bestaanszekerheid.cli import app
from bestaanszekerheid.households.readers import read_table
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation import export_services as services
from bestaanszekerheid.web.evaluation.export_file import (
    BASE_COLUMNS,
    EvaluationKey,
    ExportKeyError,
    build_export,
    columns,
    evaluation_key,
    pseudonym,
)
from bestaanszekerheid.web.evaluation.models import (
    EvaluationExport,
    Measurement,
    MeasurementScore,
    Pilot,
    PilotArm,
    PilotParticipant,
    PilotStatus,
)
from bestaanszekerheid.web.plans.models import GoalStatus
from bestaanszekerheid.web.trajectories.models import TrajectoryRoute

from .factories import (
    login,
    make_case,
    make_conversation,
    make_goal,
    make_referral,
    make_team,
    make_user,
)

pytestmark = pytest.mark.django_db

KEY = "sleutel-van-de-gemeente-" + "k" * 20
SECRET_NAME = "Zeldzame Zwaantje"
SECRET_BSN = "111222333"
SECRET_NOTE = "notitie-over-de-schuld-bij-de-buurman"
SECRET_GOAL = "doeltekst-die-niet-mee-mag"
SECRET_PURPOSE = "effectmeting-volgens-plan-42"
CONSULTANT_NAME = "Unieknaam"
START = date.today() - timedelta(days=200)
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _key(settings: Any) -> None:
    settings.BSZ_EVALUATION_KEY = KEY
    settings.DEBUG = False


def _measure(trajectory: Any, taken_on: date, **scores: int) -> None:
    m = Measurement.objects.create(trajectory=trajectory, taken_on=taken_on, moment="vervolg")
    for item, score in scores.items():
        MeasurementScore.objects.create(measurement=m, item=item, score=score)


def _pilot(team: Any, lead: Any, status: str = PilotStatus.RUNNING) -> Pilot:
    pilot = Pilot.objects.create(
        name=f"Pilot {next(_codes)}",
        team=team,
        starts_on=START,
        outcome_measures=["zrm_financien", "schaal_regie"],
        analysis_plan="ITT, verschil op zrm_financien.",
        status=status,
        created_by=lead,
        allocation_head="c0ffee" * 10 + "abcd",
    )
    PilotArm.objects.create(
        pilot=pilot, code="controle", label="Gewone begeleiding", is_control=True
    )
    PilotArm.objects.create(pilot=pilot, code="intensief", label="Intensieve begeleiding")
    return pilot


def _participant(
    pilot: Pilot,
    consultant: Any,
    arm: str | None,
    *,
    consent: bool = True,
    stopped: bool = False,
    name: str | None = None,
    **resident: Any,
) -> PilotParticipant:
    trajectory = make_case(consultant, name=name, opened_on=START, **resident)
    return PilotParticipant.objects.create(
        pilot=pilot,
        trajectory=trajectory,
        code=f"PX-{next(_codes):04d}",
        enrolled_on=START + timedelta(days=5),
        evaluation_consent_on=START + timedelta(days=5) if consent else None,
        participation_withdrawn_on=START + timedelta(days=60) if stopped else None,
        arm=pilot.arms.get(code=arm) if arm else None,
        stratum="vrouw|jong",
    )


@pytest.fixture()
def world() -> dict[str, Any]:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    consultant = make_user(Role.CONSULTANT, team, last_name=CONSULTANT_NAME)
    pilot = _pilot(team, lead)
    main = _participant(pilot, consultant, "intensief", name=SECRET_NAME, bsn=SECRET_BSN)
    t = main.trajectory
    make_conversation(t, held_on=START + timedelta(days=10), notes=SECRET_NOTE)
    make_conversation(t, held_on=START + timedelta(days=40))
    make_conversation(t, held_on=START, notes="voor de aanmelding")  # before enrolment
    make_goal(t, description=SECRET_GOAL, status=GoalStatus.ACHIEVED)
    make_goal(t, description="nog een doel")
    make_referral(t)
    TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=START)
    _measure(t, START, zrm_financien=1)  # before enrolment: not in the window
    _measure(t, START + timedelta(days=6), zrm_financien=2, regie_1=2, regie_2=3)
    _measure(t, START + timedelta(days=90), zrm_financien=4, regie_1=4, regie_2=5)
    return {
        "team": team,
        "lead": lead,
        "consultant": consultant,
        "pilot": pilot,
        "main": main,
        "control": _participant(pilot, consultant, "controle"),
        "no_consent": _participant(pilot, consultant, "controle", consent=False),
        "no_arm": _participant(pilot, consultant, None),
        "analyst": make_user(Role.ANALYST),
        "officer": make_user(Role.PRIVACY_OFFICER),
    }


def _request(world: dict[str, Any], **extra: Any) -> EvaluationExport:
    return EvaluationExport.objects.create(
        pilot=world["pilot"],
        purpose=SECRET_PURPOSE,
        requested_by=world["analyst"],
        requested_at=timezone.now(),
        **extra,
    )


def _approved(world: dict[str, Any]) -> EvaluationExport:
    return services.approve(world["officer"], _request(world))


def _frame(content: bytes, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    return read_table(path)


def _download(client: Client, export: EvaluationExport) -> Any:
    return client.post(reverse("evaluation:export-download", args=[export.pk]))


# --- the workflow ---------------------------------------------------------------------------


def test_request_approve_download_once_through_the_pages(
    world: dict[str, Any], tmp_path: Path
) -> None:
    analyst = login(Client(), world["analyst"])
    response = analyst.post(
        reverse("evaluation:export-request"),
        {"pilot": world["pilot"].pk, "purpose": SECRET_PURPOSE},
    )
    export = EvaluationExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:export", args=[export.pk]
    )
    created = AuditEvent.objects.get(action="create", object_type="evaluation.EvaluationExport")
    assert created.details["pilot"] == world["pilot"].pk and created.actor == world["analyst"]
    assert SECRET_PURPOSE not in str(created.details)

    # Before approval: no file.
    assert _download(analyst, export).status_code == 403
    officer = login(Client(), world["officer"])
    page = officer.get(reverse("evaluation:export", args=[export.pk])).content.decode()
    assert SECRET_PURPOSE in page and "Goedkeuren" in page and "zrm_financien_start" in page
    assert officer.post(reverse("evaluation:export-approve", args=[export.pk])).status_code == 302
    approved = AuditEvent.objects.get(action="update", object_type="evaluation.EvaluationExport")
    assert approved.details["step"] == "approved" and approved.actor == world["officer"]

    response = _download(analyst, export)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    export.refresh_from_db()
    assert export.downloaded_at is not None
    assert export.n_rows == 2  # main and control; not the one without consent or without arm
    assert export.sha256 == hashlib.sha256(content).hexdigest()
    event = AuditEvent.objects.get(action="export", object_type="evaluation.EvaluationExport")
    assert event.actor == world["analyst"]
    assert event.details["n_rows"] == 2 and event.details["sha256"] == export.sha256
    assert event.details["pilot"] == world["pilot"].pk
    assert event.details["key"] == "BSZ_EVALUATION_KEY"
    assert SECRET_NAME not in str(event.details)
    assert len(_frame(content, tmp_path)) == 2

    # Once only, with a Dutch message and no file.
    again = _download(analyst, export)
    assert again.status_code == 403
    assert "al gedownload" in again.content.decode()
    assert not again["Content-Type"].startswith("text/csv")
    assert AuditEvent.objects.filter(action="export").count() == 1
    # The page shows what was handed out.
    page = analyst.get(reverse("evaluation:export", args=[export.pk])).content.decode()
    assert export.sha256 in page and "BSZ_EVALUATION_KEY" in page


def test_the_list_shows_the_analyst_their_own_and_the_officer_all(world: dict[str, Any]) -> None:
    mine = _request(world)
    other_analyst = make_user(Role.ANALYST)
    theirs = EvaluationExport.objects.create(
        pilot=world["pilot"],
        purpose="ander-doel",
        requested_by=other_analyst,
        requested_at=timezone.now(),
    )
    analyst = login(Client(), world["analyst"])
    response = analyst.get(reverse("evaluation:exports"))
    assert list(r["export"] for r in response.context["rows"]) == [mine]
    read = AuditEvent.objects.filter(action="read", object_type="evaluatie-exports").last()
    assert read is not None and read.details["exports"] == [mine.pk]
    officer = login(Client(), world["officer"])
    rows = officer.get(reverse("evaluation:exports")).context["rows"]
    assert {r["export"] for r in rows} == {mine, theirs}
    assert "14 dagen" in officer.get(reverse("evaluation:exports")).content.decode()


def test_the_requester_never_approves_even_in_the_service(world: dict[str, Any]) -> None:
    export = _request(world)
    analyst = login(Client(), world["analyst"])
    for name in ("evaluation:export-approve", "evaluation:export-reject"):
        assert analyst.post(reverse(name, args=[export.pk])).status_code == 403
    with pytest.raises(services.ExportNotAllowedError):
        services.approve(world["analyst"], export)
    # A privacy officer who asked (through the service nobody can, but the rule holds in the
    # service whatever the pages do) may not approve their own request.
    own = EvaluationExport.objects.create(
        pilot=world["pilot"],
        purpose="x",
        requested_by=world["officer"],
        requested_at=timezone.now(),
    )
    with pytest.raises(services.ExportNotAllowedError, match="nooit wie de export aanvroeg"):
        services.approve(world["officer"], own)
    with pytest.raises(services.ExportNotAllowedError):
        services.reject(world["officer"], own)
    export.refresh_from_db()
    own.refresh_from_db()
    assert export.approved_at is None and own.approved_at is None and own.rejected_at is None
    # Only an analyst can request.
    with pytest.raises(services.ExportNotAllowedError):
        services.request_export(world["officer"], world["pilot"], "doel")


def test_the_privacy_officer_and_other_analysts_cannot_download(world: dict[str, Any]) -> None:
    export = _approved(world)
    officer = login(Client(), world["officer"])
    assert _download(officer, export).status_code == 403
    other = login(Client(), make_user(Role.ANALYST))
    assert _download(other, export).status_code == 404
    assert other.get(reverse("evaluation:export", args=[export.pk])).status_code == 404
    assert other.get(reverse("evaluation:export-labels", args=[export.pk])).status_code == 404
    with pytest.raises(services.ExportNotAllowedError):
        services.download(world["officer"], export, date.today())
    export.refresh_from_db()
    assert export.downloaded_at is None and export.n_rows is None
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_rejected_request_has_no_file(world: dict[str, Any]) -> None:
    export = _request(world)
    officer = login(Client(), world["officer"])
    assert officer.post(reverse("evaluation:export-reject", args=[export.pk])).status_code == 302
    event = AuditEvent.objects.get(action="update", object_type="evaluation.EvaluationExport")
    assert event.details["step"] == "rejected"
    analyst = login(Client(), world["analyst"])
    response = _download(analyst, export)
    assert response.status_code == 403 and "afgewezen" in response.content.decode()
    assert analyst.get(reverse("evaluation:export-labels", args=[export.pk])).status_code == 403
    # Decided is decided: no approval after a rejection.
    with pytest.raises(services.ExportNotAllowedError, match="al besloten"):
        services.approve(world["officer"], export)


def test_a_request_expires_after_fourteen_days_pending(world: dict[str, Any]) -> None:
    old = _request(world)
    EvaluationExport.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - timedelta(days=services.REQUEST_DAYS, minutes=1)
    )
    old.refresh_from_db()
    assert services.state(old) == services.EXPIRED
    officer = login(Client(), world["officer"])
    response = officer.post(reverse("evaluation:export-approve", args=[old.pk]), follow=True)
    assert "verlopen" in response.content.decode()
    old.refresh_from_db()
    assert old.approved_at is None
    analyst = login(Client(), world["analyst"])
    assert _download(analyst, old).status_code == 403
    assert "verlopen zonder besluit" in analyst.get(reverse("evaluation:exports")).content.decode()
    # One minute short of the limit it is still pending.
    fresh = _request(world)
    EvaluationExport.objects.filter(pk=fresh.pk).update(
        requested_at=timezone.now() - timedelta(days=services.REQUEST_DAYS) + timedelta(minutes=1)
    )
    fresh.refresh_from_db()
    assert services.state(fresh) == services.PENDING


def test_only_pilots_with_an_allocation_can_be_requested(world: dict[str, Any]) -> None:
    preparing = _pilot(world["team"], world["lead"], status=PilotStatus.PREPARING)
    analyst = login(Client(), world["analyst"])
    response = analyst.post(
        reverse("evaluation:export-request"), {"pilot": preparing.pk, "purpose": "doel"}
    )
    assert response.status_code == 400
    assert "alleen pilots met een ingelezen loting" in response.content.decode()
    with pytest.raises(services.ExportNotAllowedError, match="geen loting"):
        services.request_export(world["analyst"], preparing, "doel")
    assert not EvaluationExport.objects.exists()


@pytest.mark.parametrize(
    ("purpose", "message"),
    [("", "Geef het doel van de export."), ("y" * 301, "niet meer dan 300 tekens")],
)
def test_invalid_request_keeps_the_text_and_says_why(
    world: dict[str, Any], purpose: str, message: str
) -> None:
    analyst = login(Client(), world["analyst"])
    response = analyst.post(
        reverse("evaluation:export-request"), {"pilot": world["pilot"].pk, "purpose": purpose}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and "Aanvraag niet opgeslagen" in body
    if purpose:
        assert purpose in body  # typed text kept
    assert not EvaluationExport.objects.exists()


# --- the file ---------------------------------------------------------------------------------


def test_the_file_holds_one_minimal_row_per_consenting_participant(
    world: dict[str, Any], tmp_path: Path
) -> None:
    export = _approved(world)
    built = services.download(world["analyst"], export, date.today())
    frame = _frame(built.content, tmp_path)
    assert list(frame.columns) == columns(world["pilot"])
    assert list(frame.columns[: len(BASE_COLUMNS)]) == list(BASE_COLUMNS)
    key = evaluation_key()
    main = frame.set_index("deelnemer").loc[
        pseudonym(key, world["pilot"].pk, world["main"].trajectory_id)
    ]
    assert main["arm"] == "intensief" and main["stratum"] == "vrouw|jong"
    # No exact dates: the month of enrolment and days (attacker review).
    assert main["aangemeld_maand"] == (START + timedelta(days=5)).strftime("%Y-%m")
    assert main["dagen_traject_voor_aanmelding"] == 5
    assert main["deelname_gestopt"] == 0 and main["afgesloten"] == 0
    routes = (main["route_kosten"], main["route_inkomen"], main["route_brede_verkenning"])
    assert routes == (1, 0, 0)
    assert main["contacten"] == 2  # the conversation before enrolment does not count
    assert main["verwijzingen"] == 1
    assert (main["doelen"], main["doelen_bereikt"], main["doel_bereikt"]) == (2, 1, 1)
    # Scores from enrolment on: the measurement before it is left out.
    assert main["zrm_financien_start"] == 2 and main["zrm_financien_eind"] == 4
    assert main["zrm_financien_verandering"] == 2
    assert main["zrm_financien_start_dag"] == 1  # the day after enrolment
    assert not any(str(v).count("-") == 2 for v in main.to_numpy())  # no ISO date anywhere
    assert main["schaal_regie_start"] == 2.5 and main["schaal_regie_eind"] == 4.5
    assert main["contacten_per_maand"] > 0
    # The control participant has no measurement: empty, not zero.
    control = frame.set_index("deelnemer").loc[
        pseudonym(key, world["pilot"].pk, world["control"].trajectory_id)
    ]
    assert pd.isna(control["zrm_financien_start"]) and pd.isna(control["zrm_financien_eind"])
    # Decimal comma and ';' as bsz effect's reader expects.
    text = built.content.decode("utf-8")
    assert text.splitlines()[0].startswith("deelnemer;arm;stratum;")
    assert ";2,5;" in text and ";4,5;" in text


def test_no_names_bsn_notes_codes_or_consultant_in_the_bytes(world: dict[str, Any]) -> None:
    built = services.download(world["analyst"], _approved(world), date.today())
    text = built.content.decode("utf-8")
    consultant = world["consultant"]
    for secret in (
        SECRET_NAME,
        "Zwaantje",
        SECRET_BSN,
        SECRET_NOTE,
        SECRET_GOAL,
        SECRET_PURPOSE,
        CONSULTANT_NAME,
        consultant.username,
        world["main"].code,
        world["control"].code,
        "Hulp bij post",  # the referral's reason
        "Gewone begeleiding",  # arm labels stay out: codes only
    ):
        assert secret not in text, secret
    # Not the raw ids either: the pseudonym is a keyed hash.
    assert f"{world['pilot'].pk}:{world['main'].trajectory_id}" not in text


def test_withdrawn_consent_between_approval_and_download_leaves_the_resident_out(
    world: dict[str, Any], tmp_path: Path
) -> None:
    export = _approved(world)
    main = world["main"]
    main.evaluation_consent_withdrawn_on = date.today()
    main.save()
    built = services.download(world["analyst"], export, date.today())
    frame = _frame(built.content, tmp_path)
    gone = pseudonym(evaluation_key(), world["pilot"].pk, main.trajectory_id)
    assert gone not in set(frame["deelnemer"]) and len(frame) == 1
    export.refresh_from_db()
    assert export.n_rows == 1


def test_stopped_participation_stays_in_with_the_flag(
    world: dict[str, Any], tmp_path: Path
) -> None:
    stopped = _participant(world["pilot"], world["consultant"], "intensief", stopped=True)
    built = services.download(world["analyst"], _approved(world), date.today())
    frame = _frame(built.content, tmp_path).set_index("deelnemer")
    row = frame.loc[pseudonym(evaluation_key(), world["pilot"].pk, stopped.trajectory_id)]
    assert row["deelname_gestopt"] == 1 and row["arm"] == "intensief"
    assert frame["deelname_gestopt"].sum() == 1


def test_pseudonym_is_stable_for_a_key_and_differs_across_keys(world: dict[str, Any]) -> None:
    pilot, today = world["pilot"], date.today()
    key = EvaluationKey(KEY.encode(), "BSZ_EVALUATION_KEY")
    first = build_export(pilot, key, today)
    assert build_export(pilot, key, today).content == first.content
    other = build_export(pilot, EvaluationKey(b"een-andere-sleutel-" + b"x" * 20, "x"), today)
    ids = {line.split(";")[0] for line in first.content.decode().splitlines()[1:]}
    other_ids = {line.split(";")[0] for line in other.content.decode().splitlines()[1:]}
    assert len(ids) == 2 and ids.isdisjoint(other_ids)
    expected = hmac.new(
        KEY.encode(), f"{pilot.pk}:{world['main'].trajectory_id}".encode(), hashlib.sha256
    ).hexdigest()[:16]
    assert expected in ids
    # The same trajectory in another pilot gets another pseudonym.
    assert pseudonym(key, pilot.pk + 1, world["main"].trajectory_id) not in ids


def test_without_a_key_the_download_is_refused_and_nothing_recorded(
    world: dict[str, Any], settings: Any
) -> None:
    export = _approved(world)
    settings.BSZ_EVALUATION_KEY = ""
    analyst = login(Client(), world["analyst"])
    response = _download(analyst, export)
    assert response.status_code == 503
    assert "BSZ_EVALUATION_KEY" in response.content.decode()
    export.refresh_from_db()
    assert export.downloaded_at is None and not AuditEvent.objects.filter(action="export")
    settings.BSZ_EVALUATION_KEY = "te-kort"
    with pytest.raises(ExportKeyError, match="te kort"):
        evaluation_key()
    # The approval still stands: with a key the download works.
    settings.BSZ_EVALUATION_KEY = KEY
    assert _download(analyst, export).status_code == 200


def test_demo_derives_a_key_and_the_page_says_so(world: dict[str, Any], settings: Any) -> None:
    settings.BSZ_EVALUATION_KEY = ""
    settings.DEBUG = True
    key = evaluation_key()
    assert key.is_demo and key.secret != settings.SECRET_KEY.encode()
    export = _approved(world)
    analyst = login(Client(), world["analyst"])
    assert _download(analyst, export).status_code == 200
    page = analyst.get(reverse("evaluation:export", args=[export.pk])).content.decode()
    assert "demo-omgeving" in page and key.fingerprint in page
    event = AuditEvent.objects.get(action="export", object_type="evaluation.EvaluationExport")
    assert event.details["key"] == "demo"


def test_labels_file_for_an_approved_export(world: dict[str, Any]) -> None:
    export = _request(world)
    analyst = login(Client(), world["analyst"])
    assert analyst.get(reverse("evaluation:export-labels", args=[export.pk])).status_code == 403
    services.approve(world["officer"], export)
    response = analyst.get(reverse("evaluation:export-labels", args=[export.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "intensief: Intensieve begeleiding" in text
    assert "zrm_financien_eind: Financiën (laatste meting)" in text
    assert "zrm_financien_start: Financiën (startmeting)" in text
    event = AuditEvent.objects.filter(action="export").last()
    assert event is not None and event.details["step"] == "labels"


def test_bsz_effect_reads_the_export_as_it_is(world: dict[str, Any], tmp_path: Path) -> None:
    pilot, consultant = world["pilot"], world["consultant"]
    for i in range(24):
        arm = "controle" if i % 2 else "intensief"
        p = _participant(pilot, consultant, arm)
        start = 1 + i % 3
        _measure(p.trajectory, START + timedelta(days=7), zrm_financien=start, regie_1=2, regie_2=3)
        end = min(5, start + (2 if arm == "intensief" else 0) + i % 2)
        _measure(p.trajectory, START + timedelta(days=100), zrm_financien=end, regie_1=3, regie_2=4)
    # Everyone in the file has both measurements (bsz effect refuses 1 to 9 missing per arm).
    world["control"].evaluation_consent_withdrawn_on = date.today()
    world["control"].save()
    export = _approved(world)
    analyst = login(Client(), world["analyst"])
    labels = analyst.get(reverse("evaluation:export-labels", args=[export.pk])).content
    content = _download(analyst, export).content
    (tmp_path / "export.csv").write_bytes(content)
    (tmp_path / "labels.yaml").write_bytes(labels)
    out = tmp_path / "resultaten"
    result = CliRunner().invoke(
        app,
        [
            "effect",
            "--input",
            str(tmp_path / "export.csv"),
            "--arm",
            "arm",
            "--controle",
            "controle",
            "--uitkomst",
            "zrm_financien_eind,schaal_regie_eind",
            "--covariaten",
            "zrm_financien_start",
            "--id",
            "deelnemer",
            "--labels",
            str(tmp_path / "labels.yaml"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(out / "effecten.csv", sep=";", decimal=",")
    assert len(effects) == 2  # one arm against control, two outcomes
    assert "Financiën (laatste meting)" in (out / "samenvatting.txt").read_text(encoding="utf-8")
    assert "Intensieve begeleiding" in result.output
    frame = pd.read_csv(io.BytesIO(content), sep=";", decimal=",")
    assert len(frame) == 25 and frame["arm"].value_counts().to_dict() == {
        "intensief": 13,
        "controle": 12,
    }


def test_every_column_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs/effectmeting.md").read_text()
    section = doc.split("## Invoer uit Het goede gesprek", 1)[1]
    for name in (*BASE_COLUMNS, "<code>_start", "<code>_eind", "<code>_verandering"):
        assert f"`{name}`" in section, name


# --- access -----------------------------------------------------------------------------------

# (method, url name, takes the export's pk)
URLS = [
    ("get", "evaluation:exports", False),
    ("get", "evaluation:export-request", False),
    ("post", "evaluation:export-request", False),
    ("get", "evaluation:export", True),
    ("post", "evaluation:export-approve", True),
    ("post", "evaluation:export-reject", True),
    ("post", "evaluation:export-download", True),
    ("get", "evaluation:export-labels", True),
]
NO_ACCESS = [Role.CONSULTANT, Role.TEAM_LEAD, Role.FUNCTIONAL_ADMIN]


def _call(client: Client, method: str, name: str, export: EvaluationExport, pk: bool) -> Any:
    url = reverse(name, args=[export.pk] if pk else [])
    if method == "get":
        return client.get(url)
    return client.post(url, {"pilot": export.pilot_id, "purpose": "doel"})


@pytest.mark.parametrize("role", NO_ACCESS)
@pytest.mark.parametrize(("method", "name", "pk"), URLS)
def test_other_roles_get_403_everywhere(
    world: dict[str, Any], role: str, method: str, name: str, pk: bool
) -> None:
    export = _approved(world)
    client = login(Client(), make_user(role, world["team"]))
    response = _call(client, method, name, export, pk)
    assert response.status_code == 403
    body = response.content.decode()
    assert SECRET_PURPOSE not in body and "deelnemer;arm" not in body
    export.refresh_from_db()
    assert export.downloaded_at is None
    assert EvaluationExport.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "method", "name", "status"),
    [
        ("officer", "get", "evaluation:export-request", 403),
        ("officer", "post", "evaluation:export-request", 403),
        ("officer", "post", "evaluation:export-download", 403),
        ("officer", "get", "evaluation:export-labels", 403),
        ("analyst", "post", "evaluation:export-approve", 403),
        ("analyst", "post", "evaluation:export-reject", 403),
        ("other analyst", "get", "evaluation:export", 404),
        ("other analyst", "post", "evaluation:export-download", 404),
        ("other analyst", "get", "evaluation:export-labels", 404),
    ],
)
def test_the_two_roles_only_where_they_belong(
    world: dict[str, Any], who: str, method: str, name: str, status: int
) -> None:
    export = _approved(world)
    user = {"officer": world["officer"], "analyst": world["analyst"]}.get(who) or make_user(
        Role.ANALYST
    )
    takes_pk = name != "evaluation:export-request"
    response = _call(login(Client(), user), method, name, export, takes_pk)
    assert response.status_code == status
    assert SECRET_PURPOSE not in response.content.decode()
    export.refresh_from_db()
    assert export.downloaded_at is None and EvaluationExport.objects.count() == 1


def test_detail_pages_are_audited_reads(world: dict[str, Any]) -> None:
    export = _request(world)
    officer = login(Client(), world["officer"])
    officer.get(reverse("evaluation:export", args=[export.pk]))
    event = AuditEvent.objects.filter(action="read", object_type="evaluation.EvaluationExport")
    assert event.get().actor == world["officer"]


def test_the_menu_links_the_exports_for_analyst_and_privacy_officer(
    world: dict[str, Any],
) -> None:
    url = reverse("evaluation:exports")
    for user in (world["analyst"], world["officer"]):
        body = login(Client(), user).get(reverse("evaluation:exports")).content.decode()
        assert f'href="{url}"' in body
    body = login(Client(), world["lead"]).get(reverse("casework:dashboard")).content.decode()
    assert f'href="{url}"' not in body


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_export_pages_fit_a_phone_and_pass_axe(
    live_server: Any, settings: Any, tmp_path: Path, world: dict[str, Any]
) -> None:
    import os

    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium, log_in, open_app_page, wcag_problems

    from .factories import PASSWORD, authenticator

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    pending = _request(world)
    done = _approved(world)
    services.download(world["analyst"], done, date.today())
    shots = Path(os.environ.get("BSZ_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict[str, tuple[int, list[Any]]] = {}
    # Read from the database before playwright's event loop runs in this thread.
    codes = {who: authenticator(world[who]) for who in ("officer", "analyst")}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for who, pages in (
                ("officer", [("exports", []), ("export", [pending.pk])]),
                ("analyst", [("export", [done.pk]), ("export-request", [])]),
            ):
                user = world[who]
                app = open_app_page(browser, live_server.url)
                page = app.page
                page.set_viewport_size({"width": 360, "height": 740})
                log_in(page, live_server.url, user.username, PASSWORD, codes[who])
                for name, args in pages:
                    page.goto(f"{live_server.url}{reverse(f'evaluation:{name}', args=args)}")
                    page.locator("h1").first.wait_for()
                    shot = f"{name}-{who}-360.png"
                    page.screenshot(path=str(shots / shot), full_page=True)
                    seen[shot] = (
                        page.evaluate("document.documentElement.scrollWidth"),
                        wcag_problems(page),
                    )
                assert app.blocked == [] and app.console_errors == []
                page.close()
        finally:
            browser.close()
    for shot, (widest, problems) in seen.items():
        assert widest <= 360, shot
        assert problems == [], shot
