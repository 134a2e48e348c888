"""Primary rules: which cells may not be published themselves, and why.

Each rule marks failing cells in the primary mask, adds its reason id (see :mod:`.labels`) to
those cells and records a :class:`CheckRecord` with how many cells it tested and failed, for
the output log. The order of the checks is the order of the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.checked import CheckRecord
from bestaanszekerheid.disclosure.evidence import _Evidence, _PercentileEvidence
from bestaanszekerheid.disclosure.rules import DisclosureRules

BoolArray = NDArray[np.bool_]


@dataclass
class _Primary:
    """Primary cells of a table: the mask, the reason ids per flat cell, the checks made."""

    mask: BoolArray
    reasons: list[list[str]]
    checks: list[CheckRecord]

    @classmethod
    def empty(cls, shape: tuple[int, int]) -> _Primary:
        """No primary cells yet, no checks."""
        return cls(np.zeros(shape, dtype=bool), [[] for _ in range(shape[0] * shape[1])], [])

    def mark(self, fail: BoolArray, rule: str, note: str = "") -> None:
        """Record ``rule`` as checked on every cell; make the failing cells primary."""
        self.checks.append(_mark(self.mask, self.reasons, fail, rule, note))


def _mark(
    primary: BoolArray, reasons: list[list[str]], fail: BoolArray, rule: str, note: str = ""
) -> CheckRecord:
    fail = np.asarray(fail, dtype=bool)
    for flat in np.flatnonzero(fail.ravel()):
        if rule not in reasons[flat]:
            reasons[flat].append(rule)
    primary |= fail
    return CheckRecord(rule, int(fail.size), int(fail.sum()), note)


def _count_rules(ev: _Evidence, rules: DisclosureRules) -> _Primary:
    """Frequency tables: too few units, empty cells, a cell holding a whole row or column."""
    out = _threshold_rules(ev, rules)
    if rules.group_disclosure:
        out.mark(_group_all(ev), "group_all", "iedereen")
    return out


def _magnitude_rules(ev: _Evidence, rules: DisclosureRules, *, weighted: bool) -> _Primary:
    """Sums and means: too few units, empty cells, all values equal, dominance and p%."""
    out = _threshold_rules(ev, rules)
    if rules.group_disclosure:
        assert ev.all_same is not None
        out.mark(ev.all_same & (ev.count >= 2), "group_all", "alle waarden gelijk")
    _dominance_rules(ev, rules, out, weighted)
    return out


def _threshold_rules(ev: _Evidence, rules: DisclosureRules) -> _Primary:
    out = _Primary.empty(ev.layout.shape)
    n = ev.count
    out.mark((n > 0) & (n < rules.min_count), "min_count")
    if rules.zeros_are_disclosive:
        out.mark(n == 0, "zeros", "lege cel")
    return out


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


def _dominance_rules(ev: _Evidence, rules: DisclosureRules, out: _Primary, weighted: bool) -> None:
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
    out.mark(dominant, "dominance")
    out.mark(p_fail, "p_percent")


def _percentage_rules(ev: _Evidence, rules: DisclosureRules) -> _Primary:
    """Percentages: denominator, numerator and complement each at least ``min_count`` units;
    0% and 100% are group disclosure."""
    assert ev.num_count is not None
    out = _Primary.empty(ev.layout.shape)
    n = ev.count
    k = ev.num_count
    out.mark((n < rules.min_count) & (n > 0), "min_count", "noemer")
    out.mark((k < rules.min_count) & (k > 0), "min_count", "teller")
    out.mark((n - k < rules.min_count) & (n - k > 0), "min_count", "eenheden zonder het kenmerk")
    if rules.zeros_are_disclosive:
        out.mark(n == 0, "zeros", "lege groep")
    if rules.group_disclosure:
        out.mark((k == 0) & (n > 0), "zeros", "0%: niemand")
        out.mark((k == n) & (n > 0), "group_all", "100%: iedereen")
    return out


def _percentile_rules(ev: _PercentileEvidence, rules: DisclosureRules, q: float) -> _Primary:
    """Percentiles: enough units, ``percentile_min_side`` strictly below and above, and not the
    exact value of 1 to ``min_count - 1`` units. An empty row has no percentile at all."""
    n_rows = ev.layout.shape[0]
    out = _Primary.empty(ev.layout.shape)
    failed = 0
    for r in range(n_rows):
        size = int(ev.count[r, 0])
        if size == 0:
            out.mask[r, 0] = True
            out.reasons[r].append("zeros")
            continue
        equal = int(ev.equal[r, 0])
        safe = (
            size >= rules.min_count
            and ev.below[r, 0] >= rules.percentile_min_side
            and ev.above[r, 0] >= rules.percentile_min_side
            and (equal == 0 or equal >= rules.min_count)
        )
        if size < rules.min_count:
            out.reasons[r].append("min_count")
        if not safe:
            out.mask[r, 0] = True
            out.reasons[r].append("percentile")
            failed += 1
    small = int(((ev.count < rules.min_count) & (ev.count > 0)).sum())
    out.checks += [
        CheckRecord("min_count", n_rows, small),
        CheckRecord("percentile", n_rows, failed, f"p{q:g}"),
    ]
    return out
