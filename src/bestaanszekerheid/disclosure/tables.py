"""Checked tables: frequencies, sums/means, percentages and percentiles built from microdata.

The four public builders. Each prepares the unit-level data and computes the evidence
(:mod:`.evidence`), applies the primary rules (:mod:`.primary`) and protects the table
(:mod:`.protection`). The result is a :class:`~.checked.CheckedTable`: the publishable frame
(hidden cells are missing, never the true value), a status per cell and a record of every
check, ready for the output log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.checked import (
    CheckedTable,
    CheckRecord,
    Method,
    _Shield,
    _TableState,
)
from bestaanszekerheid.disclosure.evidence import (
    _Evidence,
    _evidence,
    _percentile_evidence,
    _PercentileEvidence,
    _prepare,
    _Prepared,
    _safe_div,
)
from bestaanszekerheid.disclosure.labels import TOTAL
from bestaanszekerheid.disclosure.primary import (
    _count_rules,
    _magnitude_rules,
    _percentage_rules,
    _percentile_rules,
    _Primary,
)
from bestaanszekerheid.disclosure.protection import _count_width, _magnitude_width, _run_protection
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
    keep: Sequence[Any] = (),
) -> CheckedTable:
    """Counts of units per category (weighted if ``weight``), checked and protected.

    Primary rules: fewer than ``min_count`` units; empty cells (zeros) and cells holding everyone
    of a row or column group (group disclosure). With ``margins``, secondary suppression (or, with
    ``method="round"``, rounding of every published count to base ``rounding_base``) makes sure no
    hidden cell can be recovered from the totals. ``keep``: row labels (``TOTAL`` for the total
    row) that secondary suppression hides only when nothing else protects, e.g. a key figure or
    a total that is public anyway.
    """
    rules = rules or load_rules()
    prep = _prepare(data, rows, cols, None, weight, unit)
    ev = _evidence(prep, margins, rules, want_values=False)
    required = _count_width(ev.layout.shape, prep.weights if prep.weighted else None, rules)
    return _checked_table(
        prep,
        ev,
        _count_rules(ev, rules),
        value=ev.wcount,
        shields=[_Shield(ev.wcount, required, "counts", unweighted=not prep.weighted)],
        rules=rules,
        kind="frequency",
        statistic="count",
        margins=margins,
        name=name,
        population=population,
        method=method,
        suppression=suppression,
        keep=keep,
    )


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
    prep = _prepare(data, rows, cols, value, weight, unit)
    ev = _evidence(prep, margins, rules, want_values=True)
    primary = _magnitude_rules(ev, rules, weighted=prep.weighted)
    assert ev.wsum is not None and ev.top1 is not None and prep.values is not None
    required = _magnitude_width(ev.wsum, ev.top1, rules)
    # Sums of non-negative values cannot go below 0; with negative values nothing bounds them.
    lower = 0.0 if bool((prep.values >= 0).all()) else -np.inf
    return _checked_table(
        prep,
        ev,
        primary,
        value=ev.wsum if stat == "sum" else _safe_div(ev.wsum, ev.wcount),
        shields=[_Shield(ev.wsum, required, "plain", lower)],
        rules=rules,
        kind="magnitude",
        statistic=stat,
        margins=margins,
        name=name,
        population=population,
        suppression=suppression,
        note=f"variabele: {value}",
    )


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
    prep = _prepare(data, rows, cols, indicator, weight, unit, boolean=True)
    ev = _evidence(prep, margins, rules, want_values=True)
    assert ev.wsum is not None and ev.num_units is not None
    required = _count_width(ev.layout.shape, prep.weights if prep.weighted else None, rules)
    return _checked_table(
        prep,
        ev,
        _percentage_rules(ev, rules),
        value=100.0 * _safe_div(ev.wsum, ev.wcount),
        # Numerator and complement add up to the (public) denominator, so bounding the numerator
        # by 0 and the denominator protects both.
        shields=[_Shield(ev.wsum, required, "proportions", 0.0, ev.wcount, not prep.weighted)],
        rules=rules,
        kind="percentage",
        statistic="percentage",
        margins=margins,
        name=name,
        population=population,
        suppression=suppression,
        extra_units=[(f, "teller", ids) for f, ids in enumerate(ev.num_units)],
        note=f"kenmerk: {indicator}",
    )


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
    prep = _prepare(data, rows, None, value, None, unit)
    ev = _percentile_evidence(prep, margins, q)
    return _checked_table(
        prep,
        ev,
        _percentile_rules(ev, rules, q),
        value=ev.value,
        shields=[],
        rules=rules,
        kind="percentile",
        statistic=f"p{q:g}",
        margins=margins,
        name=name,
        population=population,
    )


def _keep_mask(
    layout: TableLayout, row_keys: list[tuple[Any, ...]], keep: Sequence[Any]
) -> NDArray[np.bool_]:
    """Cells of the rows named in ``keep`` (a row's first key, or TOTAL for the total row)."""
    wanted = set(keep)
    mask = np.zeros(layout.shape, dtype=bool)
    for r in range(layout.shape[0]):
        key = row_keys[r][0] if r < len(row_keys) else TOTAL
        if key in wanted:
            mask[r, :] = True
    return mask


def _checked_table(
    prep: _Prepared,
    ev: _Evidence | _PercentileEvidence,
    primary: _Primary,
    *,
    value: NDArray[np.float64],
    shields: list[_Shield],
    rules: DisclosureRules,
    kind: str,
    statistic: str,
    margins: bool,
    name: str | None,
    population: str,
    method: Method = "suppress",
    suppression: Suppression = "optimal",
    extra_units: list[tuple[int, str, NDArray[Any]]] | None = None,
    note: str | None = None,
    keep: Sequence[Any] = (),
) -> CheckedTable:
    """The table state of one builder, protected, wrapped in a :class:`CheckedTable` with the
    checks of the primary rules, secondary suppression and left-out units."""
    if method not in ("suppress", "round"):
        raise UserFacingError(f"Onbekende methode {method!r}: kies 'suppress' of 'round'.")
    state = _TableState(
        layout=ev.layout,
        row_keys=prep.row_keys,
        col_keys=prep.col_keys,
        value=value,
        counts=ev.count,
        units=ev.units,
        extra_units=extra_units or [],
        protect_grids=shields,
        primary=primary.mask,
        reasons=primary.reasons,
        method=method,
        # Only unweighted counts are whole numbers (shown without decimals).
        integer_counts=kind == "frequency" and not prep.weighted,
        suppression=suppression,
        keep=_keep_mask(ev.layout, prep.row_keys, keep) if keep else None,
    )
    _run_protection(state, rules)
    secondary = int((state.suppressed & ~state.primary).sum())
    checks = [*primary.checks, CheckRecord("secondary", int(state.suppressed.size), secondary)]
    if prep.missing:
        checks.append(
            CheckRecord("missing", prep.missing, prep.missing, "eenheden met ontbrekende waarde")
        )
    dims = " × ".join([*prep.rows, *prep.cols])
    table = CheckedTable(
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
        _state=state,
        unit=prep.unit,
    )
    if note:
        table.notes.append(note)
    return table
