"""Two synthetic pilots for the demo organisation (``bsz web --demo``, issue 16).

* **Pilot Regie in eigen hand (demo)**, running: about 40 of the team's trajectories were
  enrolled 20 weeks ago, randomised with the library's own ``bsz loting`` code (stratified by
  consultant) and the log imported as a team lead would. Each participant has a measurement
  at enrolment and one in the last weeks; the arm "extra begeleiding" gets about three
  contacts a month instead of one and, planted, one point more on the scales "eigen regie"
  and "actie ondernemen". A few residents stopped taking part (they stay in the evaluation,
  intention to treat) and a few gave no consent for evaluation (they never leave the app).
  The analyst can request an export and the privacy officer approve it: ``bsz effect`` on
  the file finds the planted effect.
* **Pilot Vroeg erop af (demo)**, in preparation: a dozen residents enrolled, so that the
  participant list, ``bsz loting`` and the import can be tried (docs/web/pilots.md).

Everything is made through the pilot services (with their audit events); only the dates are
moved into the past, which no page can do. A generator of its own keeps the rest of the demo
as it was.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pandas as pd

from bestaanszekerheid.experiments import randomise
from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.conversations.models import Channel, Conversation, Theme
from bestaanszekerheid.web.evaluation import pilot_services
from bestaanszekerheid.web.evaluation.instruments import SCORE_MAX, SCORE_MIN
from bestaanszekerheid.web.evaluation.models import (
    Measurement,
    MeasurementScore,
    Moment,
    Pilot,
    PilotParticipant,
)
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

RUNNING = "Pilot Regie in eigen hand (demo)"
PREPARING = "Pilot Vroeg erop af (demo)"
ARMS = (
    {
        "code": "controle",
        "label": "Gewone begeleiding",
        "is_control": True,
        "description": "De vaste consulent, ongeveer één contact per maand.",
        "planned_contacts_per_month": 1,
    },
    {
        "code": "extra",
        "label": "Extra begeleiding",
        "is_control": False,
        "description": "De vaste consulent, ongeveer drie contacten per maand, ook thuis.",
        "planned_contacts_per_month": 3,
    },
)
PILOT_WEEKS = 20
PARTICIPANTS = 40
#: The planted effect of "extra" on each statement of these scales (points, 1-5).
PLANTED = {"regie_1": 1, "regie_2": 1, "actie_1": 1, "actie_2": 1}
ITEMS = ("regie_1", "regie_2", "actie_1", "actie_2", "gehoord_1", "gehoord_2", "zrm_financien")


def _clamp(value: int) -> int:
    return max(SCORE_MIN, min(SCORE_MAX, value))


def _pilot(lead: User, name: str, starts_on: date, measures: list[str], plan: str) -> Pilot:
    pilot = Pilot(
        name=name,
        starts_on=starts_on,
        outcome_measures=measures,
        analysis_plan=plan,
        synthetic=True,
    )
    return pilot_services.create_pilot(lead, pilot, ARMS)


def _measure(trajectory: Trajectory, taken_on: date, moment: str, scores: dict[str, int]) -> None:
    measurement = Measurement.objects.create(
        trajectory=trajectory, taken_on=taken_on, moment=moment, recorded_by=trajectory.consultant
    )
    MeasurementScore.objects.bulk_create(
        MeasurementScore(measurement=measurement, item=item, score=score)
        for item, score in scores.items()
    )


def _contacts(trajectory: Trajectory, start: date, today: date, per_month: int) -> None:
    """Conversations from ``start`` on, about ``per_month`` a month (the dose of the arm)."""
    step = timedelta(days=round(30 / per_month))
    held = start + step
    while held <= today:
        Conversation.objects.create(
            trajectory=trajectory,
            held_on=held,
            channel=Channel.DOOR if per_month > 1 else Channel.PHONE,
            themes=[Theme.MONEY],
            recorded_by=trajectory.consultant,
        )
        held += step


def _allocate(lead: User, pilot: Pilot, seed: int) -> None:
    """Randomise the participant list with the library's loting and import its log."""
    rows = pilot_services.participant_list(pilot)
    frame = pd.DataFrame(rows, columns=["deelnemer", "consulent"])
    allocation = randomise(
        frame,
        unit="deelnemer",
        arms=[str(a["code"]) for a in ARMS],
        strata=["consulent"],
        seed=seed,
    )
    text = "\n".join(json.dumps(e, ensure_ascii=False) for e in allocation.log.entries)
    pilot_services.import_allocation(lead, pilot, text, allocation.log.head)


def _running_pilot(lead: User, team_id: int, today: date, rng: random.Random, seed: int) -> None:
    start = today - timedelta(weeks=PILOT_WEEKS)
    pilot = _pilot(
        lead,
        RUNNING,
        start,
        ["schaal_regie", "schaal_actie", "schaal_gehoord", "zrm_financien"],
        "Eigen regie en actie ondernemen na 20 weken, extra begeleiding tegen gewone "
        "begeleiding, intention-to-treat met de startscore als covariaat (bsz effect).",
    )
    eligible = Trajectory.objects.filter(
        consultant__team_id=team_id, status=TrajectoryStatus.OPEN, opened_on__lte=start
    ).select_related("consultant")
    for trajectory in list(eligible.order_by("id"))[:PARTICIPANTS]:
        consent = start if rng.random() < 0.9 else None
        pilot_services.enrol(
            trajectory.consultant, pilot, trajectory, evaluation_consent_on=consent
        )
    PilotParticipant.objects.filter(pilot=pilot).update(enrolled_on=start)
    _allocate(lead, pilot, seed)
    participants = PilotParticipant.objects.filter(pilot=pilot).select_related(
        "arm", "trajectory__consultant"
    )
    for participant in participants.order_by("code"):
        trajectory = participant.trajectory
        extra = participant.arm is not None and not participant.arm.is_control
        # The pilot's own measurements replace the demo's regular ones in its window.
        Measurement.objects.filter(trajectory=trajectory, taken_on__gte=start).delete()
        # From 2 to 3, so that a step of -1 or +1 and the planted point never leave 1-5:
        # no clamping, and the planted effect is exactly what the arms differ by.
        baseline = {item: rng.randint(2, 3) for item in ITEMS}
        _measure(trajectory, start, Moment.FOLLOW_UP, baseline)
        later = {
            item: _clamp(score + rng.choice((-1, 0, 0, 1)) + (PLANTED.get(item, 0) if extra else 0))
            for item, score in baseline.items()
        }
        _measure(trajectory, today - timedelta(days=rng.randint(0, 14)), Moment.FOLLOW_UP, later)
        _contacts(trajectory, start, today, 3 if extra else 1)
    # Two residents stopped taking part; they stay in the evaluation as randomised.
    for participant in participants.order_by("code")[:2]:
        pilot_services.stop_participation(participant.trajectory.consultant, participant)


def _preparing_pilot(lead: User, team_id: int, today: date) -> None:
    pilot = _pilot(
        lead,
        PREPARING,
        today + timedelta(weeks=2),
        ["schaal_belemmeringen", "zrm_financien"],
        "Minder praktische belemmeringen na een half jaar, huisbezoek tegen gewone "
        "begeleiding (bsz effect, intention-to-treat).",
    )
    taken = PilotParticipant.objects.values_list("trajectory_id", flat=True)
    free = (
        Trajectory.objects.filter(consultant__team_id=team_id, status=TrajectoryStatus.OPEN)
        .exclude(pk__in=taken)
        .select_related("consultant")
        .order_by("-opened_on", "id")
    )
    for trajectory in free[:12]:
        pilot_services.enrol(trajectory.consultant, pilot, trajectory, evaluation_consent_on=today)


def add_demo_pilots(team_id: int, today: date, seed: int) -> None:
    """Both demo pilots for the team (once, inside the demo's transaction)."""
    lead = User.objects.get(team_id=team_id, role=Role.TEAM_LEAD, username="teamleider")
    rng = random.Random(f"pilots-{seed}")
    _running_pilot(lead, team_id, today, rng, seed)
    _preparing_pilot(lead, team_id, today)
