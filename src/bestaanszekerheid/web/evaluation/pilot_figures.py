"""Dose and fidelity per arm of a pilot: what each arm received, against what it should get.

For the team lead's pilot page. Every figure is built from one row per participant with the
library's disclosure control, exactly as :mod:`bestaanszekerheid.web.casework.analyst_figures`
does: ``frequency_table``, ``magnitude_table`` and ``percentage_table`` with the rules of
``load_rules()``, released through one ``ReleaseRegister`` for the page, so no arm's figure
rests on fewer participants than the rules allow and no hidden cell can be recomputed from
another table. The delivered dose comes from :func:`~.outcomes.deliveries` (the one place
that counts contacts), in each participant's window from enrolment to closing or today.

Only participants with an arm whose evaluation consent stands are counted: the figures serve
the evaluation, and a withdrawn consent keeps a resident out of it. Only codes, dates and
counts are read; no names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from bestaanszekerheid.disclosure import (
    SUPPRESSED_MARK,
    TOTAL,
    CheckedTable,
    DisclosureRules,
    RefusedError,
    ReleaseRegister,
    frequency_table,
    load_rules,
    magnitude_table,
    percentage_table,
)
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.web.casework.analyst_figures import (
    RULES_SHOWN,
    UNIT,
    Cell,
    Figure,
    Row,
    show_table,
)
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant
from bestaanszekerheid.web.evaluation.outcomes import deliveries

ARM = "arm"


@dataclass(frozen=True)
class ArmPlan:
    """An arm as designed: its label and planned contacts per month (not personal data)."""

    code: str
    label: str
    planned: Decimal | None


@dataclass(frozen=True)
class DoseRecord:
    """What one participant received since enrolment (codes and numbers only)."""

    participant: str
    arm: str
    contacts_per_month: float | None
    referrals: int
    routes: frozenset[str] = frozenset()
    #: Contacts counted so far: a new contact is a new version of the participant's dose
    #: (the rate also moves with the calendar, which is not a change; see published.py).
    contacts: int = 0


def _figure(slug: str, title: str, description: str) -> Figure:
    """A table of the pilot page: the analyst page's figure type (the row header is the arm)."""
    return Figure(slug, title, description, _("Arm"))


@dataclass
class DoseFigures:
    """The dose figures of one page view, released through one register."""

    figures: list[Figure]
    rules: DisclosureRules
    register: ReleaseRegister
    counted: int = 0
    plans: list[ArmPlan] = field(default_factory=list)

    def rules_text(self) -> list[str]:
        """The rules applied, in Dutch, with their values filled in (as the analyst page)."""
        return [t for t in (self.rules.describe(key) for key in RULES_SHOWN) if t]


def _number(value: Any, statistic: str) -> str:
    if isinstance(value, str):
        return value
    if statistic == "count":
        return str(int(value))
    if statistic == "percentage":
        return f"{float(value):.0f}%"
    return f"{float(value):.1f}".replace(".", ",")


def _planned(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def _rows(
    table: CheckedTable, planned: dict[str, str] | None
) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    """The table's cells as rows of text; ``planned`` adds the arm's plan as a first column."""
    frame = table.to_frame("nl")
    reports = list(table.cells())
    n_cols = frame.shape[1]
    rows = []
    for r, (label, values) in enumerate(frame.iterrows()):
        cells = [Cell(planned.get(str(label), "–"))] if planned is not None else []
        for c, value in enumerate(values):
            if reports[r * n_cols + c].status in ("primary", "secondary"):
                cells.append(Cell(SUPPRESSED_MARK, True))
            else:
                cells.append(Cell(_number(value, table.statistic)))
        # The total row's key is TOTAL in every dimension (its label depends on the language).
        rows.append(Row(str(label), tuple(cells), set(reports[r * n_cols].row) == {TOTAL}))
    columns = tuple(str(c) for c in frame.columns)
    if planned is not None:
        columns = (_("gepland: contacten per maand"), *columns)
    return columns, tuple(rows)


def _publish(
    figure: Figure,
    register: ReleaseRegister,
    records: list[dict[str, Any]],
    build: Callable[[pd.DataFrame], CheckedTable],
    arm_order: list[str],
    *,
    planned: dict[str, str] | None = None,
    count_label: str | None = None,
    value: str | None = None,
) -> Figure:
    """Check and release one table; a table that may not be shown says why, not which cell."""
    if not records:
        figure.message = _("Nog geen deelnemers met een arm en toestemming voor de evaluatie.")
        return figure
    frame = pd.DataFrame.from_records(records)
    present = [a for a in arm_order if a in set(frame[ARM])]
    frame[ARM] = frame[ARM].astype(pd.CategoricalDtype(present))
    try:
        table = build(frame)
        register.release(table, name=figure.slug)
    except RefusedError:
        figure.message = _(
            "Niet getoond: samen met de andere tabellen zou een kleine groep terug te rekenen zijn."
        )
        return figure
    except UserFacingError as exc:
        figure.message = _("Niet getoond: %(reden)s") % {"reden": exc}
        return figure
    return show_table(
        figure,
        table,
        records,
        lambda checked: _rows(checked, planned),
        count_label=count_label,
        value=value,
    )


def build_dose_figures(
    plans: list[ArmPlan],
    records: Iterable[DoseRecord],
    route_labels: dict[str, str],
    *,
    rules: DisclosureRules | None = None,
) -> DoseFigures:
    """Participants, delivered dose and routes per arm, checked and released (pure)."""
    rules = rules or load_rules()
    register = ReleaseRegister(rules)
    records = list(records)
    label = {p.code: p.label for p in plans}
    order = [p.label for p in plans]
    planned = {p.label: _planned(p.planned) for p in plans}
    figures = []

    count = _figure(
        "deelnemers-per-arm",
        _("Deelnemers per arm"),
        _("Eenheid: deelnemer met een arm en toestemming voor de evaluatie."),
    )
    figures.append(
        _publish(
            count,
            register,
            [{UNIT: r.participant, ARM: label[r.arm]} for r in records],
            lambda frame: frequency_table(
                frame, ARM, unit=UNIT, rules=rules, name="deelnemers per arm"
            ),
            order,
            count_label=_("Deelnemers"),
        )
    )

    contacts, referrals = _("contacten per maand"), _("verwijzingen per deelnemer")
    dose = _figure(
        "levering-per-arm",
        _("Geleverde begeleiding per arm (gemiddelde per deelnemer)"),
        _(
            "Contacten: vastgelegde gesprekken per maand sinds aanmelding (tot afsluiten of "
            "vandaag; deelnemers die korter dan twee weken meedoen tellen hier niet mee). "
            "Verwijzingen: voorgesteld sinds aanmelding. Gepland: wat de arm volgens het "
            "ontwerp krijgt."
        ),
    )
    dose_records = [
        {
            UNIT: f"{r.participant}:c",
            ARM: label[r.arm],
            "maat": contacts,
            "waarde": r.contacts_per_month,
            "versie": r.contacts,
        }
        for r in records
        if r.contacts_per_month is not None
    ] + [
        {
            UNIT: f"{r.participant}:v",
            ARM: label[r.arm],
            "maat": referrals,
            "waarde": float(r.referrals),
            "versie": r.referrals,
        }
        for r in records
    ]
    figures.append(
        _publish(
            dose,
            register,
            dose_records,
            lambda frame: magnitude_table(
                frame.assign(maat=frame["maat"].astype(pd.CategoricalDtype([contacts, referrals]))),
                "waarde",
                ARM,
                "maat",
                stat="mean",
                margins=False,
                unit=UNIT,
                rules=rules,
                name="levering per arm",
            ),
            order,
            planned=planned,
            value="waarde",
        )
    )

    routes = _figure(
        "routes-per-arm",
        _("Aandeel deelnemers per route, per arm"),
        _("Eenheid: deelnemer. Een deelnemer kan meer routes volgen; daarom geen totaal."),
    )
    route_records = [
        {
            UNIT: f"{r.participant}:{code}",
            ARM: label[r.arm],
            "route": name,
            "volgt": code in r.routes,
        }
        for r in records
        for code, name in route_labels.items()
    ]
    figures.append(
        _publish(
            routes,
            register,
            route_records,
            lambda frame: percentage_table(
                frame.assign(
                    route=frame["route"].astype(pd.CategoricalDtype(list(route_labels.values())))
                ),
                "volgt",
                ARM,
                "route",
                margins=False,
                unit=UNIT,
                rules=rules,
                name="routes per arm",
            ),
            order,
        )
    )
    return DoseFigures(figures, rules, register, counted=len(records), plans=plans)


def load_dose(pilot: Pilot, until: date) -> tuple[list[ArmPlan], list[DoseRecord]]:
    """The pilot's arms and one dose record per counted participant (see the module)."""
    plans = [ArmPlan(a.code, a.label, a.planned_contacts_per_month) for a in pilot.arms.all()]
    rows = list(
        PilotParticipant.objects.filter(
            pilot=pilot,
            arm__isnull=False,
            evaluation_consent_on__isnull=False,
            evaluation_consent_withdrawn_on__isnull=True,
        ).values_list("code", "arm__code", "trajectory_id", "enrolled_on", "trajectory__closed_on")
    )
    windows = {
        tid: (enrolled, max(enrolled, closed or until))
        for _code, _arm, tid, enrolled, closed in rows
    }
    delivered = deliveries(windows)
    records = [
        DoseRecord(
            code,
            arm,
            delivered[tid].contacts_per_month,
            delivered[tid].referrals,
            delivered[tid].routes,
            delivered[tid].contacts,
        )
        for code, arm, tid, _enrolled, _closed in rows
    ]
    return plans, records
