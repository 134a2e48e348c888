"""Checked tables: frequencies, sums/means, percentages and percentiles built from microdata.

The four public builders. Each prepares the unit-level data and computes the evidence
(:mod:`.evidence`), applies the primary rules (:mod:`.primary`) and protects the table
(:mod:`.protection`). The result is a :class:`~.checked.CheckedTable`: the publishable frame
(hidden cells are missing, never the true value), a status per cell and a record of every
check, ready for the output log.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure.checked import (
    CheckedTable,
    CheckRecord,
    Method,
    _Shield,
    _TableState,
)
from bestaanszekerheid.disclosure.evidence import _evidence, _prepare, _Prepared, _safe_div
from bestaanszekerheid.disclosure.primary import _count_rules, _dominance_rules, _mark
from bestaanszekerheid.disclosure.protection import _run_protection
from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.disclosure.secondary import Suppression, TableLayout
from bestaanszekerheid.errors import UserFacingError


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
    grid = _TableState(
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
    grid = _TableState(
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
    grid = _TableState(
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
    grid = _TableState(
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


def _table(
    prep: _Prepared,
    grid: _TableState,
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
        _state=grid,
        unit=prep.unit,
    )
