"""Checked tables: frequencies, sums/means, percentages and percentiles built from microdata.

Every figure is computed here from the unit-level data, together with the evidence the rules
need (unweighted counts, largest contributions); pre-aggregated tables are never trusted. The
result is a :class:`CheckedTable`: the publishable frame (hidden cells are missing, never the true
value), a status per cell and a record of every check, ready for the output log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.knowledge import (
    Knowledge,
    count_knowledge,
    proportion_knowledge,
)
from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.disclosure.secondary import Suppression, TableLayout, protect
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

Method = Literal["suppress", "round"]
Status = Literal["ok", "primary", "secondary", "rounded"]

TOTAL = "Totaal"
SUPPRESSED_MARK = "x"
TOTAL_LABEL = {"nl": "Totaal", "en": "Total"}

# Rule ids used in statuses and the log, and the rule in the TOML file that defines each one.
RULE_OF_REASON = {
    "min_count": "min_count",
    "zeros": "zeros_are_disclosive",
    "group_all": "group_disclosure",
    "dominance": "dominance_n",
    "p_percent": "p_percent",
    "percentile": "percentile_min_side",
    "differencing": "differencing",
}
REASON_NL = {
    "min_count": "minder dan {min_count} eenheden",
    "zeros": "lege cel: niemand in de groep (groepsonthulling)",
    "group_all": "iedereen in de groep heeft dezelfde waarde (groepsonthulling)",
    "dominance": "dominantie: {dominance_n} grootste bijdragen >= {dominance_k}%",
    "p_percent": "p%-regel ({p_percent}%)",
    "percentile": "percentiel is (bijna) de waarde van een enkele eenheid",
    "differencing": "verschil met een eerder gepubliceerde tabel zou een kleine groep onthullen",
    "secondary": "secundair: zou anders via totalen terug te rekenen zijn",
}
STAT_LABEL = {
    "nl": {"count": "aantal", "sum": "som", "mean": "gemiddelde", "percentage": "percentage"},
    "en": {"count": "count", "sum": "sum", "mean": "mean", "percentage": "percentage"},
}


@dataclass(frozen=True)
class CheckRecord:
    """One rule applied to a table: how many cells were tested and how many failed."""

    rule: str
    tested: int
    failed: int
    note: str = ""


@dataclass(frozen=True)
class CellReport:
    """A cell of the published table, for the log (never carries a hidden value)."""

    row: tuple[str, ...]
    col: tuple[str, ...]
    status: Status
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Shield:
    """Figures of a table that add up along its lines, and what their protection needs.

    ``kind``: "counts" (unit counts), "proportions" (numerators bounded by public
    denominators ``ceiling``) or "plain" (sums: at least ``lower``).
    """

    values: FloatArray
    width: FloatArray
    kind: Literal["counts", "proportions", "plain"]
    lower: float = 0.0
    ceiling: FloatArray | None = None
    unweighted: bool = True  # figures are exact unit counts (the rules' priors apply)


@dataclass
class _Grid:
    """Internal state of a checked table. Holds true values and unit ids: never exported."""

    layout: TableLayout
    row_keys: list[tuple[Any, ...]]
    col_keys: list[tuple[Any, ...]]
    value: FloatArray  # published statistic (true value), layout shape
    counts: IntArray  # unweighted units per cell
    units: list[NDArray[Any]]  # unit ids per flat cell
    extra_units: list[tuple[int, str, NDArray[Any]]]  # (flat cell, label, unit ids): numerators
    protect_grids: list[_Shield]
    primary: BoolArray
    reasons: list[list[str]]
    method: Method
    integer_counts: bool
    suppressed: BoolArray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    forced: BoolArray | None = None  # hidden for a linked table; needs no protection itself
    rounded: FloatArray | None = None
    protect_rounds: int = 0
    suppression: Suppression = "optimal"
    protection_notes: list[str] = field(default_factory=list)
    # What the attacker knows of each cell, and the protection interval per primary cell, as
    # used by the last protection of the first shield (for the run-level linked check).
    knowledge: Knowledge | None = None
    need: tuple[FloatArray, FloatArray] | None = None


@dataclass
class CheckedTable:
    """A table that passed the disclosure rules, with the evidence for the output checker.

    ``frame`` is what may be published: suppressed cells are missing (NaN), never the true
    value. ``status`` gives ``ok``, ``primary``, ``secondary`` or ``rounded`` per cell.
    """

    name: str
    kind: str
    statistic: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    margins: bool
    weighted: bool
    rules: DisclosureRules
    checks: list[CheckRecord]
    population: str
    population_hash: str
    missing_excluded: int
    _grid: _Grid = field(repr=False)
    unit: str | None = None
    notes: list[str] = field(default_factory=list)

    # -- what may be published -------------------------------------------------------------
    @property
    def rules_version(self) -> str:
        """Version of the rules this table was checked against."""
        return self.rules.version

    @property
    def method(self) -> Method:
        """'suppress' (secondary suppression) or 'round' (base-``rounding_base`` rounding)."""
        return self._grid.method

    @property
    def frame(self) -> pd.DataFrame:
        """The safe table: NaN where suppressed; rounded values when rounding was chosen."""
        g = self._grid
        shown = g.rounded if g.rounded is not None else self._display_values()
        values = np.where(g.suppressed, np.nan, shown)
        return pd.DataFrame(values, index=self._index(), columns=self._columns())

    @property
    def status(self) -> pd.DataFrame:
        """Per cell: 'ok', 'primary', 'secondary' or 'rounded'."""
        g = self._grid
        out = np.full(g.layout.shape, "ok", dtype=object)
        if g.rounded is not None:
            out[:] = "rounded"
        out[g.suppressed] = "secondary"
        out[g.primary] = "primary"
        return pd.DataFrame(out, index=self._index(), columns=self._columns())

    def to_frame(self, lang: str = "nl") -> pd.DataFrame:
        """Publishable frame with Dutch (or English) labels and 'x' for suppressed cells."""
        frame = self.frame.astype(object)
        frame = frame.where(~self._grid.suppressed, SUPPRESSED_MARK)
        if self._grid.integer_counts and self.statistic == "count":
            frame = frame.map(lambda v: int(v) if isinstance(v, float) else v)
        elif self.statistic in ("mean", "percentage") or self.kind == "percentile":
            frame = frame.map(lambda v: round(v, 1) if isinstance(v, float) else v)
        rename = {TOTAL: TOTAL_LABEL.get(lang, TOTAL)}
        frame = frame.rename(index=rename, columns=rename)
        if not self._grid.layout.two_d:
            labels = STAT_LABEL.get(lang, STAT_LABEL["en"])
            frame.columns = [labels.get(self.statistic, self.statistic)]
        return frame

    def write_csv(self, path: str | Path, lang: str = "nl") -> Path:
        """Write the publishable frame as CSV (atomically; ';' separator, ',' decimals for nl)."""
        target = Path(path)
        sep, decimal = (";", ",") if lang == "nl" else (",", ".")
        with atomic_path(target) as tmp:
            self.to_frame(lang).to_csv(tmp, sep=sep, decimal=decimal, encoding="utf-8")
        return target

    def cells(self) -> Iterator[CellReport]:
        """Every cell with its status and (for primary cells) the rules it failed."""
        g = self._grid
        status = self.status.to_numpy()
        n_rows, n_cols = g.layout.shape
        for r in range(n_rows):
            for c in range(n_cols):
                flat = r * n_cols + c
                reasons = tuple(g.reasons[flat]) if g.primary[r, c] else ()
                if not g.primary[r, c] and g.suppressed[r, c]:
                    reasons = tuple(g.reasons[flat]) or ("secondary",)
                yield CellReport(
                    row=tuple(str(k) for k in self._row_key(r)),
                    col=tuple(str(k) for k in self._col_key(c)),
                    status=status[r, c],
                    reasons=reasons,
                )

    # -- internals used by the register and the tests ----------------------------------------
    def published_unit_sets(self) -> list[tuple[int, str, NDArray[Any]]]:
        """(flat cell, what, unit ids) for every published figure. Internal: never export."""
        g = self._grid
        out: list[tuple[int, str, NDArray[Any]]] = []
        flat_supp = g.suppressed.ravel()
        for flat, ids in enumerate(g.units):
            if not flat_supp[flat]:
                out.append((flat, "cell", ids))
        for flat, label, ids in g.extra_units:
            if not flat_supp[flat]:
                out.append((flat, label, ids))
        return out

    def cell_units(self, flat: int) -> NDArray[Any]:
        """Unit ids of a flat cell. Internal: never export."""
        return self._grid.units[flat]

    def interior_cells(self) -> list[int]:
        """Flat indices of the cells that are not totals."""
        return [int(i) for i in np.flatnonzero(~self._grid.layout.is_margin().ravel())]

    def cell_label(self, flat: int) -> str:
        """Readable label of a flat cell index (for the log)."""
        n_cols = self._grid.layout.shape[1]
        r, c = divmod(flat, n_cols)
        row = " / ".join(str(k) for k in self._row_key(r))
        col = " / ".join(str(k) for k in self._col_key(c))
        return f"{row} × {col}" if self._grid.layout.two_d else row

    def suppress_more(self, flats: Sequence[int], reason: str, *, primary: bool = True) -> None:
        """Hide more cells and redo secondary suppression.

        ``primary=True``: the cells themselves must be protected like primary cells (e.g. a
        total that differs by a few units from another output). ``primary=False``: they are
        hidden only to protect a cell of another output, and need no protection of their own.
        """
        g = self._grid
        flat_primary = g.primary.ravel().copy()
        forced = np.zeros(flat_primary.size, dtype=bool) if g.forced is None else g.forced.ravel()
        for f in flats:
            if primary:
                flat_primary[f] = True
            else:
                forced[f] = True
            if reason not in g.reasons[f]:
                g.reasons[f].append(reason)
        g.primary = flat_primary.reshape(g.layout.shape)
        g.forced = forced.reshape(g.layout.shape)
        _run_protection(g, self.rules)

    def hidden_count_knowledge(
        self,
    ) -> list[tuple[int, NDArray[Any], float, float, bool, float, float]]:
        """Per hidden cell of an exact count table: (flat cell, unit ids, a priori low and high,
        primary, protection interval low and high). Internal: never export."""
        g = self._grid
        if self.published_counts() is None or g.knowledge is None or g.need is None:
            return []
        lo, hi = g.knowledge.hidden_low.ravel(), g.knowledge.hidden_high.ravel()
        need_lo, need_hi = g.need[0].ravel(), g.need[1].ravel()
        primary = g.primary.ravel()
        return [
            (
                int(f),
                g.units[int(f)],
                float(lo[f]),
                float(hi[f]),
                bool(primary[f]),
                float(need_lo[f]),
                float(need_hi[f]),
            )
            for f in np.flatnonzero(g.suppressed.ravel())
        ]

    def hidden_primary_unit_sets(self) -> list[tuple[int, NDArray[Any]]]:
        """(flat cell, unit ids) of every primary cell. Internal: never export."""
        g = self._grid
        return [(int(f), g.units[int(f)]) for f in np.flatnonzero(g.primary.ravel())]

    def published_counts(self) -> list[tuple[int, float]] | None:
        """(flat cell, exact unweighted count) of published cells, or None when the table's
        figures are not exact unit counts (weighted, rounded, magnitudes, percentages)."""
        g = self._grid
        if self.kind != "frequency" or self.weighted or g.rounded is not None:
            return None
        flat_supp = g.suppressed.ravel()
        counts = g.counts.ravel()
        return [(f, float(counts[f])) for f in range(counts.size) if not flat_supp[f]]

    def _display_values(self) -> FloatArray:
        return self._grid.value

    def _row_key(self, r: int) -> tuple[Any, ...]:
        g = self._grid
        return g.row_keys[r] if r < len(g.row_keys) else (TOTAL,) * len(self.rows)

    def _col_key(self, c: int) -> tuple[Any, ...]:
        g = self._grid
        if not g.layout.two_d:
            return (self.statistic,)
        return g.col_keys[c] if c < len(g.col_keys) else (TOTAL,) * len(self.cols)

    def _index(self) -> pd.Index:
        keys = [self._row_key(r) for r in range(self._grid.layout.shape[0])]
        if len(self.rows) == 1:
            plain: pd.Index = pd.Index([k[0] for k in keys], name=self.rows[0])
            return plain
        multi: pd.Index = pd.MultiIndex.from_tuples(keys, names=list(self.rows))
        return multi

    def _columns(self) -> pd.Index:
        keys = [self._col_key(c) for c in range(self._grid.layout.shape[1])]
        if not self._grid.layout.two_d:
            single: pd.Index = pd.Index([self.statistic])
            return single
        if len(self.cols) == 1:
            plain: pd.Index = pd.Index([k[0] for k in keys], name=self.cols[0])
            return plain
        multi: pd.Index = pd.MultiIndex.from_tuples(keys, names=list(self.cols))
        return multi


# ---------------------------------------------------------------------------------------------
# Public builders
# ---------------------------------------------------------------------------------------------


def frequency_table(
    data: pd.DataFrame,
    rows: str | Sequence[str],
    cols: str | Sequence[str] | None = None,
    *,
    margins: bool = True,
    weight: str | None = None,
    unit: str | None = None,
    rules: DisclosureRules | None = None,
    method: Method = "suppress",
    name: str | None = None,
    population: str = "",
    suppression: Suppression = "optimal",
) -> CheckedTable:
    """Counts of units per category (weighted if ``weight``), checked and protected.

    Primary rules: fewer than ``min_count`` units; empty cells (zeros) and cells holding everyone
    of a row or column group (group disclosure). With ``margins``, secondary suppression (or, with
    ``method="round"``, rounding of every published count to base ``rounding_base``) makes sure no
    hidden cell can be recovered from the totals.
    """
    rules = rules or load_rules()
    prep = _prepare(data, rows, cols, None, weight, unit, rules)
    ev = _evidence(prep, margins, rules, want_values=False)
    primary, reasons, checks = _count_rules(ev, rules)
    scale = float(np.mean(prep.weights)) if prep.weighted and prep.n else 1.0
    required = np.full(ev.layout.shape, rules.protection_width_counts * scale)
    grid = _Grid(
        layout=ev.layout,
        row_keys=prep.row_keys,
        col_keys=prep.col_keys,
        value=ev.wcount,
        counts=ev.count,
        units=ev.units,
        extra_units=[],
        protect_grids=[_Shield(ev.wcount, required, "counts", unweighted=not prep.weighted)],
        primary=primary,
        reasons=reasons,
        method=method,
        integer_counts=not prep.weighted,
        suppression=suppression,
    )
    if method not in ("suppress", "round"):
        raise UserFacingError(f"Onbekende methode {method!r}: kies 'suppress' of 'round'.")
    _run_protection(grid, rules)
    return _table(prep, grid, rules, "frequency", "count", margins, checks, name, population)


def magnitude_table(
    data: pd.DataFrame,
    value: str,
    rows: str | Sequence[str],
    cols: str | Sequence[str] | None = None,
    *,
    stat: str = "sum",
    margins: bool = True,
    weight: str | None = None,
    unit: str | None = None,
    rules: DisclosureRules | None = None,
    name: str | None = None,
    population: str = "",
    suppression: Suppression = "optimal",
) -> CheckedTable:
    """Sum or mean of ``value`` per category, with threshold, dominance and p% checks.

    Dominance and the p% rule use absolute contributions per unit (unweighted, and weighted as
    well when ``weight`` is given: a cell fails if either fails). Units with a missing value are
    left out and counted in the log. ``min``/``max`` are refused; for medians use
    :func:`percentile_table`. Secondary suppression protects the sums (counts are assumed
    public, which is the cautious assumption for means).
    """
    rules = rules or load_rules()
    if stat in rules.forbidden_statistics:
        raise UserFacingError(
            f"'{stat}' mag niet worden gepubliceerd: {rules.describe('forbidden_statistics')}"
        )
    if stat not in ("sum", "mean"):
        raise UserFacingError(
            f"Onbekende statistiek {stat!r} voor een grootheidstabel: kies 'sum' of 'mean' "
            "(percentielen: percentile_table)."
        )
    prep = _prepare(data, rows, cols, value, weight, unit, rules)
    ev = _evidence(prep, margins, rules, want_values=True)
    primary, reasons, checks = _count_rules(ev, rules, magnitude=True)
    _dominance_rules(ev, rules, primary, reasons, checks, prep.weighted)
    assert ev.wsum is not None and ev.top1 is not None
    scale = np.maximum(np.abs(ev.wsum), ev.top1)
    required = np.maximum(2 * rules.protection_percent_magnitude / 100 * scale, 1.0)
    nonnegative = bool((prep.values >= 0).all()) if prep.values is not None else True
    published = ev.wsum if stat == "sum" else _safe_div(ev.wsum, ev.wcount)
    grid = _Grid(
        layout=ev.layout,
        row_keys=prep.row_keys,
        col_keys=prep.col_keys,
        value=published,
        counts=ev.count,
        units=ev.units,
        extra_units=[],
        protect_grids=[_Shield(ev.wsum, required, "plain", 0.0 if nonnegative else -np.inf)],
        primary=primary,
        reasons=reasons,
        method="suppress",
        integer_counts=False,
        suppression=suppression,
    )
    _run_protection(grid, rules)
    table = _table(prep, grid, rules, "magnitude", stat, margins, checks, name, population)
    table.notes.append(f"variabele: {value}")
    return table


def percentage_table(
    data: pd.DataFrame,
    indicator: str,
    rows: str | Sequence[str],
    cols: str | Sequence[str] | None = None,
    *,
    margins: bool = True,
    weight: str | None = None,
    unit: str | None = None,
    rules: DisclosureRules | None = None,
    name: str | None = None,
    population: str = "",
    suppression: Suppression = "optimal",
) -> CheckedTable:
    """Percentage of units per cell for which boolean column ``indicator`` is true.

    The numerator, the denominator and the complement (units without the property) must each
    have at least ``min_count`` units: 0% and 100% are group disclosure, and 97% of 100 reveals
    that 3 units lack the property. Denominators are treated as public, so secondary
    suppression protects both the numerators and the complements against subtraction.
    """
    rules = rules or load_rules()
    prep = _prepare(data, rows, cols, indicator, weight, unit, rules, boolean=True)
    ev = _evidence(prep, margins, rules, want_values=True)
    assert ev.wsum is not None and ev.num_count is not None and ev.num_units is not None
    primary = np.zeros(ev.layout.shape, dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(primary.size)]
    n = ev.count
    k = ev.num_count
    small_den = (n < rules.min_count) & (n > 0)
    small_num = (k < rules.min_count) & (k > 0)
    small_comp = (n - k < rules.min_count) & (n - k > 0)
    checks = [
        _mark(primary, reasons, small_den, "min_count", "noemer"),
        _mark(primary, reasons, small_num, "min_count", "teller"),
        _mark(primary, reasons, small_comp, "min_count", "eenheden zonder het kenmerk"),
    ]
    if rules.zeros_are_disclosive:
        checks.append(_mark(primary, reasons, n == 0, "zeros", "lege groep"))
    if rules.group_disclosure:
        checks.append(_mark(primary, reasons, (k == 0) & (n > 0), "zeros", "0%: niemand"))
        checks.append(_mark(primary, reasons, (k == n) & (n > 0), "group_all", "100%: iedereen"))
    scale = float(np.mean(prep.weights)) if prep.weighted and prep.n else 1.0
    required = np.full(ev.layout.shape, rules.protection_width_counts * scale)
    grid = _Grid(
        layout=ev.layout,
        row_keys=prep.row_keys,
        col_keys=prep.col_keys,
        value=100.0 * _safe_div(ev.wsum, ev.wcount),
        counts=ev.count,
        units=ev.units,
        extra_units=[(f, "teller", ids) for f, ids in enumerate(ev.num_units)],
        # Numerator and complement add up to the (public) denominator, so bounding the numerator
        # by 0 and the denominator protects both.
        protect_grids=[
            _Shield(ev.wsum, required, "proportions", 0.0, ev.wcount, not prep.weighted)
        ],
        primary=primary,
        reasons=reasons,
        method="suppress",
        integer_counts=False,
        suppression=suppression,
    )
    _run_protection(grid, rules)
    table = _table(prep, grid, rules, "percentage", "percentage", margins, checks, name, population)
    table.notes.append(f"kenmerk: {indicator}")
    return table


def percentile_table(
    data: pd.DataFrame,
    value: str,
    rows: str | Sequence[str],
    *,
    q: float = 50.0,
    margins: bool = True,
    unit: str | None = None,
    rules: DisclosureRules | None = None,
    name: str | None = None,
    population: str = "",
) -> CheckedTable:
    """The ``q``-th percentile (linear interpolation) of ``value`` per row category.

    Published only when at least ``percentile_min_side`` units lie strictly below and strictly
    above the percentile and it is not the exact value of 1 to ``min_count - 1`` units (so it
    is never one household's value, and never near the minimum or maximum). Unweighted only.
    Percentiles are not additive, so no secondary suppression is needed.
    """
    rules = rules or load_rules()
    if not 0 < q < 100:
        raise UserFacingError(
            f"Percentiel {q} kan niet: 0 en 100 zijn minimum en maximum, die nooit "
            "gepubliceerd worden. Kies een waarde tussen 0 en 100."
        )
    prep = _prepare(data, rows, None, value, None, unit, rules)
    layout = TableLayout(len(prep.row_keys), 1, margins, two_d=False)
    n_rows = layout.shape[0]
    assert prep.values is not None
    groups = [np.flatnonzero(prep.row_code == r) for r in range(len(prep.row_keys))]
    if margins:
        groups.append(np.arange(prep.n))
    value_out = np.full((n_rows, 1), np.nan)
    counts = np.zeros((n_rows, 1), dtype=np.int64)
    primary = np.zeros((n_rows, 1), dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(n_rows)]
    failed = 0
    for r, members in enumerate(groups):
        vals = np.sort(prep.values[members])
        counts[r, 0] = vals.size
        if vals.size == 0:
            primary[r, 0] = True
            reasons[r].append("zeros")
            continue
        p = float(np.percentile(vals, q))
        value_out[r, 0] = p
        below = int((vals < p).sum())
        above = int((vals > p).sum())
        equal = int((vals == p).sum())
        safe = (
            vals.size >= rules.min_count
            and below >= rules.percentile_min_side
            and above >= rules.percentile_min_side
            and (equal == 0 or equal >= rules.min_count)
        )
        if vals.size < rules.min_count:
            reasons[r].append("min_count")
        if not safe:
            primary[r, 0] = True
            reasons[r].append("percentile")
            failed += 1
    checks = [
        CheckRecord("min_count", n_rows, int(((counts < rules.min_count) & (counts > 0)).sum())),
        CheckRecord("percentile", n_rows, failed, f"p{q:g}"),
    ]
    grid = _Grid(
        layout=layout,
        row_keys=prep.row_keys,
        col_keys=[()],
        value=value_out,
        counts=counts,
        units=[prep.unit_ids[m] for m in groups],
        extra_units=[],
        protect_grids=[],
        primary=primary,
        reasons=reasons,
        method="suppress",
        integer_counts=False,
    )
    _run_protection(grid, rules)
    stat = f"p{q:g}"
    return _table(prep, grid, rules, "percentile", stat, margins, checks, name, population)


def round_to_base(values: FloatArray, base: int) -> FloatArray:
    """Round half up to a multiple of ``base`` (Python's round() would round half to even)."""
    return np.floor(np.asarray(values, dtype=float) / base + 0.5) * base


# ---------------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    row_code: IntArray
    col_code: IntArray
    row_keys: list[tuple[Any, ...]]
    col_keys: list[tuple[Any, ...]]
    unit_ids: NDArray[Any]
    weights: FloatArray
    weighted: bool
    values: FloatArray | None
    missing: int
    population_hash: str
    unit: str | None

    @property
    def n(self) -> int:
        return int(self.row_code.size)


def _as_tuple(columns: str | Sequence[str] | None) -> tuple[str, ...]:
    if columns is None:
        return ()
    if isinstance(columns, str):
        return (columns,)
    return tuple(columns)


def _prepare(
    data: pd.DataFrame,
    rows: str | Sequence[str],
    cols: str | Sequence[str] | None,
    value: str | None,
    weight: str | None,
    unit: str | None,
    rules: DisclosureRules,
    *,
    boolean: bool = False,
) -> _Prepared:
    row_cols = _as_tuple(rows)
    col_cols = _as_tuple(cols)
    if not row_cols:
        raise UserFacingError("Geef minstens één rijvariabele op.")
    needed = [*row_cols, *col_cols, *(c for c in (value, weight, unit) if c)]
    missing_cols = [c for c in needed if c not in data.columns]
    if missing_cols:
        raise UserFacingError(f"Kolom(men) ontbreken in de gegevens: {', '.join(missing_cols)}.")
    ids = data[unit] if unit else pd.Series(data.index, index=data.index)
    if ids.isna().any() or ids.duplicated().any():
        raise UserFacingError(
            "Elke regel moet precies één eenheid zijn (uniek, niet leeg "
            f"{'in kolom ' + unit if unit else 'in de index'}): tel per huishouden of persoon."
        )
    keep = data[[*row_cols, *col_cols]].notna().all(axis=1)
    vals: pd.Series | None = None
    if value is not None:
        raw = data[value]
        if boolean:
            if raw.dropna().isin([True, False, 0, 1]).all():
                vals = raw.astype("float64")
            else:
                raise UserFacingError(f"Kolom {value} moet waar/onwaar (of 0/1) zijn.")
        else:
            vals = pd.to_numeric(raw, errors="coerce")
        keep &= vals.notna()
    if weight is not None:
        w = pd.to_numeric(data[weight], errors="coerce")
        if (w.dropna() <= 0).any():
            raise UserFacingError(f"Gewichten in kolom {weight} moeten positief zijn.")
        keep &= w.notna()
    missing = int((~keep).sum())
    if not keep.any():
        raise UserFacingError(
            "Geen eenheden om te tellen: de gegevens zijn leeg of elke regel mist een waarde "
            f"in {', '.join(needed)}."
        )
    frame = data.loc[keep]
    row_code, row_keys = _codes(frame, row_cols)
    if col_cols:
        col_code, col_keys = _codes(frame, col_cols)
    else:
        col_code, col_keys = np.zeros(len(frame), dtype=np.int64), [()]
    unit_ids = ids.loc[keep].to_numpy()
    digest = hashlib.sha256()
    for uid in sorted(str(u) for u in unit_ids):
        digest.update(uid.encode("utf-8") + b"\x00")
    weights = (
        pd.to_numeric(frame[weight]).to_numpy(dtype=float)
        if weight
        else np.ones(len(frame), dtype=float)
    )
    return _Prepared(
        rows=row_cols,
        cols=col_cols,
        row_code=row_code,
        col_code=col_code,
        row_keys=row_keys,
        col_keys=col_keys,
        unit_ids=unit_ids,
        weights=weights,
        weighted=weight is not None,
        values=None if vals is None else vals.loc[keep].to_numpy(dtype=float),
        missing=missing,
        population_hash=digest.hexdigest(),
        unit=unit,
    )


def _codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[IntArray, list[tuple[Any, ...]]]:
    """Integer code per unit and the category keys; declared categories of one categorical
    column are all kept (so empty categories show up as zero cells)."""
    if len(columns) == 1 and isinstance(frame[columns[0]].dtype, pd.CategoricalDtype):
        series = frame[columns[0]]
        codes = series.cat.codes.to_numpy().astype(np.int64)
        return codes, [(c,) for c in series.cat.categories]
    tuples: list[tuple[Hashable, ...]] = list(
        zip(*(frame[c].tolist() for c in columns), strict=True)
    )
    unique = set(tuples)
    try:
        keys = sorted(unique)
    except TypeError:
        keys = sorted(unique, key=lambda t: tuple(str(x) for x in t))
    lookup = {k: i for i, k in enumerate(keys)}
    codes = np.fromiter((lookup[t] for t in tuples), dtype=np.int64, count=len(tuples))
    return codes, [tuple(k) for k in keys]


@dataclass
class _Evidence:
    layout: TableLayout
    count: IntArray
    wcount: FloatArray
    units: list[NDArray[Any]]
    line_members: list[tuple[tuple[int, ...], int]]  # lines over the full grid (for groups)
    full_count: IntArray
    publish_slice: tuple[slice, slice]
    wsum: FloatArray | None = None
    top1: FloatArray | None = None
    top2: FloatArray | None = None
    topn: FloatArray | None = None
    abs_total: FloatArray | None = None
    wtop1: FloatArray | None = None
    wtop2: FloatArray | None = None
    wtopn: FloatArray | None = None
    wabs_total: FloatArray | None = None
    all_same: BoolArray | None = None
    num_count: IntArray | None = None
    num_units: list[NDArray[Any]] | None = None


def _evidence(
    prep: _Prepared, margins: bool, rules: DisclosureRules, *, want_values: bool
) -> _Evidence:
    """Cell evidence over the full grid (interior + all margins), sliced to what is shown."""
    two_d = bool(prep.cols)
    n_r, n_c = len(prep.row_keys), len(prep.col_keys)
    full = TableLayout(n_r, n_c, True, two_d)
    full_rows, full_cols = full.shape
    r, c = prep.row_code, prep.col_code
    memberships = [r * full_cols + c]
    if two_d:
        memberships += [
            r * full_cols + n_c,
            n_r * full_cols + c,
            np.full_like(r, n_r * full_cols + n_c),
        ]
    else:
        memberships.append(np.full_like(r, n_r))
    cell_of = np.concatenate(memberships)
    unit_pos = np.tile(np.arange(prep.n), len(memberships))
    n_cells = full_rows * full_cols
    weights = np.tile(prep.weights, len(memberships))
    count = np.bincount(cell_of, minlength=n_cells).astype(np.int64)
    wcount = np.bincount(cell_of, weights=weights, minlength=n_cells)
    order = np.argsort(cell_of, kind="stable")
    starts = np.searchsorted(cell_of[order], np.arange(n_cells + 1))
    units_full = [prep.unit_ids[unit_pos[order[starts[i] : starts[i + 1]]]] for i in range(n_cells)]

    pub_rows = n_r + (1 if margins else 0)
    pub_cols = n_c + (1 if (margins and two_d) else 0)
    sl = (slice(0, pub_rows), slice(0, pub_cols))
    layout = TableLayout(n_r, n_c, margins, two_d)

    def cut(a: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(a).reshape(full.shape)[sl].copy()

    def cut_list(items: list[NDArray[Any]]) -> list[NDArray[Any]]:
        idx = np.arange(n_cells).reshape(full.shape)[sl].ravel()
        return [items[i] for i in idx]

    ev = _Evidence(
        layout=layout,
        count=cut(count),
        wcount=cut(wcount),
        units=cut_list(units_full),
        line_members=full.lines(),
        full_count=count.reshape(full.shape),
        publish_slice=sl,
    )
    if want_values and prep.values is not None:
        vals = np.tile(prep.values, len(memberships))
        ev.wsum = cut(np.bincount(cell_of, weights=weights * vals, minlength=n_cells))
        t1, t2, tn, tot = _top(np.abs(vals), cell_of, n_cells, rules.dominance_n)
        ev.top1, ev.top2, ev.topn, ev.abs_total = cut(t1), cut(t2), cut(tn), cut(tot)
        w1, w2, wn, wtot = _top(np.abs(vals * weights), cell_of, n_cells, rules.dominance_n)
        ev.wtop1, ev.wtop2, ev.wtopn, ev.wabs_total = cut(w1), cut(w2), cut(wn), cut(wtot)
        lo = np.full(n_cells, np.inf)
        hi = np.full(n_cells, -np.inf)
        np.minimum.at(lo, cell_of, vals)
        np.maximum.at(hi, cell_of, vals)
        ev.all_same = cut((lo == hi) & (count > 0))
        flags = vals > 0.5
        ev.num_count = cut(np.bincount(cell_of[flags], minlength=n_cells).astype(np.int64))
        ordered_flags = flags[order]
        ev.num_units = cut_list(
            [
                prep.unit_ids[
                    unit_pos[
                        order[starts[i] : starts[i + 1]][ordered_flags[starts[i] : starts[i + 1]]]
                    ]
                ]
                for i in range(n_cells)
            ]
        )
    return ev


def _top(
    contrib: FloatArray, cell_of: IntArray, n_cells: int, n_top: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Largest, second largest and top-n sum of contributions per cell, and the cell total."""
    order = np.lexsort((-contrib, cell_of))
    cells = cell_of[order]
    sorted_contrib = contrib[order]
    starts = np.searchsorted(cells, np.arange(n_cells))
    rank = np.arange(cells.size) - starts[cells]
    top1 = np.zeros(n_cells)
    top2 = np.zeros(n_cells)
    topn = np.zeros(n_cells)
    top1[cells[rank == 0]] = sorted_contrib[rank == 0]
    top2[cells[rank == 1]] = sorted_contrib[rank == 1]
    in_top = rank < n_top
    np.add.at(topn, cells[in_top], sorted_contrib[in_top])
    total = np.bincount(cell_of, weights=contrib, minlength=n_cells).astype(np.float64)
    return top1, top2, topn, total


def _mark(
    primary: BoolArray, reasons: list[list[str]], fail: BoolArray, rule: str, note: str = ""
) -> CheckRecord:
    fail = np.asarray(fail, dtype=bool)
    for flat in np.flatnonzero(fail.ravel()):
        if rule not in reasons[flat]:
            reasons[flat].append(rule)
    primary |= fail
    return CheckRecord(rule, int(fail.size), int(fail.sum()), note)


def _count_rules(
    ev: _Evidence, rules: DisclosureRules, *, magnitude: bool = False
) -> tuple[BoolArray, list[list[str]], list[CheckRecord]]:
    primary = np.zeros(ev.layout.shape, dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(primary.size)]
    n = ev.count
    checks = [_mark(primary, reasons, (n > 0) & (n < rules.min_count), "min_count")]
    if rules.zeros_are_disclosive:
        checks.append(_mark(primary, reasons, n == 0, "zeros", "lege cel"))
    if rules.group_disclosure:
        if magnitude:
            assert ev.all_same is not None
            same = ev.all_same & (n >= 2)
            checks.append(_mark(primary, reasons, same, "group_all", "alle waarden gelijk"))
        else:
            checks.append(_mark(primary, reasons, _group_all(ev), "group_all", "iedereen"))
    return primary, reasons, checks


def _group_all(ev: _Evidence) -> BoolArray:
    """Cells that hold every unit of a row or column group with two or more categories."""
    full = ev.full_count.ravel()
    flag = np.zeros(full.size, dtype=bool)
    for parts, total in ev.line_members:
        if len(parts) < 2 or full[total] == 0:
            continue
        for p in parts:
            if full[p] == full[total]:
                flag[p] = True
    return flag.reshape(ev.full_count.shape)[ev.publish_slice].copy()


def _dominance_rules(
    ev: _Evidence,
    rules: DisclosureRules,
    primary: BoolArray,
    reasons: list[list[str]],
    checks: list[CheckRecord],
    weighted: bool,
) -> None:
    assert ev.topn is not None and ev.abs_total is not None
    assert ev.top1 is not None and ev.top2 is not None
    variants = [(ev.top1, ev.top2, ev.topn, ev.abs_total)]
    if weighted:
        assert ev.wtop1 is not None and ev.wtop2 is not None
        assert ev.wtopn is not None and ev.wabs_total is not None
        variants.append((ev.wtop1, ev.wtop2, ev.wtopn, ev.wabs_total))
    dominant = np.zeros(ev.layout.shape, dtype=bool)
    p_fail = np.zeros(ev.layout.shape, dtype=bool)
    for top1, top2, topn, total in variants:
        positive = total > 0
        dominant |= positive & (topn >= rules.dominance_k / 100 * total)
        remainder = total - top1 - top2
        p_fail |= (top1 > 0) & (remainder < rules.p_percent / 100 * top1)
    checks.append(_mark(primary, reasons, dominant, "dominance"))
    checks.append(_mark(primary, reasons, p_fail, "p_percent"))


def _safe_div(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def _knowledge(g: _Grid, shield: _Shield, rules: DisclosureRules) -> Knowledge:
    """What an attacker who knows the rules knows of each cell of ``shield`` (see
    :mod:`.knowledge`)."""
    shape = g.layout.shape
    rounding = (0.0, 0.0)
    if g.method == "round":
        base = rules.rounding_base
        rounding = (
            (float(base // 2), float((base - 1) // 2)) if g.integer_counts else (base / 2,) * 2
        )
    if shield.kind == "counts" and shield.unweighted:
        small = np.array(
            [("min_count" in r or "zeros" in r) for r in g.reasons], dtype=bool
        ).reshape(shape)
        return count_knowledge(
            g.counts,
            g.primary,
            small,
            min_count=rules.min_count,
            zeros_hidden=rules.zeros_are_disclosive,
            rounding=rounding,
        )
    if shield.kind == "proportions" and shield.ceiling is not None and shield.unweighted:
        return proportion_knowledge(
            shield.values, shield.ceiling, g.primary, min_count=rules.min_count
        )
    upper = np.inf if shield.ceiling is None else shield.ceiling
    return Knowledge.simple(shape, lower=shield.lower, upper=upper, rounding=rounding)


def _run_protection(g: _Grid, rules: DisclosureRules) -> None:
    """Primary cells plus secondary suppression (or rounding) until every grid is protected."""
    supp = g.primary.copy()
    if g.forced is not None:
        supp |= g.forced
    g.rounded = None
    if g.method == "round":
        shield = g.protect_grids[0]
        rounded = round_to_base(shield.values, rules.rounding_base)
        shown = np.where(g.primary, shield.values, rounded)
        result = protect(
            shown,
            g.layout,
            g.primary,
            shield.width,
            _knowledge(g, shield, rules),
            already=supp,
            method=g.suppression,
        )
        g.suppressed = result.suppressed
        g.rounded = rounded
        g.protect_rounds = result.rounds
        g.protection_notes = [result.note] if result.note else []
        return
    rounds = 0
    notes: list[str] = []
    while True:
        before = supp.copy()
        for shield in g.protect_grids:
            know = _knowledge(g, shield, rules)
            result = protect(
                shield.values,
                g.layout,
                g.primary,
                shield.width,
                know,
                already=supp,
                method=g.suppression,
            )
            supp = result.suppressed
            rounds += result.rounds
            if shield is g.protect_grids[0]:
                g.knowledge, g.need = know, (result.need_low, result.need_high)
            if result.note and result.note not in notes:
                notes.append(result.note)
        if (supp == before).all():
            break
    g.suppressed = supp
    g.protect_rounds = rounds
    g.protection_notes = notes


def _table(
    prep: _Prepared,
    grid: _Grid,
    rules: DisclosureRules,
    kind: str,
    statistic: str,
    margins: bool,
    checks: list[CheckRecord],
    name: str | None,
    population: str,
) -> CheckedTable:
    secondary = int((grid.suppressed & ~grid.primary).sum())
    checks = [*checks, CheckRecord("secondary", int(grid.suppressed.size), secondary)]
    if prep.missing:
        checks.append(
            CheckRecord("missing", prep.missing, prep.missing, "eenheden met ontbrekende waarde")
        )
    dims = " × ".join([*prep.rows, *prep.cols])
    return CheckedTable(
        name=name or f"{statistic} naar {dims}",
        kind=kind,
        statistic=statistic,
        rows=prep.rows,
        cols=prep.cols,
        margins=margins,
        weighted=prep.weighted,
        rules=rules,
        checks=checks,
        population=population,
        population_hash=prep.population_hash,
        missing_excluded=prep.missing,
        _grid=grid,
        unit=prep.unit,
    )
