"""Model estimates as tables: class-specific shares checked like the counts they rest on.

A latent class model publishes, per class and per level of a characteristic, an estimated
share (the BCH three-step estimate). Share times class size is an estimated count, and when a
class is nearly deterministic (posteriors 0 or 1) that estimate *is* a count: "0,3% of a class
of 300" says one household. So the estimates are checked as a table of estimated counts
``E[class, level]`` with margins (class sizes, published rounded; level counts, published by
the whole-group table):

- **Primary rule.** An estimate rests on at least ``min_count`` estimated households in its
  numerator and in its complement (the rest of its base: the class for a class-specific share,
  the level for a composition share). Otherwise it is published as a band ("minder dan 5%",
  "meer dan 95%"; the band always covers 0..min_count-1 households, so it says no more than
  the rule), never as 0% or 100%. When the *other* complement is small (nearly all households
  of a level in one class, which with the level's count would pin the other classes' cells)
  the estimate is hidden by the secondary protection below if it would pin those. A base
  too small for both sides hides the estimate.
- **Rounding once.** A published share is rounded to ``decimals`` (default 1) and the same
  rounded value is used everywhere (report, chart, bundle, XLSX); sizes are rounded to
  ``size_base`` (default 10) households.
- **Secondary protection.** Published shares and margins let an attacker compute a banded
  estimate by subtraction (level count minus the other classes). The attacker's linear
  programme (:mod:`.secondary`, with the rounding of every published figure as its
  uncertainty) must leave every banded or hidden estimate its protection interval; where it
  does not, more estimates are hidden (optimal pattern, as for tables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.checked import CheckRecord
from bestaanszekerheid.disclosure.knowledge import Knowledge
from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.disclosure.secondary import Suppression, TableLayout, protect

FloatArray = NDArray[np.float64]
Basis = Literal["row", "column"]
EstimateStatus = Literal["ok", "band_low", "band_high", "primary", "secondary", "absent"]

#: Band limits, in percent, from which the smallest one that covers the rule is chosen.
BAND_LIMITS = (1, 2, 5, 10, 15, 20, 25, 30, 40, 50)


@dataclass(frozen=True)
class CheckedEstimates:
    """Estimated shares per class (rows) and level (columns) that may be published.

    ``share``: the published share in percent, rounded once (NaN where banded or hidden);
    ``text``: what a reader sees per cell ("12,3%", "minder dan 5%", "x"); ``bound``: for a
    band, its limit in percent (NaN otherwise); ``status``: ok, band_low, band_high, primary
    (hidden for its own sake), secondary (hidden to protect another), absent (no estimate).
    """

    name: str
    basis: Basis
    share: pd.DataFrame
    text: pd.DataFrame
    bound: pd.DataFrame
    status: pd.DataFrame
    checks: list[CheckRecord]
    decimals: int
    notes: list[str] = field(default_factory=list)

    def decisions(self) -> list[tuple[str, str, str, str]]:
        """(table, row, column, status) of every cell not published as a number: the
        per-cell record an output checker reads in the log (never in the publication)."""
        return [
            (self.name, str(row), str(col), str(self.status.at[row, col]))
            for row in self.status.index
            for col in self.status.columns
            if self.status.at[row, col] not in ("ok", "absent")
        ]

    def published(self, row: str, col: str) -> float:
        """The published share of one cell (NaN when banded, hidden or absent)."""
        try:
            value = self.share.at[row, col]
        except KeyError:
            return math.nan
        return float(value) if isinstance(value, (int, float, np.floating)) else math.nan

    def limit(self, row: str, col: str) -> float:
        """The limit of a band in percent ("meer dan 95%": 95), NaN when not banded."""
        try:
            value = self.bound.at[row, col]
        except KeyError:
            return math.nan
        return float(value) if isinstance(value, (int, float, np.floating)) else math.nan

    def band(self, row: str, col: str) -> str:
        """The band text of one cell ("minder dan 5%"), or "" when the cell is not banded."""
        try:
            status = self.status.loc[row, col]
        except KeyError:
            return ""
        return str(self.text.loc[row, col]) if status in ("band_low", "band_high") else ""


def band_limit(min_count: int, base: float) -> float | None:
    """Smallest band limit (percent) that covers 0..min_count-1 households of ``base``, or
    None when even the widest band would not (the estimate is then hidden)."""
    if base <= 0:
        return None
    need = 100.0 * min_count / base
    for limit in BAND_LIMITS:
        if limit >= need:
            return float(limit)
    return None


def round_half_up(values: FloatArray, decimals: int) -> FloatArray:
    """Round half away from zero to ``decimals`` (Python's round() rounds half to even)."""
    scale = 10.0**decimals
    arr = np.asarray(values, dtype=float)
    out: FloatArray = np.sign(arr) * np.floor(np.abs(arr) * scale + 0.5) / scale
    return out


def round_size(value: float, base: int) -> float:
    """A size rounded half up to a multiple of ``base``."""
    return float(math.floor(value / base + 0.5) * base)


def check_estimates(
    estimated: pd.DataFrame,
    *,
    basis: Basis,
    row_published: pd.Series,
    col_published: pd.Series,
    name: str,
    rules: DisclosureRules | None = None,
    decimals: int = 1,
    size_base: int = 10,
    suppression: Suppression = "optimal",
) -> CheckedEstimates:
    """Check a table of estimated counts and decide what of its shares may be published.

    ``estimated``: classes x levels, estimated households (BCH; may be slightly negative or
    NaN where there is no estimate). ``row_published``: the class sizes as published (rounded
    to ``size_base``); ``col_published``: the level counts as published (NaN where the
    whole-group table hides the level: its estimates are not published). ``basis``: "row" for
    class-specific shares (share of the class with the level), "column" for composition
    shares (share of the level's households in the class).
    """
    rules = rules or load_rules()
    t = float(rules.min_count)
    e = estimated.to_numpy(dtype=float)
    absent = ~np.isfinite(e)
    e = np.where(absent, 0.0, e)
    n_rows, n_cols = e.shape
    row_true = e.sum(axis=1)
    col_true = e.sum(axis=0)
    col_pub = col_published.reindex(estimated.columns).to_numpy(dtype=float)
    row_pub = row_published.reindex(estimated.index).to_numpy(dtype=float)
    level_hidden = ~np.isfinite(col_pub)
    # Base and complement of every cell, by the share's basis.
    if basis == "row":
        base_true = np.repeat(row_true[:, None], n_cols, axis=1)
        base_pub = np.repeat(row_pub[:, None], n_cols, axis=1)
    else:
        base_true = np.repeat(col_true[None, :], n_rows, axis=0)
        base_pub = np.repeat(col_pub[None, :], n_rows, axis=0)
    comp = base_true - e
    small_num = e < t
    small_comp = comp < t
    checks = [
        CheckRecord("min_count", int((~absent).sum()), int((small_num & ~absent).sum()), "teller"),
        CheckRecord(
            "min_count", int((~absent).sum()), int((small_comp & ~absent).sum()), "complement"
        ),
        CheckRecord(
            "group_disclosure",
            int((~absent).sum()),
            int((((e <= 0) | (comp <= 0)) & ~absent).sum()),
            "0% of 100%",
        ),
    ]
    status = np.full(e.shape, "ok", dtype=object)
    bound = np.full(e.shape, np.nan)
    limits = np.vectorize(lambda b: band_limit(rules.min_count, b) or np.nan)(
        np.where(np.isfinite(base_pub), base_pub, 0.0)
    )
    low = small_num & ~small_comp & np.isfinite(limits)
    high = small_comp & ~small_num & np.isfinite(limits)
    status[low] = "band_low"
    bound[low] = limits[low]
    status[high] = "band_high"
    bound[high] = 100.0 - limits[high]
    # A small *cross* complement (nearly all of a level's households in one class) needs no
    # rule of its own: the other classes' cells are then small and banded, and the attacker's
    # programme below hides whatever would pin them.
    hidden_own = (small_num | small_comp) & ~(low | high)
    status[hidden_own] = "primary"
    status[absent | level_hidden] = "absent"
    primary = np.isin(status, ("band_low", "band_high", "primary"))

    # Shares rounded once; one that rounds to 0% or 100% (a large base) is shown as a band of
    # one rounding step, never as 0% or 100% (group disclosure in print).
    step = 10.0**-decimals
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(base_true > 0, 100.0 * e / np.where(base_true > 0, base_true, 1.0), 0.0)
    share = round_half_up(raw, decimals)
    ok = status == "ok"
    to_low = ok & (share <= 0.0)
    to_high = ok & (share >= 100.0)
    status[to_low], bound[to_low] = "band_low", step
    status[to_high], bound[to_high] = "band_high", 100.0 - step

    # The attacker's programme over estimated counts with margins (classes x levels).
    full = np.zeros((n_rows + 1, n_cols + 1))
    full[:n_rows, :n_cols] = e
    full[:n_rows, n_cols] = row_true
    full[n_rows, :n_cols] = col_true
    full[n_rows, n_cols] = e.sum()
    layout = TableLayout(n_rows, n_cols, True, True)
    knowledge, already = _knowledge(
        full,
        e,
        base_true,
        share,
        status,
        primary,
        bound,
        decimals,
        level_hidden,
        t,
        basis,
    )
    prim_full = np.zeros(full.shape, dtype=bool)
    prim_full[:n_rows, :n_cols] = primary
    width = np.full(full.shape, rules.protection_width_counts)
    # Only the estimates are published: which margin the programme hides is not an outcome.
    decided = np.zeros(full.shape, dtype=bool)
    decided[:n_rows, :n_cols] = True
    result = protect(
        full,
        layout,
        prim_full,
        width,
        knowledge,
        already=already,
        method=suppression,
        decided=decided,
    )
    secondary = result.suppressed[:n_rows, :n_cols] & (status == "ok")
    status[secondary] = "secondary"
    checks.append(CheckRecord("secondary", int(e.size), int(secondary.sum())))

    share = np.where(status == "ok", share, np.nan)
    text = np.empty(e.shape, dtype=object)
    for idx in np.ndindex(e.shape):
        text[idx] = _text(str(status[idx]), float(share[idx]), float(bound[idx]), decimals)

    def frame(values: NDArray[np.generic]) -> pd.DataFrame:
        return pd.DataFrame(values.tolist(), index=estimated.index, columns=estimated.columns)

    notes = [result.note] if result.note else []
    return CheckedEstimates(
        name=name,
        basis=basis,
        share=frame(share).astype(float),
        text=frame(text),
        bound=frame(bound).astype(float),
        status=frame(status),
        checks=checks,
        decimals=decimals,
        notes=notes,
    )


def _text(status: str, share: float, bound: float, decimals: int) -> str:
    from bestaanszekerheid.formatting import fmt_num

    places = 0 if float(bound).is_integer() else decimals
    if status == "ok":
        return fmt_num(share, decimals) + "%"
    if status == "band_low":
        return f"minder dan {fmt_num(bound, places)}%"
    if status == "band_high":
        return f"meer dan {fmt_num(bound, places)}%"
    return "x"


def _knowledge(
    full: FloatArray,
    e: FloatArray,
    base: FloatArray,
    share: FloatArray,
    status: NDArray[np.object_],
    primary: NDArray[np.bool_],
    bound: FloatArray,
    decimals: int,
    level_hidden: NDArray[np.bool_],
    t: float,
    basis: Basis,
) -> tuple[Knowledge, NDArray[np.bool_]]:
    """What the attacker knows of each estimated count: a published share within its
    rounding, times its base (class total or level count, both taken as known exactly: the
    worst case); a band as the interval it states; a primary (small) estimate within 0..t-1
    of its numerator or complement."""
    n_rows, n_cols = e.shape
    shape = full.shape
    # The attacker is assumed to know every class total exactly (published sizes are rounded,
    # but an attacker may learn more elsewhere): then a class's shares, which add up to 100%,
    # are linear in its estimated counts, and "100% minus the published shares" is in the
    # programme exactly, as are the level counts.
    row_true = full[:n_rows, n_cols]
    if basis == "row":
        base_lo = base_hi = np.repeat(row_true[:, None], n_cols, axis=1)
    else:
        base_lo = base_hi = base  # level counts are published exactly
    delta = 0.5 * 10.0**-decimals
    # Interval of every published estimate (share and band alike), in households.
    p_lo = np.where(status == "band_low", 0.0, (share - delta) / 100.0)
    p_hi = np.where(status == "band_low", bound / 100.0, (share + delta) / 100.0)
    p_lo = np.where(status == "band_high", bound / 100.0, p_lo)
    p_hi = np.where(status == "band_high", 1.0, p_hi)
    lo = np.minimum(np.clip(p_lo, 0.0, 1.0) * base_lo, e)
    hi = np.maximum(np.clip(p_hi, 0.0, 1.0) * base_hi, e)
    interior = np.s_[:n_rows, :n_cols]
    pub_lo = np.zeros(shape)
    pub_hi = np.zeros(shape)
    pub_lo[interior] = e - lo
    pub_hi[interior] = hi - e
    # class totals: exact for the attacker (see above), so no rounding interval
    hid_lo = np.minimum(np.zeros(shape), full)
    hid_hi = np.full(shape, np.inf)
    small_low = primary & (e < t)
    small_high = primary & ~small_low & (base - e < t)
    lo_int, hi_int = hid_lo[interior], hid_hi[interior]
    lo_int[small_low] = 0.0
    hi_int[small_low] = t - 1
    lo_int[small_high] = base[small_high] - (t - 1)
    hi_int[small_high] = base[small_high]
    hid_lo[interior] = np.minimum(lo_int, e)
    hid_hi[interior] = np.maximum(hi_int, e)
    already = np.zeros(shape, dtype=bool)
    already[interior] = np.repeat(level_hidden[None, :], n_rows, axis=0)
    already[n_rows, :n_cols] = level_hidden
    # Banded and hidden estimates: the attacker's interval is what the rules say (a band
    # states no more), so they are "hidden" for the programme.
    already[interior] |= primary
    return (
        Knowledge(
            hidden_low=hid_lo, hidden_high=hid_hi, published_low=pub_lo, published_high=pub_hi
        ),
        already,
    )
