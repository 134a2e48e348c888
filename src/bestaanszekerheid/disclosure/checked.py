"""The checked table: what may be published, its status per cell, and its CSV output.

A :class:`CheckedTable` wraps the internal state of a table (true values, unit ids, primary and
suppressed cells). Only the safe frame, statuses and the check records leave it; the register
reads unit sets through its internal methods, never the state itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.knowledge import Knowledge
from bestaanszekerheid.disclosure.labels import STAT_LABEL, SUPPRESSED_MARK, TOTAL, TOTAL_LABEL
from bestaanszekerheid.disclosure.protection import _run_protection
from bestaanszekerheid.disclosure.rules import DisclosureRules
from bestaanszekerheid.disclosure.secondary import Suppression, TableLayout
from bestaanszekerheid.fileio import atomic_path

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

Method = Literal["suppress", "round"]
Status = Literal["ok", "primary", "secondary", "rounded"]


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
class _TableState:
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
    # Cells to hide only when nothing else protects (key figures, totals known elsewhere).
    keep: BoolArray | None = None


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
    _state: _TableState = field(repr=False)
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
        return self._state.method

    @property
    def frame(self) -> pd.DataFrame:
        """The safe table: NaN where suppressed; rounded values when rounding was chosen."""
        g = self._state
        shown = g.rounded if g.rounded is not None else self._display_values()
        values = np.where(g.suppressed, np.nan, shown)
        return pd.DataFrame(values, index=self._index(), columns=self._columns())

    def published(self, row: object) -> float:
        """One row's value in the first column as published: NaN when hidden or absent.

        The way to read a single figure of a one-way table (a count per wijk, say): a hidden
        cell and a row the table does not have both read as "not published".
        """
        column = self.frame.iloc[:, 0]
        if row not in column.index:
            return math.nan
        return float(column.at[row])  # type: ignore[arg-type]

    @property
    def status(self) -> pd.DataFrame:
        """Per cell: 'ok', 'primary', 'secondary' or 'rounded'."""
        g = self._state
        out = np.full(g.layout.shape, "ok", dtype=object)
        if g.rounded is not None:
            out[:] = "rounded"
        out[g.suppressed] = "secondary"
        out[g.primary] = "primary"
        return pd.DataFrame(out, index=self._index(), columns=self._columns())

    def to_frame(self, lang: str = "nl") -> pd.DataFrame:
        """Publishable frame with Dutch (or English) labels and 'x' for suppressed cells."""
        frame = self.frame.astype(object)
        frame = frame.where(~self._state.suppressed, SUPPRESSED_MARK)
        if self._state.integer_counts and self.statistic == "count":
            frame = frame.map(lambda v: int(v) if isinstance(v, float) else v)
        elif self.statistic in ("mean", "percentage") or self.kind == "percentile":
            frame = frame.map(lambda v: round(v, 1) if isinstance(v, float) else v)
        rename = {TOTAL: TOTAL_LABEL.get(lang, TOTAL)}
        frame = frame.rename(index=rename, columns=rename)
        if not self._state.layout.two_d:
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
        g = self._state
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
    @property
    def layout(self) -> TableLayout:
        """Shape of the table (interior rows and columns, margins). Internal."""
        return self._state.layout

    def published_unit_sets(self) -> list[tuple[int, str, NDArray[Any]]]:
        """(flat cell, what, unit ids) for every published figure. Internal: never export."""
        g = self._state
        out: list[tuple[int, str, NDArray[Any]]] = []
        flat_supp = g.suppressed.ravel()
        for flat, ids in enumerate(g.units):
            if not flat_supp[flat]:
                out.append((flat, "cell", ids))
        for flat, label, ids in g.extra_units:
            if not flat_supp[flat]:
                out.append((flat, label, ids))
        return out

    def all_unit_sets(self) -> list[tuple[int, str, NDArray[Any]]]:
        """(flat cell, what, unit ids) for every figure, hidden ones too: what a table's
        shape and cells are made of, for comparing two publications of it. Internal: never
        export."""
        g = self._state
        return [(flat, "cell", ids) for flat, ids in enumerate(g.units)] + [
            (flat, label, ids) for flat, label, ids in g.extra_units
        ]

    def cell_units(self, flat: int) -> NDArray[Any]:
        """Unit ids of a flat cell. Internal: never export."""
        return self._state.units[flat]

    def interior_cells(self) -> list[int]:
        """Flat indices of the cells that are not totals."""
        return [int(i) for i in np.flatnonzero(~self._state.layout.is_margin().ravel())]

    def cell_label(self, flat: int) -> str:
        """Readable label of a flat cell index (for the log)."""
        n_cols = self._state.layout.shape[1]
        r, c = divmod(flat, n_cols)
        row = " / ".join(str(k) for k in self._row_key(r))
        col = " / ".join(str(k) for k in self._col_key(c))
        return f"{row} × {col}" if self._state.layout.two_d else row

    def suppress_more(self, flats: Sequence[int], reason: str, *, primary: bool = True) -> None:
        """Hide more cells and redo secondary suppression.

        ``primary=True``: the cells themselves must be protected like primary cells (e.g. a
        total that differs by a few units from another output). ``primary=False``: they are
        hidden only to protect a cell of another output, and need no protection of their own.
        """
        g = self._state
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
        g = self._state
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
        g = self._state
        return [(int(f), g.units[int(f)]) for f in np.flatnonzero(g.primary.ravel())]

    def published_counts(self) -> list[tuple[int, float]] | None:
        """(flat cell, exact unweighted count) of published cells, or None when the table's
        figures are not exact unit counts (weighted, rounded, magnitudes, percentages)."""
        g = self._state
        if self.kind != "frequency" or self.weighted or g.rounded is not None:
            return None
        flat_supp = g.suppressed.ravel()
        counts = g.counts.ravel()
        return [(f, float(counts[f])) for f in range(counts.size) if not flat_supp[f]]

    def _display_values(self) -> FloatArray:
        return self._state.value

    def _row_key(self, r: int) -> tuple[Any, ...]:
        g = self._state
        return g.row_keys[r] if r < len(g.row_keys) else (TOTAL,) * len(self.rows)

    def _col_key(self, c: int) -> tuple[Any, ...]:
        g = self._state
        if not g.layout.two_d:
            return (self.statistic,)
        return g.col_keys[c] if c < len(g.col_keys) else (TOTAL,) * len(self.cols)

    def _index(self) -> pd.Index:
        keys = [self._row_key(r) for r in range(self._state.layout.shape[0])]
        if len(self.rows) == 1:
            plain: pd.Index = pd.Index([k[0] for k in keys], name=self.rows[0])
            return plain
        multi: pd.Index = pd.MultiIndex.from_tuples(keys, names=list(self.rows))
        return multi

    def _columns(self) -> pd.Index:
        keys = [self._col_key(c) for c in range(self._state.layout.shape[1])]
        if not self._state.layout.two_d:
            single: pd.Index = pd.Index([self.statistic])
            return single
        if len(self.cols) == 1:
            plain: pd.Index = pd.Index([k[0] for k in keys], name=self.cols[0])
            return plain
        multi: pd.Index = pd.MultiIndex.from_tuples(keys, names=list(self.cols))
        return multi
