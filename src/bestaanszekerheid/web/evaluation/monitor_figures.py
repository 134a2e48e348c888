"""The team lead's programme monitor: aggregated figures of the team, through disclosure control.

The same machinery as the analyst's page (:mod:`bestaanszekerheid.web.casework.analyst_figures`,
docs/decisions/0030): every table is built from one row per unit with the library's
``frequency_table``/``percentage_table``/``magnitude_table`` under :func:`load_rules` (so the
same minimum group size as the analyst pages), and released through one ``ReleaseRegister``
per page view, which also catches differencing between the tables. No threshold here: the
build-check-release step and the figure types are the analyst page's own (``_checked``,
``Figure``), so both pages publish a table the same way.

The figures: reach this year against ``BSZ_REACH_TARGET``; open trajectories per consultant
against ``BSZ_CASELOAD_NORM`` (staff workloads, but counts of residents all the same, so through
the same tables; the exact numbers are on the team overview); of the closed trajectories, the
share with at least one goal achieved, next to the reference of the Tilburg pilots; the mean
change between the first and latest measurement per measure by route; and per pilot of the
team the same by arm, from enrolment on and only for participants whose evaluation consent
stands. Scores come from :func:`~.outcomes.histories`, never recomputed here.

Units. Reach counts residents (``i<id>``), the other count tables trajectories (``t<id>``). A
mean of changes has one unit per trajectory and measure (``t<id>:<measure>``), in the table per
route (each trajectory at its first route) and in the tables per arm alike, so that the register
relates them (a cell's minimum is a minimum of trajectories).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from django.db.models import Q
from django.utils.translation import gettext as _

from bestaanszekerheid.disclosure import (
    CheckedTable,
    DisclosureRules,
    ReleaseRegister,
    frequency_table,
    load_rules,
    magnitude_table,
    percentage_table,
)
from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.casework.analyst_figures import (
    RULES_SHOWN,
    UNIT,
    Figure,
    _checked,
    quarter,
)
from bestaanszekerheid.web.casework.dashboard import team_trajectories
from bestaanszekerheid.web.evaluation.export_file import histories_since_enrolment
from bestaanszekerheid.web.evaluation.instruments import MEASURES, MEASURES_BY_CODE
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.evaluation.outcomes import MeasureHistory, histories
from bestaanszekerheid.web.plans.models import Goal, GoalStatus
from bestaanszekerheid.web.trajectories.models import Route, TrajectoryRoute, TrajectoryStatus

POPULATION = "trajecten van het team in Het goede gesprek"
# Tilburg's personal-guidance pilots: about 40% of closed trajectories reached a goal.
REFERENCE_SHARE = 40
REFERENCE_SOURCE = "pilots persoonlijke begeleiding Tilburg"
# Category order per column of a table (see analyst_figures._checked).
Order = dict[str, Iterable[str]]


@dataclass(frozen=True)
class PilotChanges:
    """One pilot of the team: its arms (code, label) and each participant's changes."""

    pilot_id: int
    name: str
    arms: list[tuple[str, str]]
    changes: list[tuple[int, str, str, float]]  # trajectory, arm code, measure, change
    #: (trajectory, measure) -> which measurements the change is from (see ``MonitorRows``).
    versions: dict[tuple[int, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class MonitorRows:
    """What the monitor is computed from: ids, dates, codes and changes (no names of residents,
    no notes). ``caseloads`` holds consultants' names: the team lead's own team."""

    year: int
    reached: list[tuple[int, date]]  # resident, first trajectory opened this year
    caseloads: list[tuple[int, str]]  # open trajectory, consultant
    closed: list[tuple[int, date, bool]]  # trajectory, closed on, a goal achieved
    routes: list[tuple[int, str]]  # trajectory, route
    changes: list[tuple[int, str, float]]  # trajectory, measure, latest minus first
    pilots: list[PilotChanges] = field(default_factory=list)
    #: (trajectory, measure) -> the measurements a change is from: a new measurement is a
    #: new version of the unit whatever its score (:mod:`~.casework.published`). Without an
    #: entry the change itself is the version.
    versions: dict[tuple[int, str], str] = field(default_factory=dict)


@dataclass
class Monitor:
    """All figures of one page view, released through one register."""

    year: int
    figures: list[Figure]
    pilot_figures: list[Figure]
    rules: DisclosureRules
    register: ReleaseRegister
    reach_target: int
    caseload_norm: int
    reference_share: int = REFERENCE_SHARE
    reference_source: str = REFERENCE_SOURCE

    def get(self, slug: str) -> Figure | None:
        return next((f for f in (*self.figures, *self.pilot_figures) if f.slug == slug), None)

    def rules_text(self) -> list[str]:
        """The rules applied, in Dutch, with their values filled in."""
        return [t for t in (self.rules.describe(key) for key in RULES_SHOWN) if t]

    @property
    def reach_shown(self) -> int | None:
        """The published reach this year (the total row), ``None`` when hidden or absent."""
        figure = self.get("bereik")
        if figure is None or not figure.rows:
            return None
        for row in figure.rows:
            if row.total and not row.cells[0].hidden:
                return int(row.cells[0].text)
        return None


def _measure_label(code: str) -> str:
    return str(MEASURES_BY_CODE[code].label)


def _route_labels() -> dict[str, str]:
    return {code: str(name).split(":")[0] for code, name in Route.choices}


def build_monitor(
    data: MonitorRows,
    *,
    reach_target: int,
    caseload_norm: int,
    rules: DisclosureRules | None = None,
) -> Monitor:
    """Every monitor table, checked and released through one register (pure: no database)."""
    rules = rules or load_rules()
    register = ReleaseRegister(rules)

    def count(rows: str, name: str) -> Callable[[pd.DataFrame], CheckedTable]:
        def build(frame: pd.DataFrame) -> CheckedTable:
            return frequency_table(
                frame, rows, unit=UNIT, rules=rules, name=name, population=POPULATION
            )

        return build

    def mean(rows: str, cols: str, name: str) -> Callable[[pd.DataFrame], CheckedTable]:
        def build(frame: pd.DataFrame) -> CheckedTable:
            return magnitude_table(
                frame,
                "verandering",
                rows,
                cols,
                stat="mean",
                margins=False,
                unit=UNIT,
                rules=rules,
                name=name,
                population=POPULATION,
            )

        return build

    figures = [
        _reach(data, register, count("kwartaal", "bereik"), reach_target),
        _caseload(data, register, count("consulent", "caseload"), caseload_norm),
        *_goals(data, register, rules),
        _changes_by_route(data, register, mean("maat", "route", "verandering per route")),
    ]
    pilot_figures = [
        _changes_by_arm(p, register, mean("maat", "arm", f"pilot {p.pilot_id}"))
        for p in data.pilots
    ]
    return Monitor(data.year, figures, pilot_figures, rules, register, reach_target, caseload_norm)


def _reach(data: MonitorRows, register: ReleaseRegister, build: Any, target: int) -> Figure:
    figure = Figure(
        "bereik",
        _("Bereik in %(year)d") % {"year": data.year},
        _(
            "Eenheid: inwoner met een traject dat dit jaar begon, naar het kwartaal van het "
            "eerste; het totaal is het bereik, tegen het doel van %(target)d."
        )
        % {"target": target},
        _("Kwartaal"),
    )
    records = [{UNIT: f"i{r}", "kwartaal": quarter(day)} for r, day in data.reached]
    return _checked(figure, register, records, build, {}, _("Inwoners"))


def _caseload(data: MonitorRows, register: ReleaseRegister, build: Any, norm: int) -> Figure:
    figure = Figure(
        "caseload",
        _("Lopende trajecten per consulent"),
        _(
            "Eenheid: lopend traject. Norm: %(norm)d per consulent. Ook deze aantallen gaan "
            "door de onthullingscontrole; de precieze caseload staat op het teamoverzicht."
        )
        % {"norm": norm},
        _("Consulent"),
    )
    records = [{UNIT: f"t{t}", "consulent": name} for t, name in data.caseloads]
    order: Order = {"consulent": sorted({name for _t, name in data.caseloads})}
    return _checked(figure, register, records, build, order, _("Lopende trajecten"))


def _goals(data: MonitorRows, register: ReleaseRegister, rules: DisclosureRules) -> list[Figure]:
    this_year = _("afgesloten in %(year)d") % {"year": data.year}
    earlier = _("afgesloten vóór %(year)d") % {"year": data.year}
    records = [
        {
            UNIT: f"t{t}",
            "periode": this_year if closed_on.year == data.year else earlier,
            "doel_bereikt": achieved,
        }
        for t, closed_on, achieved in data.closed
    ]
    order: Order = {"periode": [this_year, earlier]}

    def counts(frame: pd.DataFrame) -> CheckedTable:
        return frequency_table(
            frame, "periode", unit=UNIT, rules=rules, name="afgesloten", population=POPULATION
        )

    def share(frame: pd.DataFrame) -> CheckedTable:
        return percentage_table(
            frame,
            "doel_bereikt",
            "periode",
            unit=UNIT,
            rules=rules,
            name="doel bereikt",
            population=POPULATION,
        )

    closed = Figure(
        "afgesloten",
        _("Afgesloten trajecten"),
        _("Eenheid: afgesloten traject, naar het jaar van afsluiten; het totaal is alle jaren."),
        _("Periode"),
    )
    reached = Figure(
        "doel-bereikt",
        _("Doelbereik: afgesloten trajecten met minstens één doel bereikt"),
        _(
            "Eenheid: afgesloten traject. Aandeel met minstens één bereikt doel, dit jaar en "
            "over alle jaren (totaal). Ter vergelijking: %(share)d%% in de %(source)s."
        )
        % {"share": REFERENCE_SHARE, "source": REFERENCE_SOURCE},
        _("Periode"),
    )
    return [
        _checked(closed, register, records, counts, order, _("Trajecten")),
        _checked(reached, register, records, share, order, _("Met een doel bereikt (%)")),
    ]


def _ordered_measures(codes: set[str]) -> list[str]:
    return [_measure_label(m.code) for m in MEASURES if m.code in codes]


def _changes_by_route(data: MonitorRows, register: ReleaseRegister, build: Any) -> Figure:
    figure = Figure(
        "verandering-per-route",
        _("Gemiddelde verandering per uitkomstmaat en route"),
        _(
            "Eenheid: traject met minstens twee metingen van de maat, bij zijn eerste route (zo "
            "telt elk traject één keer). Laatste min eerste score (1 tot en met 5); bij "
            "praktische belemmeringen is lager beter. Geen effectmeting: zonder vergelijking "
            "is niet te zeggen wat de begeleiding heeft gedaan."
        ),
        _("Uitkomstmaat"),
    )
    labels = _route_labels()
    # Each trajectory once, at the route it chose first (``data.routes`` is in the order they
    # were chosen), with the same unit as in the tables per arm: the register can then see
    # that "arm X" minus "route Y" is one resident (attacker review: with a unit per route
    # the two tables looked unrelated and one view gave away a resident's change).
    first: dict[int, str] = {}
    for t, route in data.routes:
        first.setdefault(t, route)
    records = [
        {
            UNIT: f"t{t}:{code}",
            "maat": _measure_label(code),
            "route": labels[first[t]],
            "verandering": change,
            "versie": data.versions.get((t, code), repr(change)),
        }
        for t, code, change in data.changes
        if t in first
    ]
    order: Order = {
        "maat": _ordered_measures({c for _t, c, _v in data.changes}),
        "route": list(labels.values()),
    }
    return _checked(figure, register, records, build, order, value="verandering")


def _changes_by_arm(pilot: PilotChanges, register: ReleaseRegister, build: Any) -> Figure:
    figure = Figure(
        f"pilot-{pilot.pilot_id}",
        _("%(name)s: gemiddelde verandering per arm") % {"name": pilot.name},
        _(
            "Eenheid: deelnemer van het team met een arm en toestemming voor evaluatie, met "
            "minstens twee metingen van de maat sinds aanmelding. Laatste min eerste score. "
            "Een verschil tussen armen hier is geen effectschatting: die maakt de onderzoeker "
            "met bsz effect."
        ),
        _("Uitkomstmaat"),
    )
    arm_labels = dict(pilot.arms)
    records = [
        {
            UNIT: f"t{t}:{code}",
            "maat": _measure_label(code),
            "arm": arm_labels[arm],
            "verandering": change,
            "versie": pilot.versions.get((t, code), repr(change)),
        }
        for t, arm, code, change in pilot.changes
    ]
    order: Order = {
        "maat": _ordered_measures({c for _t, _a, c, _v in pilot.changes}),
        "arm": [label for _code, label in pilot.arms],
    }
    return _checked(figure, register, records, build, order, value="verandering")


# --- reading the database -----------------------------------------------------------------


def _consultant_names(rows: list[tuple[int, str, str, str]]) -> dict[int, str]:
    """Consultant id -> name; two with the same name get their username added."""
    names = {pk: f"{first} {last}".strip() or username for pk, first, last, username in rows}
    taken: dict[str, int] = {}
    for name in names.values():
        taken[name] = taken.get(name, 0) + 1
    return {
        pk: f"{names[pk]} ({username})" if taken[names[pk]] > 1 else names[pk]
        for pk, _first, _last, username in rows
    }


def _version(h: MeasureHistory) -> str:
    """Which measurements a change is from, and its value (a corrected score is a change)."""
    return f"{h.first.measurement_id}:{h.latest.measurement_id}:{h.change}"


def _pilots(user: Any, trajectory_ids: set[int]) -> list[PilotChanges]:
    """The team's pilots (and programme-wide ones with participants in the team)."""
    out: list[PilotChanges] = []
    pilots = Pilot.objects.filter(
        Q(team_id=user.team_id) | Q(team__isnull=True),
        status__in=(PilotStatus.RUNNING, PilotStatus.ENDED),
    ).prefetch_related("arms")
    for pilot in pilots.order_by("name"):
        people = [
            p
            for p in PilotParticipant.objects.filter(
                pilot=pilot, arm__isnull=False, trajectory_id__in=trajectory_ids
            ).select_related("arm")
            if p.consents_to_evaluation
        ]
        if not people and pilot.team_id is None:
            continue
        measures = [c for c in pilot.outcome_measures or [] if c in MEASURES_BY_CODE]
        scores = histories_since_enrolment(people)
        changes, versions = [], {}
        for p in people:
            for code in measures:
                h = scores.get(p.trajectory_id, {}).get(code)
                if p.arm is not None and h is not None and h.change is not None:
                    changes.append((p.trajectory_id, p.arm.code, code, h.change))
                    versions[(p.trajectory_id, code)] = _version(h)
        arms = [(a.code, a.label) for a in pilot.arms.all()]
        out.append(PilotChanges(pilot.pk, pilot.name, arms, changes, versions))
    return out


def load_monitor_rows(user: Any, today: date) -> MonitorRows:
    """Read the team's casework as ids, dates, codes and changes (aggregates only)."""
    year = today.year
    rows = list(
        team_trajectories(user).values_list(
            "id", "resident_id", "opened_on", "status", "closed_on", "consultant_id"
        )
    )
    ids = [r[0] for r in rows]
    achieved = set(
        Goal.objects.filter(trajectory_id__in=ids, status=GoalStatus.ACHIEVED).values_list(
            "trajectory_id", flat=True
        )
    )
    first_this_year: dict[int, date] = {}
    for _t, resident, opened, _status, _closed, _c in rows:
        if opened.year == year and opened < first_this_year.get(resident, date.max):
            first_this_year[resident] = opened
    consultants = {r[5] for r in rows if r[3] == TrajectoryStatus.OPEN}
    names = _consultant_names(
        list(
            User.objects.filter(pk__in=consultants).values_list(
                "pk", "first_name", "last_name", "username"
            )
        )
    )
    scored = histories(ids)
    changes = [
        (t, code, h.change)
        for t, by_measure in scored.items()
        for code, h in by_measure.items()
        if h.change is not None
    ]
    return MonitorRows(
        year=year,
        reached=sorted(first_this_year.items()),
        caseloads=[(t, names[c]) for t, _r, _o, s, _cl, c in rows if s == TrajectoryStatus.OPEN],
        closed=[
            (t, closed, t in achieved)
            for t, _r, _o, s, closed, _c in rows
            if s == TrajectoryStatus.CLOSED and closed is not None
        ],
        routes=list(
            TrajectoryRoute.objects.filter(trajectory_id__in=ids)
            .order_by("chosen_on", "id")
            .values_list("trajectory_id", "route")
        ),
        changes=changes,
        pilots=_pilots(user, set(ids)),
        versions={
            (t, c): _version(h)
            for t, by in scored.items()
            for c, h in by.items()
            if h.change is not None
        },
    )
