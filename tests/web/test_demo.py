"""The demo organisation: one user per role with TOTP, synthetic residents only, idempotent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bestaanszekerheid.cli import app as bsz
from bestaanszekerheid.experiments import estimate_effects
from bestaanszekerheid.households.readers import read_table
from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.demo import create_demo
from bestaanszekerheid.web.evaluation import pilot_demo
from bestaanszekerheid.web.evaluation.export_file import EvaluationKey, build_export
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.residents.models import Resident

pytestmark = pytest.mark.django_db


def test_demo_organisation() -> None:
    accounts = create_demo(date(2025, 6, 1))
    assert {a.role for a in accounts} == set(Role.values)
    assert all(
        a.otpauth_uri.startswith("otpauth://totp/") and len(a.otp_secret_b32) >= 16
        for a in accounts
    )
    n = Resident.objects.count()
    assert 60 <= n <= 80 and Resident.objects.filter(synthetic=False).count() == 0
    again = create_demo(date(2025, 6, 1))
    assert Resident.objects.count() == n  # a second start adds nothing
    user = User.objects.get(username=again[0].username)
    assert user.check_password(again[0].password) and not user.check_password(accounts[0].password)


def test_demo_pilots_one_running_with_its_planted_effect_one_in_preparation(
    tmp_path: Path,
) -> None:
    """The running demo pilot was randomised by the library's loting and imported; its
    export, as the privacy officer would release it, shows the planted +1 on "eigen regie"
    when estimated the way ``bsz effect`` does. The other pilot waits for its loting."""
    today = date.today()
    create_demo(today)
    running = Pilot.objects.get(name=pilot_demo.RUNNING)
    assert running.status == PilotStatus.RUNNING and running.synthetic
    assert running.allocation_head and running.allocation_design["strata"] == ["consulent"]
    participants = PilotParticipant.objects.filter(pilot=running)
    assert participants.count() == pilot_demo.PARTICIPANTS
    assert participants.filter(arm__isnull=True).count() == 0
    assert participants.filter(participation_withdrawn_on__isnull=False).count() == 2
    file = build_export(running, EvaluationKey(b"d" * 40), today)
    path = tmp_path / "export.csv"
    path.write_bytes(file.content)
    frame = read_table(path)
    assert (
        len(frame)
        == participants.filter(
            evaluation_consent_on__isnull=False, evaluation_consent_withdrawn_on__isnull=True
        ).count()
    )
    effect = estimate_effects(
        frame,
        outcomes=["schaal_regie_eind"],
        arm="arm",
        control="controle",
        covariates=["schaal_regie_start"],
    ).effects[0]
    # The participant numbers are random, so each demo draws another allocation: the planted
    # point within four standard errors (never fails by chance), and clearly above zero.
    assert abs(effect.estimate - 1.0) < 4 * effect.std_error and effect.ci_low > 0
    # bsz effect on the file says, everywhere, that the participants are made up.
    out = tmp_path / "effect"
    result = CliRunner().invoke(
        bsz,
        ["effect", "--input", str(path), "--arm", "arm", "--controle", "controle",
         "--uitkomst", "schaal_regie_eind", "--id", "deelnemer", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Synthetische gegevens")
    assert "Synthetische gegevens" in (out / "effectmeting.html").read_text(encoding="utf-8")
    assert "Synthetische gegevens" in (out / "samenvatting.txt").read_text(encoding="utf-8")
    # The dose differs by arm as planned: about three contacts a month against one.
    per_arm = frame.groupby("arm")["contacten_per_maand"].mean()
    assert per_arm["extra"] > 2 * per_arm["controle"]
    preparing = Pilot.objects.get(name=pilot_demo.PREPARING)
    assert preparing.status == PilotStatus.PREPARING
    assert PilotParticipant.objects.filter(pilot=preparing, arm__isnull=True).count() == 12
