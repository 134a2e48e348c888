"""The true values behind the attacker's findings, from the microdata (tests only).

The attacker never sees this: it is used to print, next to each finding, what the interval
was about, and to check that the attacks are sound (a count interval always holds the truth).
Class-level truths are counts of the modal assignment, the nearest unit-level meaning of a
model estimate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tests.disclosure.redteam.attacker import Finding
from tests.disclosure.redteam.published import CONSOLE_SECTIONS

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

#: Keys whose interval is a statement about a whole number of units: it must hold the truth.
COUNT_KEYS = ("count", "tree-miss", "tree-outside")


def unit_counts(table: Any) -> np.ndarray:
    """The true (unweighted) count of every cell of a checked table, from its unit sets
    (test-only truth, never part of an attack)."""
    n_rows, n_cols = table.layout.shape
    return np.array(
        [[len(table.cell_units(r * n_cols + c)) for c in range(n_cols)] for r in range(n_rows)]
    )


def _checked_counts(result: AnalysisResult) -> dict[tuple[str, str, str], float]:
    from bestaanszekerheid.disclosure import TOTAL
    from bestaanszekerheid.reports.xlsx import checked_tables

    out: dict[tuple[str, str, str], float] = {}
    for table in checked_tables(result):
        if table.kind != "frequency":
            continue
        counts = unit_counts(table)
        frame = table.frame
        one_way = not table.cols
        for r, idx in enumerate(frame.index):
            row = " / ".join(str(k) for k in idx) if isinstance(idx, tuple) else str(idx)
            row = "Totaal" if row == TOTAL else row
            for c, col in enumerate(frame.columns):
                label = " / ".join(str(k) for k in col) if isinstance(col, tuple) else str(col)
                key = "" if one_way else ("Totaal" if label == TOTAL else label)
                out[(table.name, row, key)] = float(counts[r, c])
    return out


def _model_frames(result: AnalysisResult) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Modal class per target household, their characteristics and the households."""
    from bestaanszekerheid.profiles.features import characteristics_frame

    data = result.target.households.reset_index(drop=True)
    X = data[list(result.indicators)].copy()
    for name, kind in result.indicators.items():
        if kind == "categorical":
            X[name] = X[name].astype("object").where(X[name].notna(), None)
        elif kind == "binary":
            X[name] = X[name].astype("float64")
        else:
            X[name] = pd.to_numeric(X[name], errors="coerce").astype("float64")
    modal = result.selection.model.predict_proba(X).argmax(axis=1)
    chars = characteristics_frame(data, result.profiles.characteristics)
    return modal, chars, data


def _tree_truths(
    result: AnalysisResult, modal: np.ndarray, chars: pd.DataFrame
) -> dict[tuple[str, ...], float]:
    """Misclassified households per group and non-members per leaf, from a refit of the
    (deterministic) recognisability tree."""
    from sklearn.tree import DecisionTreeClassifier

    from bestaanszekerheid.profiles.features import CHARACTERISTICS_BY_COLUMN
    from bestaanszekerheid.profiles.recognise import _dummies

    rules = result.register.rules
    X, names = _dummies(chars)
    n = len(modal)
    tree = DecisionTreeClassifier(
        max_depth=result.profiles.tree_depth,
        min_samples_leaf=max(rules.min_count, math.ceil(0.01 * n)),
        random_state=result.options.random_state,
    ).fit(X, modal)
    predicted = tree.predict(X)
    leaves = tree.apply(X)
    t = tree.tree_
    out: dict[tuple[str, ...], float] = {}
    paths: dict[int, tuple[str, ...]] = {}

    def label(column: str) -> str:
        char = CHARACTERISTICS_BY_COLUMN.get(column)
        return char.label if char else column

    def walk(node: int, conds: tuple[str, ...]) -> None:
        left, right = t.children_left[node], t.children_right[node]
        if left == right:
            paths[node] = conds
            return
        column, level = names[t.feature[node]]
        walk(left, (*conds, f"{label(column)} is niet '{level}'"))
        walk(right, (*conds, f"{label(column)} is '{level}'"))

    walk(0, ())
    for g in result.profiles.groups:
        k = g.number - 1
        members = modal == k
        out[("tree-miss", g.key)] = float(np.sum(members & (predicted != k)))
        for leaf, conds in paths.items():
            in_leaf = leaves == leaf
            out[("tree-outside", g.key, " én ".join(conds))] = float(np.sum(in_leaf & ~members))
    return out


def truth_lookup(result: AnalysisResult) -> Callable[[tuple[str, ...]], float | None]:
    """A function from a finding's key to the true value (None when unknown)."""
    counts = _checked_counts(result)
    modal, chars, data = _model_frames(result)
    column_of = {c.label: c.column for c in result.profiles.characteristics}
    number = {g.key: g.number - 1 for g in result.profiles.groups}
    wijk = data["wijk_code"].astype("string") if "wijk_code" in data.columns else None
    trees = _tree_truths(result, modal, chars)

    def lookup(key: tuple[str, ...]) -> float | None:
        kind = key[0] if key else ""
        if kind == "count":
            table, row, col = key[1], key[2], key[3]
            section = table.partition(": ")[2]
            if section and (table, row, col) not in counts:
                # a table printed by a command: the run's table over the same households
                if section == "doelgroep":
                    return counts.get(("Huishoudens naar doelgroep", row, col))
                other = CONSOLE_SECTIONS.get(section)
                if other is not None:
                    row = "In de doelgroep" if row == "Totaal" else row
                    source = "Huishoudens naar doelgroep" if row == "In de doelgroep" else other
                    return counts.get((source, row, col))
            return counts.get((table, row, col))
        if kind in ("estimate", "complement", "difference"):
            label, level, group = key[1], key[2], key[3]
            if label not in column_of or group not in number:
                return None
            in_class = modal == number[group]
            in_level = (chars[column_of[label]] == level).to_numpy()
            both = float(np.sum(in_class & in_level))
            if kind == "estimate":
                return both
            if kind == "complement":
                return float(np.sum(in_class)) - both
            return (
                float(np.sum(in_level) - both)
                if key[4] == "inside"
                else float(np.sum(in_class) - both)
            )
        if kind in ("wijk", "wijk-complement") and wijk is not None:
            group, code = key[1], key[2]
            if group not in number:
                return None
            in_wijk = (wijk == code).fillna(False).to_numpy()
            both = float(np.sum(in_wijk & (modal == number[group])))
            return both if kind == "wijk" else float(np.sum(in_wijk)) - both
        if kind == "class" and key[1] in number:
            return float(np.sum(modal == number[key[1]]))
        if kind in ("tree-miss", "tree-outside"):
            return trees.get(key)
        return None

    return lookup


def with_truth(findings: list[Finding], lookup: Callable[[tuple[str, ...]], Any]) -> list[Finding]:
    out = []
    for f in findings:
        value = lookup(f.key) if f.key else None
        if value is None and f.key and f.key[0] in ("text", "report-count"):
            value = f.interval[0]
        out.append(replace(f, truth=None if value is None else float(value)))
    return out


def unsound(findings: list[Finding]) -> list[Finding]:
    """Count findings whose interval does not hold the true count (an attacker bug)."""
    bad = []
    for f in findings:
        if f.truth is None or not f.key or f.key[0] not in COUNT_KEYS:
            continue
        lo, hi = f.interval
        if not (lo - 1e-6 <= f.truth <= hi + 1e-6):
            bad.append(f)
    return bad
