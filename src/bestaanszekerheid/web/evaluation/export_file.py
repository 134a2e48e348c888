"""The evaluation file of a pilot: one row per participant, as ``bsz effect`` reads it.

Pure functions over the ORM, no views (the workflow around it is :mod:`.export_services`).
A row is a participant of the pilot who has an arm and whose consent to use the data for the
evaluation stands, *including* those who stopped taking part (intention to treat: everyone
counts in the arm they were allocated to; ``deelname_gestopt`` says who stopped). The columns
are documented in docs/effectmeting.md, "Invoer uit Het goede gesprek".

What a row holds is minimal: a pseudonym, the arm and stratum, dates, routes, the delivered
dose (:func:`~.outcomes.deliveries`), goals, and per outcome measure of the pilot the first and
latest score since enrolment (:func:`~.outcomes.histories`). No name, BSN, free text or
consultant. The pseudonym is an HMAC-SHA256 over ``"<pilot id>:<trajectory id>"`` keyed with
``BSZ_EVALUATION_KEY``: the ids are small numbers, so without a secret key anyone could
recompute them; the municipality keeps the key, the evaluator never gets it.

The file is a plain ``;``-separated UTF-8 CSV with decimal commas (what
``households.readers.read_table`` sniffs); provenance (rows, SHA-256, key) goes into the audit
event and onto the export page, not into the file, so ``bsz effect`` reads it as it is.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from bestaanszekerheid.experiments.labels import LABELS_HEADER, Labels
from bestaanszekerheid.web.evaluation.instruments import MEASURES_BY_CODE
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant
from bestaanszekerheid.web.evaluation.outcomes import MeasureHistory, deliveries, histories
from bestaanszekerheid.web.plans.models import Goal, GoalStatus
from bestaanszekerheid.web.trajectories.models import Route, TrajectoryStatus

# A short key would let anyone who guesses it recompute every pseudonym from the ids.
KEY_MIN_LENGTH = 32
KEY_CONFIGURED = "BSZ_EVALUATION_KEY"
KEY_DEMO = "demo"
PSEUDONYM_LENGTH = 16

ROUTE_COLUMNS = tuple(f"route_{code}" for code in Route.values)
BASE_COLUMNS = (
    "deelnemer",
    "arm",
    "stratum",
    # No exact dates (attacker review: with the start date of the trajectory any colleague
    # found a resident's row): the month of enrolment, and every other moment in days.
    "aangemeld_maand",
    "dagen_traject_voor_aanmelding",
    "deelname_gestopt",
    "afgesloten",
    # 1 for a demo pilot: bsz effect then labels every output synthetic (SYNTHETIC_COLUMN).
    "synthetisch",
    *ROUTE_COLUMNS,
    "contacten",
    "contacten_per_maand",
    "verwijzingen",
    "doelen",
    "doelen_bereikt",
    "doel_bereikt",
)
MEASURE_SUFFIXES = ("start", "start_dag", "eind", "eind_dag", "verandering")
# Excel runs a cell starting with one of these as a formula; a stratum comes from the loting.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportKeyError(Exception):
    """No usable pseudonymisation key: the download is refused (the message is Dutch)."""


@dataclass(frozen=True)
class EvaluationKey:
    """The secret of the pseudonyms and where it came from (configured, or demo)."""

    # Kept out of repr: a traceback or log line must never show the key.
    secret: bytes = field(repr=False)
    source: str = KEY_CONFIGURED

    @property
    def fingerprint(self) -> str:
        """A short digest that tells two keys apart without revealing either (provenance)."""
        return hmac.new(self.secret, b"bsz-evaluatie-vingerafdruk", hashlib.sha256).hexdigest()[:12]

    @property
    def is_demo(self) -> bool:
        return self.source == KEY_DEMO


def evaluation_key() -> EvaluationKey:
    """The configured key; in DEBUG (the demo) without one, a key derived from SECRET_KEY.

    Raises :class:`ExportKeyError` outside DEBUG without a key, and for a key that is too short.
    """
    configured = settings.BSZ_EVALUATION_KEY
    if configured:
        if len(configured) < KEY_MIN_LENGTH:
            raise ExportKeyError(
                _(
                    "De sleutel voor de pseudoniemen (BSZ_EVALUATION_KEY) is te kort: gebruik "
                    "minstens %(n)d willekeurige tekens. Er is niets gedownload."
                )
                % {"n": KEY_MIN_LENGTH}
            )
        return EvaluationKey(configured.encode(), KEY_CONFIGURED)
    if settings.DEBUG:
        derived = hmac.new(
            settings.SECRET_KEY.encode(), b"bsz-evaluatie-demosleutel", hashlib.sha256
        ).digest()
        return EvaluationKey(derived, KEY_DEMO)
    raise ExportKeyError(
        _(
            "Downloaden kan nog niet: de sleutel voor de pseudoniemen (BSZ_EVALUATION_KEY) is "
            "niet ingesteld. Vraag functioneel beheer de sleutel in te stellen; de goedkeuring "
            "blijft staan en er is niets gedownload."
        )
    )


def pseudonym(key: EvaluationKey, pilot_id: int, trajectory_id: int) -> str:
    """The participant's pseudonym in this pilot's exports: stable for a key, hex."""
    message = f"{pilot_id}:{trajectory_id}".encode()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def measure_codes(pilot: Pilot) -> list[str]:
    """The pilot's outcome measures that the instruments know, in the pilot's order."""
    return [c for c in dict.fromkeys(pilot.outcome_measures or []) if c in MEASURES_BY_CODE]


def columns(pilot: Pilot) -> list[str]:
    """The header of the pilot's export file."""
    measured = [f"{code}_{suffix}" for code in measure_codes(pilot) for suffix in MEASURE_SUFFIXES]
    return [*BASE_COLUMNS, *measured]


def participants(pilot: Pilot) -> list[PilotParticipant]:
    """The rows of the export: participants with an arm whose evaluation consent stands."""
    rows = (
        PilotParticipant.objects.filter(pilot=pilot, arm__isnull=False)
        .select_related("arm", "trajectory")
        .order_by("pk")
    )
    return [p for p in rows if p.consents_to_evaluation]


@dataclass(frozen=True)
class ExportFile:
    """The bytes handed out and what the audit event and the page record about them."""

    content: bytes
    n_rows: int
    sha256: str
    columns: tuple[str, ...]
    key: EvaluationKey


def _number(value: float | None, digits: int = 2) -> str:
    # Decimal comma, no trailing zeros: "3,5", "4", "-1,5"; empty when missing.
    if value is None:
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    if text in ("", "-0"):
        text = "0"
    return text.replace(".", ",")


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def histories_since_enrolment(
    rows: Iterable[PilotParticipant],
) -> dict[int, dict[str, MeasureHistory]]:
    """Per trajectory, the histories from its own enrolment on (one query per enrolment day)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for p in rows:
        by_day[p.enrolled_on].append(p.trajectory_id)
    out: dict[int, dict[str, MeasureHistory]] = {}
    for day, ids in by_day.items():
        out.update(histories(ids, since=day))
    return out


def _goal_counts(trajectory_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = (
        Goal.objects.filter(trajectory_id__in=trajectory_ids)
        .values("trajectory_id")
        .annotate(n=Count("id"), achieved=Count("id", filter=Q(status=GoalStatus.ACHIEVED)))
    )
    return {r["trajectory_id"]: (r["n"], r["achieved"]) for r in rows}


def _measure_cells(history: MeasureHistory | None, enrolled_on: date) -> list[str]:
    """start, its day, end, its day, change (days since enrolment); the end only with a later
    measurement."""
    if history is None:
        return [""] * len(MEASURE_SUFFIXES)
    first, latest = history.first, history.latest
    start_day = str((first.taken_on - enrolled_on).days)
    if history.change is None:
        return [_number(first.score), start_day, "", "", ""]
    return [
        _number(first.score),
        start_day,
        _number(latest.score),
        str((latest.taken_on - enrolled_on).days),
        _number(history.change),
    ]


def export_rows(pilot: Pilot, key: EvaluationKey, today: date) -> list[list[str]]:
    """The data rows (without header), ordered by pseudonym so the order says nothing."""
    people = participants(pilot)
    ids = [p.trajectory_id for p in people]
    windows = {
        p.trajectory_id: (
            p.enrolled_on,
            p.trajectory.closed_on
            if p.trajectory.status == TrajectoryStatus.CLOSED and p.trajectory.closed_on
            else today,
        )
        for p in people
    }
    dose = deliveries(windows)
    scores = histories_since_enrolment(people)
    goals = _goal_counts(ids)
    codes = measure_codes(pilot)
    rows: list[list[str]] = []
    for p in people:
        t = p.trajectory
        d = dose[t.pk]
        n_goals, n_achieved = goals.get(t.pk, (0, 0))
        assert p.arm is not None  # participants() keeps only those with an arm
        row = [
            pseudonym(key, pilot.pk, t.pk),
            p.arm.code,
            _text(p.stratum),
            p.enrolled_on.strftime("%Y-%m"),
            str(max((p.enrolled_on - t.opened_on).days, 0)),
            _flag(p.participation_withdrawn_on is not None),
            _flag(t.status == TrajectoryStatus.CLOSED),
            _flag(pilot.synthetic),
            *(_flag(code in d.routes) for code in Route.values),
            str(d.contacts),
            _number(d.contacts_per_month),
            str(d.referrals),
            str(n_goals),
            str(n_achieved),
            _flag(n_achieved > 0),
        ]
        for code in codes:
            row += _measure_cells(scores.get(t.pk, {}).get(code), p.enrolled_on)
        rows.append(row)
    rows.sort(key=lambda r: r[0])
    return rows


def build_export(pilot: Pilot, key: EvaluationKey, today: date) -> ExportFile:
    """The whole file as bytes, with its row count and SHA-256."""
    header = columns(pilot)
    rows = export_rows(pilot, key, today)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    content = buffer.getvalue().encode("utf-8")
    return ExportFile(
        content=content,
        n_rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
        columns=tuple(header),
        key=key,
    )


def export_labels(pilot: Pilot) -> Labels:
    """Names for the file's codes, for ``bsz effect --labels``.

    Dutch whatever the page's language, like the report ``bsz effect`` writes. Only arms that
    have a row in the export now: ``bsz effect`` refuses a labels file naming an arm the data
    lack (it takes that for a typo).
    """
    present = {p.arm_id for p in participants(pilot)}
    arms = {a.code: a.label for a in pilot.arms.all() if a.pk in present}
    variables = {
        "stratum": "Stratum van de loting",
        "deelname_gestopt": "Deelname gestopt",
        "afgesloten": "Traject afgesloten",
        "contacten": "Contacten sinds aanmelding",
        "contacten_per_maand": "Contacten per maand",
        "verwijzingen": "Verwijzingen sinds aanmelding",
        "doelen": "Aantal doelen",
        "doelen_bereikt": "Aantal doelen bereikt",
    }
    outcomes = {"doel_bereikt": "Minstens één doel bereikt"}
    with translation.override("nl"):
        for code, name in Route.choices:
            variables[f"route_{code}"] = f"Route {str(name).split(':')[0]}"
        for code in measure_codes(pilot):
            label = str(MEASURES_BY_CODE[code].label)
            label = label[:1].upper() + label[1:]
            outcomes[f"{code}_eind"] = f"{label} (laatste meting)"
            outcomes[f"{code}_verandering"] = f"{label} (verandering)"
            variables[f"{code}_start"] = f"{label} (startmeting)"
    return Labels(arms=arms, outcomes=outcomes, variables=variables)


def labels_yaml(pilot: Pilot) -> str:
    """:func:`export_labels` as a labels file (the header ``bsz effect`` writes too)."""
    return LABELS_HEADER + export_labels(pilot).to_yaml()
