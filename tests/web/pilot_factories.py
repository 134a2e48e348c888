"""Factories for the pilot tests: a pilot with arms, enrolled participants, a real loting."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bestaanszekerheid.cli import app as bsz
from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.evaluation import pilot_services
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.trajectories.models import Trajectory

ARMS = (
    {
        "code": "controle",
        "label": "Gewone begeleiding",
        "is_control": True,
        "description": "Zoals altijd",
        "planned_contacts_per_month": 1,
    },
    {
        "code": "extra",
        "label": "Extra begeleiding",
        "is_control": False,
        "description": "Elke week een gesprek",
        "planned_contacts_per_month": 4,
    },
)


def make_pilot(lead: User, name: str = "Pilot Regie", arms: Any = ARMS) -> Pilot:
    pilot = Pilot(
        name=name,
        starts_on=date.today(),
        outcome_measures=["schaal_regie"],
        analysis_plan="Eigen regie na zes maanden, per arm vergeleken met bsz effect.",
    )
    return pilot_services.create_pilot(lead, pilot, arms)


def enrol(
    pilot: Pilot, trajectory: Trajectory, consent: bool = True, days_ago: int = 0
) -> PilotParticipant:
    participant = pilot_services.enrol(
        trajectory.consultant,
        pilot,
        trajectory,
        evaluation_consent_on=date.today() if consent else None,
    )
    if days_ago:
        participant.enrolled_on = date.today() - timedelta(days=days_ago)
        participant.save(update_fields=["enrolled_on"])
    return participant


def bsz_loting(
    csv_text: str, tmp_path: Path, arms: str = "controle,extra", *extra: str
) -> tuple[Path, str]:
    """Run the real ``bsz loting`` on a downloaded participant list; (log, control code)."""
    source = tmp_path / "deelnemers.csv"
    source.write_text(csv_text, encoding="utf-8")
    out = tmp_path / "loting"
    args = [
        "loting",
        "--input",
        str(source),
        "--id",
        "deelnemer",
        "--armen",
        arms,
        "--seed",
        "2026",
        "--out",
        str(out),
        *extra,
    ]
    result = CliRunner().invoke(bsz, args)
    assert result.exit_code == 0, result.output
    head = re.search(r"Controlecode[^:]*:\s*([0-9a-f]{64})", result.output)
    assert head is not None, result.output
    return out / "lotingslogboek.jsonl", head.group(1)


def start_without_loting(pilot: Pilot, arm: str = "extra") -> Pilot:
    """The pilot running as if its loting were imported, every participant in ``arm`` (tests
    of what follows the loting; the import itself is tested with a real run)."""
    PilotParticipant.objects.filter(pilot=pilot).update(arm=pilot.arms.get(code=arm))
    Pilot.objects.filter(pk=pilot.pk).update(status=PilotStatus.RUNNING, allocation_head="a" * 64)
    pilot.refresh_from_db()
    return pilot
