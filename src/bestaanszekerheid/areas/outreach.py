"""Where to ring the doorbell: for a budget of doors, the buurten that reach the most households
of a group, next to the usual "highest share first" list.

The planner reads *published* figures only: per buurt the number of households (doors) and the
expected number of households of the chosen group (reach), as the disclosure-checked tables of
:mod:`.distribution` publish them. A plan is a function of those figures alone, so it can never
say more than the published tables (ADR 0070). Buurten whose figures are not published (NaN)
are left out and listed, never guessed.

Whole buurten only: a visit rings every door of a buurt, because the door does not say who
belongs to the group. Choosing buurten is then a 0/1 knapsack: maximise the expected reach with
at most ``budget`` doors. :func:`plan_outreach` checks the input, has :mod:`.knapsack` solve it
exactly (a bound-based reduction and ``scipy.optimize.milp``), ties broken towards fewer doors,
and sets beside it the naive plan (highest share first, skipping what no longer fits) and the
trade-off curve (doors against expected reach) for both.

Figures are shown as they were published: a plan's totals are sums of published figures, not
rounded again and not corrected towards true values (which the planner never sees).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.areas import knapsack
from bestaanszekerheid.areas.knapsack import BoolArray, Problem
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct

Method = Literal["exact", "naive"]

#: Columns :func:`plan_outreach` reads (index: buurt code; extra columns are ignored).
INPUT_COLUMNS = ("name", "wijk_code", "doors", "reach")
#: Columns of a plan's table, in visiting order (highest share first).
PLAN_COLUMNS = (
    "buurtcode",
    "buurt",
    "wijkcode",
    "deuren",
    "verwacht bereik",
    "aandeel %",
    "cumulatief deuren",
    "cumulatief bereik",
)
#: Columns of the list of buurten left out of the plan.
EXCLUDED_COLUMNS = ("buurtcode", "buurt", "wijkcode", "deuren", "verwacht bereik", "reden")
#: Columns of the trade-off curve.
CURVE_COLUMNS = (
    "budget (deuren)",
    "gevraagd budget",
    "bereik exact",
    "bereik naïef",
)
DEFAULT_GROUP = "doelgroep"
DEFAULT_CURVE_STEPS = 20
#: The curve runs from 0 to this many times the budget (or all doors, if fewer): the choices a
#: team weighs lie around its budget, and a curve to every door of the city squeezes them into
#: its first few pixels.
CURVE_SPAN = 5


@dataclass(frozen=True)
class Selection:
    """One plan: the chosen buurten in visiting order and their totals.

    ``table`` has :data:`PLAN_COLUMNS`; ``reach_share`` is the reach as a fraction of the
    group's published total over the planned buurten (NaN when that total is 0).
    """

    method: Method
    table: pd.DataFrame
    doors: float
    reach: float
    reach_share: float

    @property
    def codes(self) -> tuple[str, ...]:
        """The chosen buurt codes, in visiting order."""
        return tuple(str(code) for code in self.table["buurtcode"])


@dataclass(frozen=True)
class OutreachPlan:
    """Where to ring the doorbell for one group and one door budget (see the module docstring).

    ``exact`` is the plan that reaches the most expected households of ``group`` within
    ``budget`` doors (fewest doors among equals); ``naive`` takes buurten by share, highest
    first, skipping one that no longer fits and going on down the list (never more reach
    than ``exact``). ``published_reach`` and
    ``published_doors`` are the group's published total and the doors over the planned
    buurten (every buurt with both figures published); ``excluded`` lists the others
    (:data:`EXCLUDED_COLUMNS`); ``curve`` is the trade-off curve (:data:`CURVE_COLUMNS`),
    doors against expected reach for both plans, at evenly spaced budgets and the requested one.
    """

    group: str
    budget: float
    exact: Selection
    naive: Selection
    published_doors: float
    published_reach: float
    excluded: pd.DataFrame
    curve: pd.DataFrame
    #: What an area of the plan is ("buurt", or "wijk" when the data have no buurten): for
    #: the wording of :meth:`summary` only.
    level: str = "buurt"

    @property
    def table(self) -> pd.DataFrame:
        """The exact plan's table (:data:`PLAN_COLUMNS`)."""
        return self.exact.table

    @property
    def doors(self) -> float:
        """Doors the exact plan rings."""
        return self.exact.doors

    @property
    def reach(self) -> float:
        """Expected households of the group the exact plan reaches."""
        return self.exact.reach

    @property
    def reach_share(self) -> float:
        """The exact plan's reach over the group's published total in the planned buurten."""
        return self.exact.reach_share

    @property
    def gain(self) -> float:
        """Expected households the exact plan reaches beyond the naive one (never negative)."""
        return self.exact.reach - self.naive.reach

    @property
    def n_excluded(self) -> int:
        """Number of buurten left out because a figure is not published."""
        return len(self.excluded)

    @property
    def average_share(self) -> float:
        """The group's share (%) over all planned buurten: what ringing at random reaches."""
        if self.published_doors <= 0:
            return math.nan
        return 100 * self.published_reach / self.published_doors

    @property
    def below_average(self) -> pd.DataFrame:
        """Rows of the exact plan whose share is below :attr:`average_share`: doors that fill
        the budget but reach fewer of the group than ringing anywhere would."""
        table = self.exact.table
        return table[table["aandeel %"] < round(self.average_share, 1)]

    @property
    def who(self) -> str:
        """The group in the reader's words: "de hele doelgroep" for the default group, a
        group key ("Groep 3") as it is, any other label quoted ("de groep 'klasse 3'")."""
        if self.group == DEFAULT_GROUP:
            return "de hele doelgroep"
        if self.group.startswith("Groep "):
            return self.group
        return f"de groep '{self.group}'"

    def summary(self) -> str:
        """The plan in two or three Dutch sentences, for a report or the command line."""
        decimals = _shown_decimals(self.exact.table["verwacht bereik"])
        text = (
            f"Deurenbudget {fmt_int(self.budget)}: {self._areas(len(self.exact.table))}, "
            f"{fmt_int(self.doors)} deuren met daarachter naar verwachting "
            f"{fmt_num(self.reach, decimals)} huishoudens uit {self.who} "
            f"({fmt_pct(100 * self.reach_share)} van het gepubliceerde totaal in de meegenomen "
            f"{self.level}en; hooguit, want niet iedereen doet open). "
            f"Hoogste aandeel eerst (wat niet meer past overslaan en verder met de volgende): "
            f"{self._areas(len(self.naive.table))}, {fmt_int(self.naive.doors)} deuren, "
            f"{fmt_num(self.naive.reach, decimals)} huishoudens."
        )
        below = self.below_average
        if len(below):
            text += (
                f" {self._areas(len(below))} in het plan ({fmt_int(below['deuren'].sum())} "
                f"deuren) {'heeft' if len(below) == 1 else 'hebben'} een aandeel onder het "
                f"gemiddelde van {fmt_pct(self.average_share)}: die deuren vullen het budget, "
                "maar bereiken minder dan ergens anders aanbellen; zet ze eventueel in bij "
                "consultatiebureaus of partners."
            )
        if self.n_excluded:
            text += (
                f" {self._areas(self.n_excluded)} niet meegenomen: de cijfers zijn niet "
                "gepubliceerd."
            )
        return text

    def _areas(self, n: int) -> str:
        return f"{n} {self.level if n == 1 else self.level + 'en'}"


# --------------------------------------------------------------------------- input


def _check_budget(budget: float) -> float:
    if isinstance(budget, bool) or not isinstance(budget, int | float | np.integer | np.floating):
        raise UserFacingError(
            f"Het deurenbudget moet een getal zijn (het aantal huishoudens om te bezoeken); "
            f"gekregen: {budget!r}."
        )
    value = float(budget)
    if math.isnan(value) or value <= 0:
        raise UserFacingError(
            "Het deurenbudget moet groter dan 0 zijn (het aantal huishoudens om te bezoeken); "
            f"gekregen: {budget!r}."
        )
    if math.isinf(value):
        raise UserFacingError(
            "Het deurenbudget moet een eindig getal zijn; voor alle buurten: geef het totaal "
            "aantal huishoudens of meer."
        )
    return value


def _check_areas(areas: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(areas, pd.DataFrame):
        raise UserFacingError(
            "Het planningsoverzicht moet een tabel zijn met per buurt de gepubliceerde cijfers "
            f"(kolommen {', '.join(INPUT_COLUMNS)})."
        )
    missing = [c for c in INPUT_COLUMNS if c not in areas.columns]
    if missing:
        raise UserFacingError(
            f"Het planningsoverzicht mist kolom(men) {', '.join(missing)}; verwacht: "
            f"{', '.join(INPUT_COLUMNS)} (per buurt: naam, wijkcode, gepubliceerd aantal "
            "huishoudens en gepubliceerd verwacht aantal huishoudens van de groep)."
        )
    if areas.empty:
        raise UserFacingError("Het planningsoverzicht bevat geen buurten.")
    codes = areas.index.astype(str)
    doubles = sorted(set(codes[codes.duplicated()]))
    if doubles:
        raise UserFacingError(
            f"Buurtcode(s) komen meer dan eens voor in het planningsoverzicht: "
            f"{', '.join(doubles[:8])}{' ...' if len(doubles) > 8 else ''}."
        )
    frame = pd.DataFrame(
        {
            "name": areas["name"].astype(str).to_numpy(),
            "wijk_code": areas["wijk_code"].astype(str).to_numpy(),
        },
        index=pd.Index(codes, name="buurtcode"),
    )
    for column, label in (("doors", "deuren"), ("reach", "verwacht bereik")):
        numbers = pd.to_numeric(areas[column], errors="coerce").to_numpy(dtype=float)
        bad = (areas[column].notna().to_numpy() & np.isnan(numbers)) | np.isinf(numbers)
        bad |= numbers < 0
        if bad.any():
            shown = ", ".join(f"{c} ({areas[column].iloc[i]!r})" for i, c in _first(codes, bad))
            raise UserFacingError(
                f"Kolom '{column}' ({label}) moet gepubliceerde aantallen bevatten (0 of meer, "
                f"leeg of NaN als het cijfer niet gepubliceerd is); niet bruikbaar: {shown}."
            )
        frame[column] = numbers
    return frame.sort_index(kind="stable")


def _first(codes: pd.Index, mask: NDArray[np.bool_], limit: int = 8) -> list[tuple[int, str]]:
    return [(int(i), str(codes[i])) for i in np.flatnonzero(mask)[:limit]]


def _excluded(frame: pd.DataFrame) -> pd.DataFrame:
    no_doors = frame["doors"].isna()
    no_reach = frame["reach"].isna()
    out = frame[no_doors | no_reach]
    # Only that a figure is missing, which the published table shows anyway; never why
    # (ADR 0031: no suppression reasons in published outputs).
    reason = np.where(
        no_doors[out.index] & no_reach[out.index],
        "deuren en verwacht bereik niet gepubliceerd",
        np.where(
            no_doors[out.index], "deuren niet gepubliceerd", "verwacht bereik niet gepubliceerd"
        ),
    )
    return pd.DataFrame(
        {
            "buurtcode": out.index.to_numpy(dtype=str),
            "buurt": out["name"].to_numpy(),
            "wijkcode": out["wijk_code"].to_numpy(),
            "deuren": out["doors"].to_numpy(),
            "verwacht bereik": out["reach"].to_numpy(),
            "reden": reason,
        },
        columns=list(EXCLUDED_COLUMNS),
    )


# --------------------------------------------------------------------------- output


def _shown_decimals(values: pd.Series) -> int:
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    for decimals in range(3):
        if np.allclose(finite, np.round(finite, decimals), rtol=0, atol=1e-9):
            return decimals
    return 2


def _selection(
    problem: Problem, chosen: BoolArray, method: Method, published_reach: float
) -> Selection:
    rows = problem.order[chosen[problem.order]]
    frame = problem.frame.iloc[rows]
    doors = frame["doors"].to_numpy(dtype=float)
    reach = frame["reach"].to_numpy(dtype=float)
    # Cumulative sums in solver units: 0.1 + 0.2 shows as 0.3, as a published sum would.
    cum_doors = problem.doors.published(np.cumsum(problem.doors.values[rows]))
    cum_reach = problem.reach.published(np.cumsum(problem.reach.values[rows]))
    table = pd.DataFrame(
        {
            "buurtcode": frame.index.to_numpy(dtype=str),
            "buurt": frame["name"].to_numpy(),
            "wijkcode": frame["wijk_code"].to_numpy(),
            "deuren": doors,
            "verwacht bereik": reach,
            "aandeel %": np.round(100 * reach / doors, 1),
            "cumulatief deuren": cum_doors,
            "cumulatief bereik": cum_reach,
        },
        columns=list(PLAN_COLUMNS),
    )
    total_reach = problem.reach.total(chosen)
    return Selection(
        method=method,
        table=table,
        doors=problem.doors.total(chosen),
        reach=total_reach,
        reach_share=total_reach / published_reach if published_reach > 0 else math.nan,
    )


def _plans(problem: Problem, budget: float, *, fewest: bool = True) -> tuple[BoolArray, BoolArray]:
    """The exact and the naive choice for a budget in published doors."""
    units = problem.doors.budget(budget)
    nothing = np.zeros(len(problem.order), dtype=bool)
    best = knapsack.exact(problem, units, fewest=fewest) if units > 0 else nothing
    return best, knapsack.naive(problem, units)


def _curve(
    problem: Problem,
    requested: tuple[float, tuple[BoolArray, BoolArray]],
    published_doors: float,
    steps: int,
) -> pd.DataFrame:
    budget, plans = requested
    upper = min(published_doors, CURVE_SPAN * budget)
    budgets = set(np.linspace(0.0, upper, steps + 1).tolist()) if steps else set()
    budgets.add(budget)
    rows = []
    for value in sorted(budgets):
        # Reach only: the tie-break changes doors, never reach, and is 40% of the time of a
        # national curve (benchmarks/outreach.py).
        exact, naive = plans if value == budget else _plans(problem, value, fewest=False)
        rows.append(
            {
                "budget (deuren)": value,
                "gevraagd budget": value == budget,
                "bereik exact": problem.reach.total(exact),
                "bereik naïef": problem.reach.total(naive),
            }
        )
    return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))


def plan_outreach(
    areas: pd.DataFrame,
    budget: float,
    *,
    group: str = DEFAULT_GROUP,
    curve_steps: int = DEFAULT_CURVE_STEPS,
    level: str = "buurt",
) -> OutreachPlan:
    """Where to ring the doorbell: the buurten that reach the most of ``group`` within
    ``budget`` doors, beside the naive "highest share first" list and the trade-off curve.

    ``areas``: the published figures per buurt, indexed by buurt code, with columns ``name``,
    ``wijk_code``, ``doors`` (households, every door of the buurt) and ``reach`` (expected
    households of ``group``; ``group`` only labels the plan). NaN means not published: such a
    buurt is listed in ``excluded`` and never guessed. Pass published figures only (from
    :mod:`.distribution`): the plan is computed from what it is given.

    The exact plan takes whole buurten with at most ``budget`` doors and the largest total
    reach, and among those the fewest doors; remaining ties (the same reach and doors) are
    settled deterministically, independent of the row order. The naive plan goes down the
    buurten by share (reach / doors), highest first (then fewer doors, then code), skips one
    that no longer fits in what is left of the budget and goes on with the next, as a team
    uses a ranked list; it never reaches more than the exact plan.
    Buurten with no doors or no expected reach are in neither plan, but their figures count in
    the published totals. A budget of all doors or more takes every buurt with expected reach.

    ``curve_steps``: the curve has budgets from 0 to all planned doors in that many equal steps,
    plus ``budget`` (0: only ``budget``), with the expected reach of both plans at each.

    Raises :class:`~bestaanszekerheid.errors.UserFacingError` (Dutch) for a budget that is not
    a positive finite number, missing columns, duplicate codes or unusable figures.
    """
    value = _check_budget(budget)
    if not isinstance(group, str) or not group.strip():
        raise UserFacingError(
            f"Geef de groep een naam (bijvoorbeeld '{DEFAULT_GROUP}'); gekregen: {group!r}."
        )
    if isinstance(curve_steps, bool) or not isinstance(curve_steps, int) or curve_steps < 0:
        raise UserFacingError(
            "Het aantal stappen van de afwegingscurve moet een geheel getal van 0 of meer zijn; "
            f"gekregen: {curve_steps!r}."
        )
    frame = _check_areas(areas)
    excluded = _excluded(frame)
    planned = frame[frame["doors"].notna() & frame["reach"].notna()]
    published_doors = knapsack.scale(planned["doors"].to_numpy(dtype=float))
    published_reach = knapsack.scale(planned["reach"].to_numpy(dtype=float))
    all_doors = published_doors.total(np.ones(len(planned), dtype=bool))
    all_reach = published_reach.total(np.ones(len(planned), dtype=bool))
    problem = knapsack.problem(planned)
    best, naive = plans = _plans(problem, value)
    return OutreachPlan(
        group=group,
        budget=value,
        exact=_selection(problem, best, "exact", all_reach),
        naive=_selection(problem, naive, "naive", all_reach),
        published_doors=all_doors,
        published_reach=all_reach,
        excluded=excluded,
        curve=_curve(problem, (value, plans), all_doors, curve_steps),
        level=level,
    )
