"""Preparing the microdata of a table and computing the evidence the rules need per cell.

Every figure is computed here from the unit-level data, together with the evidence the rules
need (unweighted counts, largest contributions, the units behind each cell); pre-aggregated
tables are never trusted. Evidence is computed over the full grid (interior and all margins)
and then cut to the cells that are shown, so group disclosure can look at whole lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.rules import DisclosureRules
from bestaanszekerheid.disclosure.secondary import TableLayout
from bestaanszekerheid.errors import UserFacingError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


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
    *,
    boolean: bool = False,
) -> _Prepared:
    """Check the columns and the one-row-per-unit rule; code the categories; leave out units
    with a missing category, value or weight (counted in ``missing``)."""
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


@dataclass
class _PercentileEvidence:
    """Per row (and the total row): the percentile, the units, and how many lie below, above
    and exactly on it. Arrays have the layout's shape (one column)."""

    layout: TableLayout
    value: FloatArray
    count: IntArray
    below: IntArray
    above: IntArray
    equal: IntArray
    units: list[NDArray[Any]]


def _percentile_evidence(prep: _Prepared, margins: bool, q: float) -> _PercentileEvidence:
    """The ``q``-th percentile (linear interpolation) of the values per row category."""
    assert prep.values is not None
    layout = TableLayout(len(prep.row_keys), 1, margins, two_d=False)
    shape = layout.shape
    groups = [np.flatnonzero(prep.row_code == r) for r in range(len(prep.row_keys))]
    if margins:
        groups.append(np.arange(prep.n))
    ev = _PercentileEvidence(
        layout=layout,
        value=np.full(shape, np.nan),
        count=np.zeros(shape, dtype=np.int64),
        below=np.zeros(shape, dtype=np.int64),
        above=np.zeros(shape, dtype=np.int64),
        equal=np.zeros(shape, dtype=np.int64),
        units=[prep.unit_ids[m] for m in groups],
    )
    for r, members in enumerate(groups):
        vals = np.sort(prep.values[members])
        ev.count[r, 0] = vals.size
        if vals.size == 0:
            continue
        p = float(np.percentile(vals, q))
        ev.value[r, 0] = p
        ev.below[r, 0] = int((vals < p).sum())
        ev.above[r, 0] = int((vals > p).sum())
        ev.equal[r, 0] = int((vals == p).sum())
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


def _safe_div(a: FloatArray, b: FloatArray) -> FloatArray:
    """a / b per cell; NaN where b is 0 (an empty cell has no mean or percentage)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
