"""Primary rules: which cells may not be published themselves, and why.

Each rule marks failing cells in a primary mask, adds its reason id (see :mod:`.labels`) to
those cells and returns a :class:`CheckRecord` with how many cells it tested and failed, for
the output log.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.checked import CheckRecord
from bestaanszekerheid.disclosure.evidence import _Evidence
from bestaanszekerheid.disclosure.rules import DisclosureRules

BoolArray = NDArray[np.bool_]


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
