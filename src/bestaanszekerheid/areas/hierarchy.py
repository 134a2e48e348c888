"""Buurten inside their wijk: hierarchical protection, top-down as in tau-ARGUS's HiTaS.

A buurt table and its wijk table are one hierarchical table: the buurten of a wijk add up to
the wijk. Protecting the 254 buurten of Tilburg as one long table against the city total, and
leaving the register to find every "wijk minus its published buurten" afterwards, costs many
rounds of the run-wide attacker's programme (minutes on the demo). Top-down is exact and fast:

1. the wijk table is protected and released first; a wijk whose buurten cannot be protected
   while its count is published (all its buurten small: "8 and 6 of 14" pins both between 5
   and 9) is hidden there first, as a primary cell;
2. the buurten of each wijk are a small sub-table whose total is the wijk's published count
   (the attacker knows it exactly), protected on their own: a hidden buurt never stands alone in
   its wijk unless the rules leave it wide enough;
3. a wijk hidden in the wijk table hides all its buurten (its count must not come back as their
   sum).

Composition estimates (the groups' shares of an area's target households) follow the same
plan: per wijk, the groups x buurten table is checked with the wijk's estimated group counts as
its row totals, taken as known exactly (more than any reader knows: the safe side), so the
blocks are independent programmes of a few cells each. A group whose wijk estimate is banded or
hidden has none of its buurt estimates in that wijk published (their sum would give it).

The register still verifies the result against everything the run published (its linked
check); this module only makes that check pass at the first try in the usual case.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import (
    TOTAL,
    CheckedEstimates,
    CheckedTable,
    DisclosureRules,
    check_estimates,
)
from bestaanszekerheid.disclosure.checked import CheckRecord
from bestaanszekerheid.disclosure.knowledge import Knowledge, protection_interval
from bestaanszekerheid.disclosure.secondary import TOLERANCE, TableLayout, attacker_bounds, protect

#: Reason recorded in the checker's log for a buurt hidden to protect inside its wijk.
REASON = "hierarchie (buurt binnen wijk)"


def _blocks(codes: Sequence[str], parent: Mapping[str, str]) -> dict[str, list[int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for row, code in enumerate(codes):
        if code != TOTAL:
            blocks[parent[code]].append(row)
    return dict(blocks)


def protect_within_wijken(
    buurten: CheckedTable,
    wijken: CheckedTable | None,
    parent: Mapping[str, str],
    rules: DisclosureRules,
) -> int:
    """Hide further buurt cells of the (unreleased) one-way table ``buurten`` so that every
    wijk's buurten are protected against the wijk's count in the (released) table ``wijken``
    (see the module docstring). ``parent``: wijk code of every buurt row. Returns the number of
    cells hidden. Without a wijk table (refused) every buurt is protected against the city
    total alone, as the table already is.
    """
    if wijken is None:
        return 0
    codes = [str(c) for c in buurten.frame.index]
    blocks = _blocks(codes, parent)
    total_hidden = 0
    for _ in range(len(codes)):  # suppression only grows: at most one round per cell
        hidden = buurten.frame.iloc[:, 0].isna().to_numpy()
        knowledge = {
            f: (lo, hi, prim) for f, _, lo, hi, prim, _, _ in buurten.hidden_count_knowledge()
        }
        force: list[int] = []
        for wijk, rows in blocks.items():
            open_rows = [r for r in rows if not hidden[r]]
            if not open_rows:
                continue
            total = wijken.published(wijk)
            if math.isnan(total):
                force.extend(open_rows)  # a hidden wijk: its buurten would add up to it
                continue
            force.extend(_block(buurten, rows, hidden, knowledge, total, rules))
        if not force:
            break
        buurten.suppress_more(sorted(set(force)), REASON, primary=False)
        total_hidden += len(set(force))
    return total_hidden


def _block_problem(
    table: CheckedTable,
    rows: list[int],
    knowledge: Mapping[int, tuple[float, float, bool]],
    total: float,
) -> tuple[np.ndarray, np.ndarray, Knowledge] | None:
    """One wijk's buurten as a one-way table with the wijk's count as its known total:
    (values, primary, attacker's knowledge), or None when there is nothing to protect."""
    counts = np.array([float(len(table.cell_units(r))) for r in rows])
    primary = np.array([knowledge.get(r, (0, 0, False))[2] for r in rows])
    if not primary.any() or counts.sum() != total:
        # No small buurt here, or buurten that do not add up to the wijk (households with a
        # wijk but no buurt code): no equation for an attacker; the register checks the rest.
        return None
    n = len(rows)
    low = np.append([knowledge.get(r, (0.0, math.inf, False))[0] for r in rows], total)
    high = np.append([knowledge.get(r, (0.0, math.inf, False))[1] for r in rows], total)
    zeros = np.zeros((n + 1, 1))
    return (
        np.append(counts, total).reshape(n + 1, 1),
        np.append(primary, False).reshape(n + 1, 1),
        Knowledge(
            hidden_low=low.reshape(n + 1, 1),
            hidden_high=high.reshape(n + 1, 1),
            published_low=zeros,
            published_high=zeros,
        ),
    )


def _block(
    table: CheckedTable,
    rows: list[int],
    hidden: np.ndarray,
    knowledge: Mapping[int, tuple[float, float, bool]],
    total: float,
    rules: DisclosureRules,
) -> list[int]:
    """Rows of one wijk to hide so that its hidden primary buurten keep their interval."""
    problem = _block_problem(table, rows, knowledge, total)
    if problem is None:
        return []
    values, primary, know = problem
    n = len(rows)
    result = protect(
        values,
        TableLayout(n, 1, True, False),
        primary,
        np.full((n + 1, 1), rules.protection_width_counts),
        know,
        already=np.append(hidden[rows], False).reshape(n + 1, 1),
        keep=np.append(np.zeros(n, dtype=bool), True).reshape(n + 1, 1),
    )
    supp = result.suppressed.ravel()[:n]
    return [r for r, s, h in zip(rows, supp, hidden[rows], strict=True) if s and not h]


def wijken_to_hide(
    buurten: CheckedTable, wijken: CheckedTable, parent: Mapping[str, str], rules: DisclosureRules
) -> list[int]:
    """Cells (flat, of the unreleased ``wijken``) whose published count would pin a small buurt
    even with every buurt of the wijk hidden: hide them in the wijk table first."""
    codes = [str(c) for c in buurten.frame.index]
    wijk_rows = {str(c): r for r, c in enumerate(wijken.frame.index)}
    knowledge = {f: (lo, hi, prim) for f, _, lo, hi, prim, _, _ in buurten.hidden_count_knowledge()}
    out: list[int] = []
    for wijk, rows in _blocks(codes, parent).items():
        if wijk not in wijk_rows:
            continue
        total = float(len(wijken.cell_units(wijk_rows[wijk])))
        problem = _block_problem(buurten, rows, knowledge, total)
        if problem is None:
            continue
        values, primary, know = problem
        n = len(rows)
        layout = TableLayout(n, 1, True, False)
        lo, hi = attacker_bounds(values, layout, np.ones((n + 1, 1), dtype=bool), know)
        width = np.full((n + 1, 1), rules.protection_width_counts)
        need_lo, need_hi = protection_interval(values, width, know)
        narrow = (lo > need_lo + TOLERANCE) | (hi < need_hi - TOLERANCE)
        if (narrow & primary).any():
            out.append(wijk_rows[wijk])
    return out


def estimates_within_wijken(
    estimated: pd.DataFrame,
    published_target: pd.Series,
    parent: Mapping[str, str],
    wijk_estimates: CheckedEstimates | None,
    *,
    name: str,
    rules: DisclosureRules,
) -> CheckedEstimates:
    """Composition estimates (groups x buurten) checked per wijk (see the module docstring),
    joined into one :class:`CheckedEstimates` in the columns' order."""
    by_wijk: dict[str, list[str]] = defaultdict(list)
    for code in estimated.columns:
        by_wijk[parent[str(code)]].append(str(code))
    parts: list[CheckedEstimates] = []
    for wijk, codes in by_wijk.items():
        block = check_estimates(
            estimated[codes],
            basis="column",
            # Row totals of a block are its own sums (known exactly by assumption); the
            # published class sizes only matter for class-specific shares.
            row_published=estimated[codes].sum(axis=1),
            col_published=published_target.reindex(codes),
            name=name,
            rules=rules,
            decimals=rules.estimate_share_decimals,
            size_base=rules.estimate_size_base,
        )
        if wijk_estimates is not None:
            _hide_below_hidden_wijk(block, wijk_estimates, wijk)
        parts.append(block)
    return _joined(parts, list(estimated.columns), name)


def _hide_below_hidden_wijk(block: CheckedEstimates, wijk: CheckedEstimates, code: str) -> None:
    """A group whose wijk estimate is not published as a number keeps its buurten hidden."""
    for group in block.status.index:
        try:
            status = str(wijk.status.at[group, code])
        except KeyError:
            status = "absent"
        if status == "ok":
            continue
        shown = block.status.loc[group] != "absent"
        block.status.loc[group, shown] = "secondary"
        block.share.loc[group, shown] = math.nan
        block.bound.loc[group, shown] = math.nan
        block.text.loc[group, shown] = "x"


def _joined(parts: list[CheckedEstimates], order: list[str], name: str) -> CheckedEstimates:
    def cat(attr: str) -> pd.DataFrame:
        joined: pd.DataFrame = pd.concat([getattr(p, attr) for p in parts], axis=1)
        return joined[order]

    tally: dict[tuple[str, str], list[int]] = {}
    for part in parts:
        for check in part.checks:
            tested, failed = tally.setdefault((check.rule, check.note), [0, 0])
            tally[(check.rule, check.note)] = [tested + check.tested, failed + check.failed]
    checks = [CheckRecord(rule, t, f, note) for (rule, note), (t, f) in tally.items()]
    checks.append(CheckRecord("hierarchy", len(order), 0, f"{len(parts)} wijken als blokken"))
    notes = sorted({n for p in parts for n in p.notes})
    return CheckedEstimates(
        name=name,
        basis="column",
        share=cat("share").astype(float),
        text=cat("text"),
        bound=cat("bound").astype(float),
        status=cat("status"),
        checks=checks,
        decimals=parts[0].decimals if parts else 1,
        notes=notes,
    )
