"""Protection of a table state: secondary suppression or rounding until no hidden cell can be
recovered from the totals (what the attacker knows is in :mod:`.knowledge`, the LP and the
suppression patterns in :mod:`.secondary` and :mod:`.optimal`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.knowledge import (
    Knowledge,
    count_knowledge,
    proportion_knowledge,
)
from bestaanszekerheid.disclosure.rules import DisclosureRules
from bestaanszekerheid.disclosure.secondary import protect

if TYPE_CHECKING:
    from bestaanszekerheid.disclosure.checked import _Shield, _TableState

FloatArray = NDArray[np.float64]


def round_to_base(values: FloatArray, base: int) -> FloatArray:
    """Round half up to a multiple of ``base`` (Python's round() would round half to even)."""
    return np.floor(np.asarray(values, dtype=float) / base + 0.5) * base


def _count_width(
    shape: tuple[int, int], weights: FloatArray | None, rules: DisclosureRules
) -> FloatArray:
    """Protection width of counts: ``protection_width_counts`` units per cell, in weighted
    units (times the mean weight) when the counts are weighted."""
    scale = float(np.mean(weights)) if weights is not None and weights.size else 1.0
    return np.full(shape, rules.protection_width_counts * scale)


def _magnitude_width(wsum: FloatArray, top1: FloatArray, rules: DisclosureRules) -> FloatArray:
    """Protection width of sums: ±``protection_percent_magnitude``% of the larger of the cell
    total and its largest contribution, and at least 1."""
    scale = np.maximum(np.abs(wsum), top1)
    width: FloatArray = np.maximum(2 * rules.protection_percent_magnitude / 100 * scale, 1.0)
    return width


def _knowledge(g: _TableState, shield: _Shield, rules: DisclosureRules) -> Knowledge:
    """What an attacker who knows the rules knows of each cell of ``shield`` (see
    :mod:`.knowledge`)."""
    shape = g.layout.shape
    rounding = (0.0, 0.0)
    if g.method == "round":
        base = rules.rounding_base
        rounding = (
            (float(base // 2), float((base - 1) // 2)) if g.integer_counts else (base / 2,) * 2
        )
    if shield.kind == "counts" and shield.unweighted:
        small = np.array(
            [("min_count" in r or "zeros" in r) for r in g.reasons], dtype=bool
        ).reshape(shape)
        return count_knowledge(
            g.counts,
            g.primary,
            small,
            min_count=rules.min_count,
            zeros_hidden=rules.zeros_are_disclosive,
            rounding=rounding,
        )
    if shield.kind == "proportions" and shield.ceiling is not None and shield.unweighted:
        return proportion_knowledge(
            shield.values, shield.ceiling, g.primary, min_count=rules.min_count
        )
    upper = np.inf if shield.ceiling is None else shield.ceiling
    return Knowledge.simple(shape, lower=shield.lower, upper=upper, rounding=rounding)


def _run_protection(g: _TableState, rules: DisclosureRules) -> None:
    """Primary cells plus secondary suppression (or rounding) until every grid is protected."""
    supp = g.primary.copy()
    if g.forced is not None:
        supp |= g.forced
    g.rounded = None
    if g.method == "round":
        shield = g.protect_grids[0]
        rounded = round_to_base(shield.values, rules.rounding_base)
        shown = np.where(g.primary, shield.values, rounded)
        result = protect(
            shown,
            g.layout,
            g.primary,
            shield.width,
            _knowledge(g, shield, rules),
            already=supp,
            method=g.suppression,
            keep=g.keep,
        )
        g.suppressed = result.suppressed
        g.rounded = rounded
        g.protect_rounds = result.rounds
        g.protection_notes = [result.note] if result.note else []
        return
    rounds = 0
    notes: list[str] = []
    while True:
        before = supp.copy()
        for shield in g.protect_grids:
            know = _knowledge(g, shield, rules)
            result = protect(
                shield.values,
                g.layout,
                g.primary,
                shield.width,
                know,
                already=supp,
                method=g.suppression,
                keep=g.keep,
            )
            supp = result.suppressed
            rounds += result.rounds
            if shield is g.protect_grids[0]:
                g.knowledge, g.need = know, (result.need_low, result.need_high)
            if result.note and result.note not in notes:
                notes.append(result.note)
        if (supp == before).all():
            break
    g.suppressed = supp
    g.protect_rounds = rounds
    g.protection_notes = notes
