"""Independent checks of published tables against the microdata (shared by the tests).

Nothing here uses the module's evidence: every published figure is located in the microdata
by its labels, its units are counted again, dominance and the p% rule are recomputed, and the
attacker's linear programme is rebuilt from the published frame alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from bestaanszekerheid.disclosure import DisclosureRules

TOTALS = ("Totaal", "Total")


@dataclass(frozen=True)
class Spec:
    """How a published table was made, so it can be recomputed."""

    kind: str  # frequency | magnitude | percentage | percentile
    rows: str
    cols: str | None = None
    value: str | None = None  # value column (magnitude, percentile) or indicator (percentage)
    stat: str = "count"
    q: float = 50.0
    method: str = "suppress"


def _select(data: pd.DataFrame, column: str | None, label: object) -> pd.Series:
    if column is None or label in TOTALS:
        return pd.Series(True, index=data.index)
    return data[column].astype(str) == str(label)


def violations(
    published: pd.DataFrame, data: pd.DataFrame, spec: Spec, rules: DisclosureRules
) -> list[str]:
    """Every rule a published figure breaks ([] when the table is safe).

    ``published``: the table as exported (index = row labels, columns = column labels or one
    statistic column), suppressed cells as NaN. ``data``: the population the table was made of.
    """
    problems: list[str] = []
    needed = [c for c in (spec.rows, spec.cols, spec.value) if c]
    data = data.dropna(subset=needed)
    two_d = spec.cols is not None
    n_row_cats = data[spec.rows].nunique()
    n_col_cats = data[spec.cols].nunique() if two_d else 1
    for row_label in published.index:
        for col_label in published.columns:
            value = published.loc[row_label, col_label]
            if pd.isna(value):
                continue
            in_row = _select(data, spec.rows, row_label)
            in_col = _select(data, spec.cols if two_d else None, col_label)
            cell = data[in_row & in_col]
            n = len(cell)
            where = f"{spec.kind} {row_label}×{col_label}"
            if n < rules.min_count:
                problems.append(f"{where}: {n} units")
                continue
            if spec.kind == "frequency":
                truth = float(n)
                if spec.method == "round":
                    if abs(truth - float(value)) > rules.rounding_base / 2 or float(value) % 5:
                        problems.append(f"{where}: rounded value {value} for {truth}")
                elif truth != float(value):
                    problems.append(f"{where}: value {value} != {truth}")
                # group disclosure: the cell holds a whole row or column group
                row_total = int(in_row.sum())
                col_total = int(in_col.sum())
                if two_d and row_label not in TOTALS and col_label not in TOTALS:
                    if n == row_total and n_col_cats > 1:
                        problems.append(f"{where}: everyone of the row")
                    if n == col_total and n_row_cats > 1:
                        problems.append(f"{where}: everyone of the column")
                if not two_d and row_label not in TOTALS and n == len(data) and n_row_cats > 1:
                    problems.append(f"{where}: everyone")
            if spec.kind == "magnitude":
                assert spec.value is not None
                x = np.abs(cell[spec.value].to_numpy(dtype=float))
                top = np.sort(x)[::-1]
                total = x.sum()
                if total > 0 and top[: rules.dominance_n].sum() >= rules.dominance_k / 100 * total:
                    problems.append(f"{where}: dominance")
                if top[0] > 0 and total - top[0] - top[1] < rules.p_percent / 100 * top[0]:
                    problems.append(f"{where}: p%")
                raw = cell[spec.value].to_numpy(dtype=float)
                if raw.min() == raw.max():
                    problems.append(f"{where}: all values equal")
                expected = raw.sum() if spec.stat == "sum" else raw.mean()
                if not np.isclose(expected, float(value), rtol=1e-6, atol=0.051):
                    problems.append(f"{where}: value {value} != {expected}")
            if spec.kind == "percentage":
                assert spec.value is not None
                k = int(cell[spec.value].astype(bool).sum())
                if k < rules.min_count or n - k < rules.min_count:
                    problems.append(f"{where}: numerator or complement below threshold")
            if spec.kind == "percentile":
                assert spec.value is not None
                x = cell[spec.value].to_numpy(dtype=float)
                p = float(np.percentile(x, spec.q))
                below, above, equal = (x < p).sum(), (x > p).sum(), (x == p).sum()
                if below < rules.percentile_min_side or above < rules.percentile_min_side:
                    problems.append(f"{where}: percentile near an extreme")
                if 0 < equal < rules.min_count:
                    problems.append(f"{where}: percentile is the value of {equal} unit(s)")
                if not np.isclose(p, float(value), atol=0.051):
                    problems.append(f"{where}: value {value} != {p}")
    return problems


def recovery_intervals(
    published: pd.DataFrame,
    true_values: pd.DataFrame,
    *,
    halfwidth: tuple[float, float] = (0.0, 0.0),
    lower: float = 0.0,
    hidden_bounds: dict[tuple[object, object], tuple[float, float]] | None = None,
    hide_all: bool = False,
) -> dict[tuple[object, object], tuple[float, float]]:
    """Attacker's interval for every hidden cell of a table with margins (last row/column).

    Built from the published frame only: equations 'interior cells add up to their total' per
    row and column, published cells known within ``halfwidth`` (rounding), hidden cells >= lower
    or, with ``hidden_bounds``, within what the rules tell the attacker about each cell (see
    :func:`rule_bounds`; published cells are then also within their own bounds). ``hide_all``
    treats every cell as hidden (what the rules alone reveal). ``true_values`` is used only to
    check that the programme is feasible.
    """
    values = published.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    two_d = n_cols > 1
    hidden = np.isnan(values) | hide_all
    cells = [(r, c) for r in range(n_rows) for c in range(n_cols)]
    var = {rc: i for i, rc in enumerate(cells)}
    bounds: list[tuple[float | None, float | None]] = []
    for r, c in cells:
        label = (published.index[r], published.columns[c])
        lo_k, hi_k = (lower, np.inf) if hidden_bounds is None else hidden_bounds[label]
        if hidden[r, c]:
            bounds.append((lo_k, None if np.isinf(hi_k) else hi_k))
        else:
            low = max(lo_k, values[r, c] - halfwidth[0])
            high = min(hi_k, values[r, c] + halfwidth[1])
            bounds.append((min(low, values[r, c]), max(high, values[r, c])))
    equations: list[list[tuple[tuple[int, int], float]]] = []
    last_r = n_rows - 1
    last_c = n_cols - 1
    if two_d:
        for r in range(n_rows):
            equations.append([((r, c), 1.0) for c in range(last_c)] + [((r, last_c), -1.0)])
        for c in range(n_cols):
            equations.append([((r, c), 1.0) for r in range(last_r)] + [((last_r, c), -1.0)])
    else:
        equations.append([((r, 0), 1.0) for r in range(last_r)] + [((last_r, 0), -1.0)])
    a_eq = np.zeros((len(equations), len(cells)))
    for i, eq in enumerate(equations):
        for rc, coef in eq:
            a_eq[i, var[rc]] += coef
    b_eq = np.zeros(len(equations))
    truth = true_values.to_numpy(dtype=float).ravel()
    assert np.allclose(a_eq @ truth, 0, atol=1e-6)
    out: dict[tuple[object, object], tuple[float, float]] = {}
    for r, c in cells:
        if not hidden[r, c]:
            continue
        objective = np.zeros(len(cells))
        objective[var[(r, c)]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status in (0, 3) and high.status in (0, 3)
        lo = low.fun if low.status == 0 else -np.inf
        hi = -high.fun if high.status == 0 else np.inf
        out[(published.index[r], published.columns[c])] = (float(lo), float(hi))
    return out


def rule_bounds(
    status: pd.DataFrame, truth: pd.DataFrame, rules: DisclosureRules
) -> dict[tuple[object, object], tuple[float, float]]:
    """What an attacker who knows the rules (and which hidden cells are primary) knows of each
    cell of an unweighted count table: a primary cell with fewer than min_count units lies in
    0..min_count-1 (1.. when empty cells are published); any other cell is at least 0."""
    t = float(rules.min_count)
    floor = 0.0 if rules.zeros_are_disclosive else 1.0
    out: dict[tuple[object, object], tuple[float, float]] = {}
    for r in status.index:
        for c in status.columns:
            n = float(truth.loc[r, c])
            if status.loc[r, c] == "primary" and n < t:
                out[(r, c)] = (floor, t - 1)
            else:
                out[(r, c)] = (0.0, np.inf)
    return out


def proportion_rule_bounds(
    status: pd.DataFrame, numerators: pd.DataFrame, denominators: pd.DataFrame, t: float
) -> dict[tuple[object, object], tuple[float, float]]:
    """The same for the numerators of a percentage table with public denominators: a primary
    numerator that is small (and its complement not) lies in 0..t-1, one whose complement is
    small in n-t+1..n; any other numerator in 0..n."""
    out: dict[tuple[object, object], tuple[float, float]] = {}
    for r in status.index:
        for c in status.columns:
            k, n = float(numerators.loc[r, c]), float(denominators.loc[r, c])
            primary = status.loc[r, c] == "primary"
            if primary and k < t <= n - k:
                out[(r, c)] = (0.0, t - 1)
            elif primary and n - k < t <= k:
                out[(r, c)] = (n - t + 1, n)
            else:
                out[(r, c)] = (0.0, n)
    return out


def unprotected_cells(
    published: pd.DataFrame,
    truth: pd.DataFrame,
    status: pd.DataFrame,
    rules: DisclosureRules,
    *,
    halfwidth: tuple[float, float] = (0.0, 0.0),
    known: dict[tuple[object, object], tuple[float, float]] | None = None,
) -> list[tuple[object, object, float, float, float, float]]:
    """Primary cells of a count table that the rule-aware attacker narrows below protection.

    The protection interval: ``protection_width_counts`` possible values around the truth
    (half on each side, shifted to lie inside what the rules say of the cell, all of it when
    that is narrower), no more than what the rules alone reveal (every cell hidden). Returns
    (row, col, low, high, need_low, need_high) for every cell that fails.
    """
    known = known if known is not None else rule_bounds(status, truth, rules)
    found = recovery_intervals(published, truth, halfwidth=halfwidth, hidden_bounds=known)
    alone = recovery_intervals(
        published, truth, halfwidth=halfwidth, hidden_bounds=known, hide_all=True
    )
    half = rules.protection_width_counts / 2
    bad = []
    for (r, c), (lo, hi) in found.items():
        if status.loc[r, c] != "primary":
            continue
        v = float(truth.loc[r, c])
        a, b = known[(r, c)]
        need_lo, need_hi = v - half, v + half
        if need_lo < a:
            need_lo, need_hi = a, need_hi + (a - need_lo)
        if need_hi > b:
            need_lo, need_hi = max(a, need_lo - (need_hi - b)), b
        need_lo = max(need_lo, alone[(r, c)][0])
        need_hi = min(need_hi, alone[(r, c)][1])
        if lo > need_lo + 1e-6 or hi < need_hi - 1e-6:
            bad.append((r, c, lo, hi, need_lo, need_hi))
    return bad


def true_counts(
    data: pd.DataFrame, rows: str, cols: str | None, like: pd.DataFrame
) -> pd.DataFrame:
    """Unsuppressed counts (with totals) in the layout of ``like``."""
    out = pd.DataFrame(0.0, index=like.index, columns=like.columns)
    for r in like.index:
        for c in like.columns:
            sel = _select(data, rows, r) & _select(data, cols, c)
            out.loc[r, c] = float(sel.sum())
    return out


def narrow_primary_cells(
    intervals: dict[tuple[object, object], tuple[float, float]],
    status: pd.DataFrame,
    width: float,
) -> list[tuple[object, object, float, float]]:
    """Primary cells whose attacker interval is narrower than ``width``."""
    bad = []
    for (r, c), (lo, hi) in intervals.items():
        if status.loc[r, c] == "primary" and hi - lo < width - 1e-6:
            bad.append((r, c, lo, hi))
    return bad


def published_sets(
    frame: pd.DataFrame, data: pd.DataFrame, rows: str, cols: str | None, unit: str
) -> list[tuple[bool, frozenset[str]]]:
    """(is an interior cell, unit ids) of every published cell, found by its labels."""
    out = []
    for r in frame.index:
        for c in frame.columns:
            if pd.isna(frame.loc[r, c]):
                continue
            sel = _select(data, rows, r) & _select(data, cols, c)
            interior = r not in TOTALS and (cols is None or c not in TOTALS)
            out.append((interior, frozenset(data.loc[sel, unit].astype(str))))
    return out


def differencing_violations(
    tables: Sequence[list[tuple[bool, frozenset[str]]]], min_count: int
) -> list[str]:
    """Pairs of published cells of different tables that differ by 1..min_count-1 units, and
    cells from which the published interior cells of another table inside them leave such a
    small rest."""
    problems = []
    for i, a_cells in enumerate(tables):
        for j, b_cells in enumerate(tables):
            if i == j:
                continue
            for _, a in a_cells:
                if i < j:
                    for _, b in b_cells:
                        if 0 < len(a ^ b) < min_count:
                            problems.append(f"tables {i},{j}: cells differ by {len(a ^ b)}")
                inside = [b for interior, b in b_cells if interior and b <= a]
                if inside:
                    rest = len(a) - len(frozenset().union(*inside))
                    if 0 < rest < min_count:
                        problems.append(f"table {i} cell minus table {j} parts leaves {rest}")
    return problems
