"""The analyst's figures: aggregated counts about the casework, every table checked by the
project's disclosure control (:mod:`bestaanszekerheid.disclosure`, docs/decisions/0030).

Nothing here re-implements a rule. Tables are built from one row per unit with
``frequency_table``/``magnitude_table`` (minimum counts, empty cells, group disclosure,
dominance and the p% rule, secondary suppression or rounding) and released through one
``ReleaseRegister`` per page, which also catches differencing between the tables. Only ids,
dates and codes are read from the database: no names, no notes, no free text.

Units. Figures about trajectories count trajectories (a resident usually has one). Where a
trajectory can fall in several categories at once (routes, goals, referrals), the unit is the
pair "trajectory in this category", so each cell still counts distinct trajectories and the
minimum of ``min_count`` is a minimum of trajectories, not of goals or referrals. Those tables
have no total: a sum over categories would count trajectories more than once.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

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
    log_document,
    magnitude_table,
)
from bestaanszekerheid.errors import UserFacingError

Method = Literal["suppress", "round"]

UNIT = "eenheid"
POPULATION = "alle trajecten in Het goede gesprek"
FIRST, LATEST = "eerste gesprek", "laatste gesprek"

# The rules shown on the page, in this order (texts and values come from the rules file).
RULES_SHOWN = (
    "min_count",
    "zeros_are_disclosive",
    "group_disclosure",
    "dominance_n",
    "p_percent",
    "protection_width_counts",
    "protection_percent_magnitude",
    "differencing",
)


@dataclass(frozen=True)
class CaseworkRows:
    """What the figures are computed from: ids, dates and codes only (no names or notes).

    ``labels`` maps each code to its Dutch label, per kind (route, channel, ...), in the order
    the categories should appear.
    """

    trajectories: list[tuple[int, date, str, str]]  # id, opened on, status, close reason
    routes: list[tuple[int, str]]  # trajectory id, route
    conversations: list[tuple[int, int, date, str]]  # trajectory, conversation, held on, channel
    goals: list[tuple[int, str]]  # trajectory id, goal status
    referrals: list[tuple[int, str, str]]  # trajectory id, partner name, referral status
    scores: list[tuple[int, int, date, str, int]]  # trajectory, conversation, held on, dim, score
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """One published cell: its text, or the suppression mark. Why a cell is hidden is not
    shown (a reason narrows a hidden cell: "minder dan 10" says 1-9); it is in the log."""

    text: str
    hidden: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    total: bool = False


@dataclass
class Figure:
    """A checked table ready for the page and for CSV; ``table`` is None without data."""

    slug: str
    title: str
    description: str
    row_header: str
    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    table: CheckedTable | None = None
    message: str = ""
    rounded: bool = False
    #: The table's units and the version of each one's record: for :mod:`.published`,
    #: which keeps the table until enough of them have changed. Never shown.
    population: dict[str, str] = field(default_factory=dict, repr=False)
    #: Per cell (and numerator) of the table, hidden or not: its flat index and units.
    cells: dict[str, tuple[int, list[str]]] = field(default_factory=dict, repr=False)
    #: Rebuilds ``rows`` after :mod:`.published` hid more cells of ``table``.
    rebuild: Callable[[], None] | None = field(default=None, repr=False)
    #: The CSV of a table restored from its publication (it has no ``table`` then).
    stored_csv: str = ""
    #: When the table shown was published, and whether it is kept from an earlier view
    #: because too little has changed since (:mod:`.published`).
    published_at: datetime | None = None
    kept: bool = False

    @property
    def hidden_cells(self) -> int:
        return sum(cell.hidden for row in self.rows for cell in row.cells)

    def csv(self) -> str:
        """The same checked table as CSV (';' separator, ',' decimals, 'x' for hidden cells)."""
        if self.table is None:
            if self.stored_csv:
                return self.stored_csv
            raise ValueError(f"{self.slug}: geen tabel")
        buffer = io.StringIO()
        self.table.to_frame("nl").to_csv(buffer, sep=";", decimal=",")
        return buffer.getvalue()


@dataclass
class AnalystFigures:
    """All figures of one page view, released through one register."""

    figures: list[Figure]
    rules: DisclosureRules
    method: Method
    register: ReleaseRegister

    def get(self, slug: str) -> Figure | None:
        return next((f for f in self.figures if f.slug == slug), None)

    def rules_text(self) -> list[str]:
        """The rules applied, in Dutch, with their values filled in."""
        texts = [self.rules.describe(key) for key in RULES_SHOWN]
        if self.method == "round":
            texts.append(self.rules.describe("rounding_base"))
        return [t for t in texts if t]

    def log(self) -> dict[str, Any]:
        """The disclosure-control log of this view (no hidden values); see
        :func:`~bestaanszekerheid.disclosure.log.render_markdown` for its Markdown."""
        return log_document(self.register)


def quarter(day: date) -> str:
    """'2025 K1' for a date in January to March 2025 (sorts in time order)."""
    return f"{day.year} K{(day.month - 1) // 3 + 1}"


def _categorical(values: pd.Series, order: Iterable[str]) -> pd.Series:
    # Only the categories that occur, in the given order: declared but empty categories would
    # become (suppressed) zero cells that say nothing.
    present = set(values.tolist())
    categories = [c for c in dict.fromkeys(order) if c in present]
    categories += sorted(present - set(categories))
    return values.astype(pd.CategoricalDtype(categories))


def _frame(records: list[dict[str, Any]], order: dict[str, Iterable[str]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    for column, categories in order.items():
        frame[column] = _categorical(frame[column], categories)
    return frame


def _number(value: Any, statistic: str) -> str:
    if isinstance(value, str):
        return value
    if statistic == "count":
        return str(int(value))
    # A mean that rounds to zero reads "0,0", not "-0,0".
    return f"{float(value) + 0.0:.1f}".replace(".", ",").replace("-0,0", "0,0")


def _rows(table: CheckedTable) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    frame = table.to_frame("nl")
    reports = list(table.cells())
    n_cols = frame.shape[1]
    rows = []
    for r, (label, values) in enumerate(frame.iterrows()):
        cells = []
        for c, value in enumerate(values):
            report = reports[r * n_cols + c]
            if report.status in ("primary", "secondary"):
                cells.append(Cell(SUPPRESSED_MARK, True))
            else:
                cells.append(Cell(_number(value, table.statistic)))
        # The total row's key is TOTAL in every dimension (its label depends on the language).
        is_total = set(reports[r * n_cols].row) == {TOTAL}
        rows.append(Row(str(label), tuple(cells), is_total))
    return tuple(str(c) for c in frame.columns), tuple(rows)


def _checked(
    figure: Figure,
    register: ReleaseRegister,
    records: list[dict[str, Any]],
    build: Callable[[pd.DataFrame], CheckedTable],
    order: dict[str, Iterable[str]],
    count_label: str | None = None,
    value: str | None = None,
) -> Figure:
    """Build, check and release one table; a table that cannot be published says why.

    ``value``: the column a table of means averages. A unit's record without it is its
    version: another category, or another measurement (a field ``versie``), is a change
    between publications (:mod:`.published`), whatever the value."""
    if not records:
        figure.message = _("Nog geen gegevens.")
        return figure
    try:
        table = build(_frame(records, order))
        register.release(table, name=figure.slug)
    except RefusedError:
        # Which cells clashed stays in the log: naming them would narrow a hidden figure.
        figure.message = _(
            "Niet gepubliceerd: samen met de andere tabellen zou een kleine groep terug te "
            "rekenen zijn."
        )
        return figure
    except UserFacingError as exc:
        figure.message = _("Niet gepubliceerd: %(reden)s") % {"reden": exc}
        return figure
    return show_table(figure, table, records, _rows, count_label=count_label, value=value)


def show_table(
    figure: Figure,
    table: CheckedTable,
    records: list[dict[str, Any]],
    render: Callable[[CheckedTable], tuple[tuple[str, ...], tuple[Row, ...]]],
    *,
    count_label: str | None = None,
    value: str | None = None,
) -> Figure:
    """Put a released table on ``figure``: its rows as ``render`` writes them, and what
    :mod:`.published` needs to keep it (units, versions, cells, a way to redo the rows)."""
    figure.table = table
    figure.rounded = table.method == "round"
    figure.population = population(records, value)
    figure.cells = table_cells(table)

    def rebuild() -> None:
        columns, figure.rows = render(table)
        # A 1-D table has a single column named after the statistic; a readable name.
        figure.columns = (count_label,) if count_label and len(columns) == 1 else columns

    rebuild()
    figure.rebuild = rebuild
    return figure


def table_cells(table: CheckedTable) -> dict[str, tuple[int, list[str]]]:
    """Every cell (and numerator) of a checked table: its flat index and units."""
    return {
        f"{table.cell_label(flat)}|{what}": (flat, [str(u) for u in ids])
        for flat, what, ids in table.all_unit_sets()
    }


def population(records: list[dict[str, Any]], value: str | None = None) -> dict[str, str]:
    """Each unit of a table's records with its record's version: every field but the unit
    and, in a table of means, the averaged ``value`` (the records of means carry a version
    of their own, the measurements a value is from; see :func:`_checked`)."""
    return {
        str(r[UNIT]): repr(sorted((k, str(v)) for k, v in r.items() if k not in (UNIT, value)))
        for r in records
    }


def build_figures(
    data: CaseworkRows, *, method: Method = "suppress", rules: DisclosureRules | None = None
) -> AnalystFigures:
    """Every analyst table, checked and released through one register (pure: no database)."""
    rules = rules or load_rules()
    register = ReleaseRegister(rules)
    labels = data.labels

    def label(kind: str, code: str) -> str:
        return labels.get(kind, {}).get(code, code)

    def order(kind: str) -> list[str]:
        return list(labels.get(kind, {}).values())

    def count(rows: str, cols: str | None = None, margins: bool = True) -> Any:
        def build(frame: pd.DataFrame) -> CheckedTable:
            return frequency_table(
                frame,
                rows,
                cols,
                margins=margins,
                unit=UNIT,
                rules=rules,
                method=method,
                name=rows,
                population=POPULATION,
            )

        return build

    figures: list[Figure] = []
    trajectories = data.trajectories

    started = Figure(
        "gestart-per-kwartaal",
        _("Gestarte trajecten per kwartaal"),
        _("Eenheid: traject. Per kwartaal waarin het traject begon."),
        _("Kwartaal"),
    )
    records = [
        {UNIT: f"t{t}", "kwartaal": quarter(opened)} for t, opened, _status, _reason in trajectories
    ]
    figures.append(_checked(started, register, records, count("kwartaal"), {}, _("Trajecten")))

    closed = Figure(
        "afgesloten-naar-reden",
        _("Afgesloten trajecten naar reden"),
        _("Eenheid: traject. Alleen afgesloten trajecten."),
        _("Reden"),
    )
    records = [
        {UNIT: f"t{t}", "reden": label("close_reason", reason) if reason else _("niet ingevuld")}
        for t, _opened, status, reason in trajectories
        if status == "closed"
    ]
    figures.append(
        _checked(
            closed,
            register,
            records,
            count("reden"),
            {"reden": order("close_reason")},
            _("Trajecten"),
        )
    )

    first_channel: dict[int, str] = {}
    # The earliest conversation first (same date: the one recorded first).
    for t, _conversation, _held_on, code in sorted(data.conversations, key=lambda c: (c[2], c[1])):
        first_channel.setdefault(t, code)
    channel = Figure(
        "kanaal-eerste-gesprek",
        _("Trajecten naar kanaal van het eerste gesprek"),
        _("Eenheid: traject met minstens één gesprek. Waar het eerste gesprek plaatsvond."),
        _("Kanaal"),
    )
    records = [{UNIT: f"t{t}", "kanaal": label("channel", c)} for t, c in first_channel.items()]
    figures.append(
        _checked(
            channel,
            register,
            records,
            count("kanaal"),
            {"kanaal": order("channel")},
            _("Trajecten"),
        )
    )

    routes = Figure(
        "routes",
        _("Trajecten per route"),
        _("Eenheid: traject op een route. Een traject kan meer routes volgen; daarom geen totaal."),
        _("Route"),
    )
    records = [
        {UNIT: f"t{t}:{route}", "route": label("route", route)}
        for t, route in sorted(set(data.routes))
    ]
    figures.append(
        _checked(
            routes,
            register,
            records,
            count("route", margins=False),
            {"route": order("route")},
            _("Trajecten"),
        )
    )

    goals = Figure(
        "doelen-naar-status",
        _("Trajecten met doelen, naar status van de doelen"),
        _(
            "Eenheid: traject met minstens één doel met deze status (niet het aantal doelen). "
            "Een traject kan doelen met verschillende status hebben; daarom geen totaal."
        ),
        _("Status van het doel"),
    )
    records = [
        {UNIT: f"t{t}:{status}", "status": label("goal_status", status)}
        for t, status in sorted(set(data.goals))
    ]
    figures.append(
        _checked(
            goals,
            register,
            records,
            count("status", margins=False),
            {"status": order("goal_status")},
            _("Trajecten"),
        )
    )

    referrals = Figure(
        "verwijzingen",
        _("Trajecten met verwijzingen, naar partner en status"),
        _(
            "Eenheid: traject met minstens één verwijzing naar deze partner met deze status. "
            "Geen totalen: een traject kan in meer cellen staan."
        ),
        _("Partner"),
    )
    records = [
        {UNIT: f"t{t}:{partner}:{status}", "partner": partner, "status": label("referral", status)}
        for t, partner, status in sorted(set(data.referrals))
    ]
    figures.append(
        _checked(
            referrals,
            register,
            records,
            count("partner", "status", margins=False),
            {"status": order("referral")},
        )
    )

    health = Figure(
        "positieve-gezondheid",
        _("Positieve Gezondheid: gemiddelde score bij het eerste en het laatste gesprek"),
        _(
            "Eenheid: traject met minstens twee gesprekken met scores (0 tot en met 10). "
            "Het spinnenweb is een gespreksinstrument, geen effectmeting."
        ),
        _("Dimensie"),
    )
    records = _score_records(data.scores, label)
    figures.append(
        _checked(
            health,
            register,
            records,
            lambda frame: magnitude_table(
                frame,
                "score",
                "dimensie",
                "moment",
                stat="mean",
                margins=False,
                unit=UNIT,
                rules=rules,
                name="positieve gezondheid",
                population=POPULATION,
            ),
            {"dimensie": order("dimension"), "moment": [FIRST, LATEST]},
            value="score",
        )
    )
    return AnalystFigures(figures, rules, method, register)


def _score_records(
    scores: list[tuple[int, int, date, str, int]], label: Callable[[str, str], str]
) -> list[dict[str, Any]]:
    """Scores at the first and the latest scored conversation of each trajectory with two."""
    by_trajectory: dict[int, dict[tuple[date, int], dict[str, int]]] = {}
    for t, conversation, held_on, dimension, score in scores:
        by_trajectory.setdefault(t, {}).setdefault((held_on, conversation), {})[dimension] = score
    records = []
    for t, conversations in by_trajectory.items():
        if len(conversations) < 2:
            continue
        keys = sorted(conversations)
        for moment, (_day, conversation) in ((FIRST, keys[0]), (LATEST, keys[-1])):
            for dimension, score in conversations[(_day, conversation)].items():
                records.append(
                    {
                        UNIT: f"t{t}:{dimension}:{moment}",
                        "dimensie": label("dimension", dimension),
                        "moment": moment,
                        "score": score,
                        # A later conversation is a new version, whatever its score.
                        "versie": f"{conversation}:{score}",
                    }
                )
    return records


def load_rows() -> CaseworkRows:
    """Read the casework as ids, dates and codes (every trajectory; aggregates only)."""
    from bestaanszekerheid.web.conversations.models import (
        Channel,
        Conversation,
        Dimension,
        PositiveHealthScore,
    )
    from bestaanszekerheid.web.plans.models import Goal, GoalStatus
    from bestaanszekerheid.web.referrals.models import Referral, ReferralStatus
    from bestaanszekerheid.web.trajectories.models import (
        CloseReason,
        Route,
        Trajectory,
        TrajectoryRoute,
    )

    def choices(kind: Any) -> dict[str, str]:
        return {code: str(name) for code, name in kind.choices}

    routes = {code: name.split(":")[0] for code, name in choices(Route).items()}
    return CaseworkRows(
        trajectories=list(
            Trajectory.objects.values_list("id", "opened_on", "status", "close_reason")
        ),
        routes=list(TrajectoryRoute.objects.values_list("trajectory_id", "route")),
        conversations=list(
            Conversation.objects.values_list("trajectory_id", "id", "held_on", "channel")
        ),
        goals=list(Goal.objects.values_list("trajectory_id", "status")),
        referrals=list(Referral.objects.values_list("trajectory_id", "partner__name", "status")),
        scores=list(
            PositiveHealthScore.objects.values_list(
                "conversation__trajectory_id",
                "conversation_id",
                "conversation__held_on",
                "dimension",
                "score",
            )
        ),
        labels={
            "close_reason": choices(CloseReason),
            "channel": choices(Channel),
            "route": routes,
            "goal_status": choices(GoalStatus),
            "referral": choices(ReferralStatus),
            "dimension": choices(Dimension),
        },
    )
