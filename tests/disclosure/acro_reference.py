"""ACRO (SACRO's output checker) as a reference for our disclosure rules.

Shared by ``tests/disclosure/test_acro_agreement.py`` and ``benchmarks/acro_compare.py``. It
runs ``acro.ACRO(suppress=True).crosstab`` and our table builders on the same microdata, lines
both up on our grid (interior cells, then the total row and column) and sorts every cell on
which the two disagree into a named category, so that a new kind of disagreement shows up as
``unexplained:...`` instead of being averaged away.

Counting is done here again from the microdata (never from either tool's evidence): the true
count per cell, whether a cell holds a negative value, and so on.

ACRO facts this relies on (acro 1.0.2, read from its source and checked by the tests):

* The outcome frame (``results.results[...].outcome``) names, per cell including the margins,
  the checks that failed ("MinimumThresholdCheck; PresenceOfZeroCheck; ") or "ok".
* With ``suppress=True`` ACRO removes the records of every flagged cell from the data and runs
  ``pd.crosstab`` again, so the totals it prints are sums over the *published* cells only, and
  every 0 becomes NaN.
* Frequency tables get the threshold (count < safe_threshold, zero included) and zero checks;
  sums and means get threshold, NK dominance and p-ratio; nothing like our group-disclosure
  rule ("a cell holding a whole row") and no all-values-equal check.
* With a negative value anywhere in a table, NK and p-ratio are replaced by "cell holds a
  negative value" for every cell; totals flagged that way stay printed (recomputed), since
  removing records cannot hide a total.
* Its p-ratio fails every all-zero cell (largest value 0), though the comment beside that code
  says such cells are treated as non-disclosive.
* Its redaction only works for text labels: it turns the variables into text and queries them
  with numeric literals for numeric labels, so flagged cells stay printed (see the tests).
* It raises (KeyError) when the redaction leaves no records; ``run_acro`` then takes the flags
  from the same call with ``suppress=False`` and reports nothing published.
"""

from __future__ import annotations

import inspect
import logging
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure import TOTAL, CheckedTable, frequency_table, magnitude_table

ACRO_TOTAL = "All"
ONE_D_COLUMN = "__acro_1d__"  # constant column that turns a 1-D table into ACRO's crosstab

THRESHOLD = "MinimumThresholdCheck"
ZEROS = "PresenceOfZeroCheck"
NK = "NKCheck"
P_RATIO = "PPercentCheck"

# Difference categories that are differences in rules (documented, asserted by the tests).
GROUP_ALL = "ours_only:group_disclosure"  # a count cell holding a whole row/column group
ALL_EQUAL = "ours_only:all_values_equal"  # a magnitude cell whose units all have one value
# ACRO skips NK and p-ratio for a whole table with a negative value anywhere, and flags every
# cell holding a negative value instead.
OURS_DOMINANCE_NEGATIVE_TABLE = "ours_only:dominance_not_checked_in_table_with_negatives"
ACRO_NEGATIVE_REVIEW = "acro_only:cell_holds_negative_value"

_ACRO: Any = None


def acro_module() -> Any:
    """Import acro once, undoing what its import does to the root logger."""
    global _ACRO
    if _ACRO is None:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        import acro

        root.handlers[:] = handlers
        root.setLevel(level)
        for name in ("acro", "acro:records", "acro:summary"):
            logging.getLogger(name).setLevel(logging.WARNING)
        _ACRO = acro
    return _ACRO


def acro_version() -> str:
    from importlib.metadata import version

    return version("acro")


def builder_accepts(builder: Callable[..., Any], keyword: str) -> bool:
    """Whether a table builder takes ``keyword`` (e.g. ``suppression``, added on main later)."""
    return keyword in inspect.signature(builder).parameters


@dataclass(frozen=True)
class Grid:
    """Row and column labels of our table; ``margins`` always True here."""

    row_labels: list[Any]  # interior row labels, then TOTAL
    col_labels: list[Any]  # interior column labels, then TOTAL; 1-D: [statistic]
    two_d: bool

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.row_labels), len(self.col_labels)

    def is_margin(self) -> NDArray[np.bool_]:
        mask = np.zeros(self.shape, dtype=bool)
        mask[-1, :] = True
        if self.two_d:
            mask[:, -1] = True
        return mask

    @classmethod
    def of(cls, table: CheckedTable) -> Grid:
        status = table.status
        return cls(list(status.index), list(status.columns), bool(table.cols))


@dataclass
class Ours:
    table: CheckedTable
    primary: NDArray[np.bool_]
    hidden: NDArray[np.bool_]
    reasons: NDArray[np.object_]  # frozenset of rule ids per cell (primary cells only)
    cpu_seconds: float  # process CPU time (the machine may be shared)


@dataclass
class Acro:
    flags: NDArray[np.object_]  # frozenset of ACRO check names per cell, on our grid
    shown: NDArray[np.float64]  # what ACRO publishes (NaN = not published), on our grid
    cpu_seconds: float  # process CPU time (the machine may be shared)
    error: str | None = None  # ACRO raised (then shown is all NaN: nothing is published)

    @property
    def flagged(self) -> NDArray[np.bool_]:
        return np.vectorize(bool, otypes=[bool])(self.flags)

    @property
    def hidden(self) -> NDArray[np.bool_]:
        return np.isnan(self.shown)


def run_ours(
    data: pd.DataFrame,
    rows: str,
    cols: str | None,
    *,
    value: str | None = None,
    stat: str = "count",
    suppression: str | None = None,
) -> Ours:
    """Our builder (frequency_table for counts, magnitude_table for sum/mean), with totals."""
    kwargs: dict[str, Any] = {} if suppression is None else {"suppression": suppression}
    start = time.process_time()
    if stat == "count":
        table = frequency_table(data, rows, cols, margins=True, **kwargs)
    else:
        assert value is not None
        table = magnitude_table(data, value, rows, cols, stat=stat, margins=True, **kwargs)
    seconds = time.process_time() - start
    status = table.status.to_numpy()
    reasons = np.empty(status.shape, dtype=object)
    n_cols = status.shape[1]
    for flat, cell in enumerate(table.cells()):
        primary = status.flat[flat] == "primary"
        reasons[divmod(flat, n_cols)] = frozenset(cell.reasons) if primary else frozenset()
    return Ours(table, status == "primary", status != "ok", reasons, seconds)


@contextmanager
def _lean_acro() -> Iterator[None]:
    """For the tests only: skip ACRO's bookkeeping that nothing it checks depends on. It formats
    whole DataFrames into f-strings for ``logger.debug`` even when debug logging is off, and
    records the caller's source line through ``inspect.stack()``, which is slow under pytest's
    deep stacks; together most of its time. Frames print as '<frame>' meanwhile."""
    acro = acro_module()
    frame_repr = pd.DataFrame.__repr__
    pretty = acro.table_utils.utils.prettify_table_string
    stack = acro.acro_tables.stack
    pd.DataFrame.__repr__ = lambda self: "<frame>"  # type: ignore[method-assign]
    acro.table_utils.utils.prettify_table_string = lambda *args, **kwargs: ""
    acro.acro_tables.stack = list
    try:
        yield
    finally:
        pd.DataFrame.__repr__ = frame_repr  # type: ignore[method-assign]
        acro.table_utils.utils.prettify_table_string = pretty
        acro.acro_tables.stack = stack


def run_acro(
    data: pd.DataFrame,
    rows: str,
    cols: str | None,
    grid: Grid,
    *,
    value: str | None = None,
    stat: str = "count",
    fast: bool = False,
) -> Acro:
    """``ACRO(suppress=True).crosstab(..., margins=True)`` lined up on our grid.

    A 1-D table is a crosstab against a constant column (ACRO's crosstab needs columns); its
    duplicate 'All' column is dropped. ``fast``: see :func:`_lean_acro` (tests).
    """
    if fast:
        with _lean_acro():
            return run_acro(data, rows, cols, grid, value=value, stat=stat)
    acro = acro_module()
    index = data[rows]
    if cols is None:
        columns = pd.Series(grid.col_labels[0], index=data.index, name=ONE_D_COLUMN)
    else:
        columns = data[cols]

    def crosstab(suppress: bool) -> tuple[Any, pd.DataFrame, float]:
        session = acro.ACRO(suppress=suppress)
        with warnings.catch_warnings():
            # ACRO's redaction step assigns to a slice (pandas SettingWithCopyWarning).
            warnings.simplefilter("ignore")
            start = time.process_time()
            if stat == "count":
                table = session.crosstab(index, columns, margins=True)
            else:
                table = session.crosstab(
                    index, columns, values=data[value], aggfunc=stat, margins=True
                )
            return session, table, time.process_time() - start

    error = None
    try:
        session, table, seconds = crosstab(suppress=True)
    except Exception as exc:
        # acro 1.0.2 raises when its redaction leaves no records (every cell flagged). The
        # outcome does not depend on suppression: take the flags from an unsuppressed run.
        error = f"{type(exc).__name__}: {exc}"
        session, table, seconds = crosstab(suppress=False)
        table = table * np.nan
    record = session.results.results[f"output_{session.results.output_id - 1}"]
    outcome = _on_grid(record.outcome, grid)
    flags = np.empty(grid.shape, dtype=object)
    for pos, text in np.ndenumerate(outcome):
        if not isinstance(text, str):
            raise AssertionError(f"ACRO outcome has no cell for {pos}: {text!r}")
        flags[pos] = frozenset(p.strip() for p in text.split(";") if p.strip() not in ("", "ok"))
    shown = _on_grid(table, grid).astype(float)
    return Acro(flags, shown, seconds, error)


def _on_grid(frame: pd.DataFrame, grid: Grid) -> NDArray[Any]:
    def relabel(labels: Sequence[Any]) -> list[Any]:
        return [ACRO_TOTAL if label == TOTAL else label for label in labels]

    if not grid.two_d:
        frame = frame.iloc[:, [0]]
        frame.columns = grid.col_labels
        return frame.reindex(index=relabel(grid.row_labels)).to_numpy(dtype=object)
    return frame.reindex(index=relabel(grid.row_labels), columns=relabel(grid.col_labels)).to_numpy(
        dtype=object
    )


def cell_stats(
    data: pd.DataFrame, rows: str, cols: str | None, grid: Grid, value: str | None = None
) -> dict[str, NDArray[Any]]:
    """True counts per cell (and, with ``value``: negatives, sum, top contributions) on our
    grid, recomputed from the microdata by label."""
    n_r, n_c = grid.shape
    r_of = {label: i for i, label in enumerate(grid.row_labels[:-1])}
    r = data[rows].astype(object).map(r_of).to_numpy(dtype=np.int64)
    if grid.two_d:
        c_of = {label: j for j, label in enumerate(grid.col_labels[:-1])}
        c = data[cols].astype(object).map(c_of).to_numpy(dtype=np.int64)
        cells = [r * n_c + c, r * n_c + (n_c - 1), (n_r - 1) * n_c + c]
        cells.append(np.full(len(data), n_r * n_c - 1))
    else:
        cells = [r, np.full(len(data), n_r - 1)]
    cell_of = np.concatenate(cells).astype(np.int64)
    out: dict[str, NDArray[Any]] = {
        "count": np.bincount(cell_of, minlength=n_r * n_c).reshape(grid.shape)
    }
    if value is not None:
        vals = np.tile(data[value].to_numpy(dtype=float), len(cells))
        negative = np.bincount(cell_of, weights=vals < 0, minlength=n_r * n_c)
        out["negative"] = negative.reshape(grid.shape) > 0
        largest = np.zeros(n_r * n_c)
        np.maximum.at(largest, cell_of, np.abs(vals))
        out["all_zero"] = (largest.reshape(grid.shape) == 0) & (out["count"] > 0)
    return out


def classify(
    ours: Ours, acro: Acro, grid: Grid, stats: dict[str, NDArray[Any]], *, magnitude: bool
) -> list[tuple[tuple[int, int], str]]:
    """Every cell where our primary suppression and ACRO's flags differ, with its category."""
    out: list[tuple[tuple[int, int], str]] = []
    flagged = acro.flagged
    for pos in zip(*np.nonzero(ours.primary != flagged), strict=True):
        cell = (int(pos[0]), int(pos[1]))
        reasons: frozenset[str] = ours.reasons[cell]
        flags: frozenset[str] = acro.flags[cell]
        negative = bool(magnitude and stats["negative"][cell])
        negative_table = bool(magnitude and stats["negative"].any())
        if ours.primary[cell]:
            if not magnitude and reasons == {"group_all"}:
                category = GROUP_ALL
            elif magnitude and reasons == {"group_all"}:
                category = ALL_EQUAL
            elif negative_table and reasons <= {"dominance", "p_percent", "group_all"}:
                category = OURS_DOMINANCE_NEGATIVE_TABLE
            else:
                category = "unexplained:ours_only:" + "+".join(sorted(reasons))
        elif magnitude and negative and flags <= {NK, P_RATIO}:
            category = ACRO_NEGATIVE_REVIEW
        else:
            category = "unexplained:acro_only:" + "+".join(sorted(flags))
        out.append((cell, category))
    return out


# Rule-level differences (the cell is flagged by both tools, for different rules).
P_RATIO_ALL_ZERO = "acro p-ratio fires on an all-zero cell"
NEGATIVE_TABLE = "table holds a negative value (ACRO: no NK / p-ratio)"


RULE_LABELS = {
    "threshold": "threshold (n < 10, zero included)",
    "zeros": "zeros",
    "nk": "NK dominance (2, 90%)",
    "p": "p% / p-ratio (10%)",
}


def rule_pairs(
    ours: Ours, acro: Acro, stats: dict[str, NDArray[Any]], *, magnitude: bool
) -> dict[str, dict[str, Any]]:
    """Per rule both tools implement (keys of RULE_LABELS): cells tested, cells where both say
    the same, and the cells where they differ by category.

    Known rule-level differences: ACRO's p-ratio keeps p = 0 for a cell whose largest value
    is 0 (so an all-zero cell fails it; the comment beside the code says such cells are
    treated as non-disclosive), and with a negative value anywhere in the table ACRO's NK
    and p-ratio masks are 'cell holds a negative value'.
    """

    def ours_has(*rules: str) -> NDArray[np.bool_]:
        return np.vectorize(lambda s: bool(s & set(rules)), otypes=[bool])(ours.reasons)

    def acro_has(check: str) -> NDArray[np.bool_]:
        return np.vectorize(lambda s: check in s, otypes=[bool])(acro.flags)

    pairs = {"threshold": (ours_has("min_count", "zeros"), acro_has(THRESHOLD), False)}
    if magnitude:
        pairs["nk"] = (ours_has("dominance"), acro_has(NK), False)
        pairs["p"] = (ours_has("p_percent"), acro_has(P_RATIO), True)
    else:
        pairs["zeros"] = (ours_has("zeros"), acro_has(ZEROS), False)
    negative_table = bool(magnitude and stats["negative"].any())
    out: dict[str, dict[str, Any]] = {}
    for name, (a, b, p_ratio) in pairs.items():
        differences: dict[str, int] = {}
        for pos in zip(*np.nonzero(a != b), strict=True):
            if negative_table and name != "threshold":
                category = NEGATIVE_TABLE
            elif p_ratio and b[pos] and stats["all_zero"][pos]:
                category = P_RATIO_ALL_ZERO
            else:
                category = "unexplained:" + ("ours_only" if a[pos] else "acro_only")
            differences[category] = differences.get(category, 0) + 1
        out[name] = {"agree": int((a == b).sum()), "cells": int(a.size), "differences": differences}
    return out
