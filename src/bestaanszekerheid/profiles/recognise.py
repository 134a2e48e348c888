"""How recognisable a group is: a shallow decision tree on the profile characteristics.

The tree answers a question about *groups* ("can a professional recognise this group by two
or three characteristics?"); it is not a tool to classify residents, and its rules are never
applied to individuals (product principle: support, not surveillance). Leaves hold at least
the disclosure minimum (and 1% of the households), and the tree is registered as a model in
the run's release register; only its rules and accuracy are published.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from bestaanszekerheid.disclosure import DisclosureRules, ModelCheck, check_model


@dataclass(frozen=True)
class Rule:
    """A path in the tree that ends in a leaf assigned to the group."""

    #: The conditions as a person says them ("geen AOW", "wel loon uit werk"); joined by
    #: :func:`bestaanszekerheid.profiles.rule_text.rule_text`.
    conditions: tuple[str, ...]
    #: % of the group's households that end in this leaf; NaN when it would reveal a count
    #: below the disclosure minimum (of the leaf's group members or of those not in it).
    coverage: Pct
    #: % of the leaf's households that belong to the group; NaN under the same condition.
    precision: Pct


@dataclass(frozen=True)
class Recognition:
    """Recognisability of one group."""

    #: Of the group's households, the % the tree's rules find (assign to the group; NaN:
    #: small count).
    recall: Pct
    rules: tuple[Rule, ...]
    #: Of the households the rules find, the % that belong to the group (NaN: small count).
    precision: Pct = field(default_factory=lambda: Pct(math.nan))

    @property
    def verdict(self) -> str:
        """Dutch verdict for the text: goed / redelijk / moeilijk, on the lower of the two
        numbers (rules that find everyone but also many others do not recognise a group)."""
        values = [p.value for p in (self.recall, self.precision) if not math.isnan(p.value)]
        if math.isnan(self.recall.value) or not values:
            return "niet vast te stellen"
        low = min(values)
        if low >= 80:
            return "goed"
        if low >= 50:
            return "redelijk"
        return "moeilijk"

    def summary(self) -> str:
        """The two numbers in one Dutch sentence part: 'van de groep vindt de regel 94%;
        van wie de regel vindt, hoort 40% bij de groep'."""
        regel = "de regel" if len(self.rules) == 1 else "de regels"
        text = f"van de groep vindt {regel} {self.recall.text()}"
        if not math.isnan(self.precision.value):
            text += f"; van wie {regel} vindt, hoort {self.precision.text()} bij de groep"
        return text


@dataclass(frozen=True)
class Pct:
    """A published percentage (whole percents): exact, a bound ("meer dan", "minder dan"),
    or hidden (NaN)."""

    value: float
    at_least: bool = False
    at_most: bool = False

    def text(self) -> str:
        """Dutch text: '87%', 'meer dan 99%', 'minder dan 1%' or 'niet te publiceren'."""
        from bestaanszekerheid.formatting import fmt_pct

        if math.isnan(self.value):
            return "niet te publiceren"
        prefix = "meer dan " if self.at_least else "minder dan " if self.at_most else ""
        return prefix + fmt_pct(self.value, 0)


def safe_pct(part: int, whole: int, min_count: int) -> Pct:
    """100 * part / whole without revealing a small count, rounded once to whole percent.

    When fewer than ``min_count`` units fall outside ``part`` only a band is given ("meer
    dan 90%"), so 100% never reveals "everyone"; the band's limit comes from a fixed list
    (:func:`~bestaanszekerheid.disclosure.estimates.band_limit`), because a limit computed
    from ``whole`` would give ``whole`` away. When ``part`` itself is small the percentage is
    hidden. Whole percents: with more decimals, the coverages of a group's rules (hits over
    the same group size) would give the group's size away.
    """
    from bestaanszekerheid.disclosure import band_limit

    if whole <= 0 or part < min_count:
        return Pct(math.nan)
    if whole - part < min_count:
        limit = band_limit(min_count, whole)
        return Pct(math.nan) if limit is None else Pct(100.0 - limit, at_least=True)
    rounded = float(math.floor(100 * part / whole + 0.5))
    if rounded >= 100:
        return Pct(99.0, at_least=True)  # "100%" would read as everyone
    if rounded <= 0:
        return Pct(1.0, at_most=True)
    return Pct(rounded)


def _exact(p: Pct) -> bool:
    return not (math.isnan(p.value) or p.at_least or p.at_most)


def _dummies(chars: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, str]]]:
    cols: list[np.ndarray] = []
    names: list[tuple[str, str]] = []
    for column in chars.columns:
        values = chars[column].astype(str).to_numpy()
        for level in sorted(set(values)):
            cols.append((values == level).astype(np.float64))
            names.append((column, level))
    return np.column_stack(cols), names


def recognise_groups(
    chars: pd.DataFrame,
    modal: np.ndarray,
    keys: Sequence[str],
    *,
    units: Any,
    rules: DisclosureRules,
    population: str,
    labels: dict[str, str] | None = None,
    max_depth: int = 3,
    random_state: int = 0,
) -> tuple[dict[str, Recognition], ModelCheck, Pct]:
    """Fit the tree (modal group on one-hot characteristics); rules and accuracy per group."""
    from bestaanszekerheid.profiles.rule_text import spoken_conditions

    X, names = _dummies(chars)
    n = len(modal)
    min_leaf = max(rules.min_count, math.ceil(0.01 * n))
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=min_leaf, random_state=random_state
    ).fit(X, modal)
    predicted = tree.predict(X)
    accuracy = safe_pct(int(np.sum(predicted == modal)), n, rules.min_count)
    leaves = tree.apply(X)
    t = tree.tree_
    leaf_counts = {f"blad {int(leaf)}": float(np.sum(leaves == leaf)) for leaf in np.unique(leaves)}
    check = check_model(
        name="Beslisboom: herkenbaarheid van de groepen",
        n_obs=n,
        class_counts=leaf_counts,
        outputs=("regels", "nauwkeurigheid"),
        units=units,
        population=population,
        kind="beslisboom",
        rules=rules,
    )

    paths: dict[int, tuple[str, ...]] = {}

    def walk(node: int, conds: tuple[tuple[str, str, bool], ...]) -> None:
        left, right = t.children_left[node], t.children_right[node]
        if left == right:
            paths[node] = spoken_conditions(conds, labels)
            return
        column, level = names[t.feature[node]]
        walk(left, (*conds, (column, level, False)))
        walk(right, (*conds, (column, level, True)))

    walk(0, ())
    out: dict[str, Recognition] = {}
    for g, key in enumerate(keys):
        in_group = modal == g
        size = int(in_group.sum())
        correct = int(np.sum(predicted[in_group] == g))
        recall = safe_pct(correct, size, rules.min_count)
        found = int(np.sum(predicted == g))
        precision = safe_pct(correct, found, rules.min_count)
        group_rules = []
        for leaf, conds in paths.items():
            members = leaves == leaf
            if int(tree.classes_[np.argmax(t.value[leaf][0])]) != g or not members.any():
                continue
            hit = int(np.sum(members & in_group))
            group_rules.append(
                Rule(
                    conditions=conds,
                    coverage=safe_pct(hit, size, rules.min_count),
                    precision=safe_pct(hit, int(members.sum()), rules.min_count),
                )
            )
        group_rules.sort(key=lambda r: -(0.0 if math.isnan(r.coverage.value) else r.coverage.value))
        exact = [r for r in group_rules if _exact(r.coverage)]
        if recall.at_least and len(exact) > 1:
            # The coverages of a group's rules add up to its recall: with the recall a band
            # (fewer than min_count misclassified), exact coverages would pin that small
            # number. The smallest one is left out.
            smallest = exact[-1]
            group_rules = [
                Rule(r.conditions, Pct(math.nan), r.precision) if r is smallest else r
                for r in group_rules
            ]
        out[key] = Recognition(recall=recall, rules=tuple(group_rules), precision=precision)
    return out, check, accuracy
