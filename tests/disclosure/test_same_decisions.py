"""The faster checks of docs/decisions/0073 decide exactly as the checks they replaced.

Three speed-ups could in principle change which cells are published:

- the run-wide linked check asks one programme per hidden cell only where no point of the
  attacker's feasible set found so far shows the cell wide enough (``linked.py``);
- the optimal suppression leaves out of its mixed-integer programme every direction that the
  start pattern already leaves open (``optimal.py``);
- the attacker's programmes are solved with the primal instead of the dual simplex (``lp.py``).

Here the old way is rebuilt (one ``scipy.optimize.linprog`` per cell and direction as the
linked check; every direction in the programme; the dual simplex) and both ways decide on
random small populations: the same cells must be published, table by table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from bestaanszekerheid.disclosure import (
    DisclosureRules,
    ReleaseRegister,
    check_estimates,
    frequency_table,
)
from bestaanszekerheid.disclosure import linked as linked_module
from bestaanszekerheid.disclosure import lp as lp_module
from bestaanszekerheid.disclosure import optimal as optimal_module
from bestaanszekerheid.disclosure import register as register_module


def _atoms(masks: Sequence[int], n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """Naive atoms: (sets x atoms membership, atom sizes), grouping units by a tuple."""
    groups: dict[tuple[bool, ...], int] = {}
    for u in range(n_units):
        key = tuple(bool(m >> u & 1) for m in masks)
        if any(key):
            groups[key] = groups.get(key, 0) + 1
    if not groups:
        return np.zeros((len(masks), 0)), np.zeros(0)
    return np.array(list(groups), dtype=float).T, np.array(list(groups.values()), dtype=float)


def reference_linked_bounds(
    published: Sequence[tuple[int, float]],
    targets: Sequence[tuple[int, float, float]],
    n_units: int,
    *,
    priors: Sequence[tuple[int, float, float]] = (),
    max_work: int | None = None,
    shortcut: bool = True,
) -> list[tuple[float, float]]:
    """The linked check as it was: a maximum per cell, and a minimum where that reaches."""
    masks = [m for m, _ in published] + [m for m, _, _ in priors] + [m for m, _, _ in targets]
    member, _ = _atoms(masks, n_units)
    n_atoms = member.shape[1]
    if max_work is not None and n_atoms * len(targets) > max_work:
        raise linked_module.LinkedCheckTooLargeError("budget")
    n_pub, n_pri = len(published), len(priors)
    a_eq, b_eq = member[:n_pub], [v for _, v in published]
    a_ub = np.vstack([member[n_pub : n_pub + n_pri], -member[n_pub : n_pub + n_pri]])
    b_ub = [h for _, _, h in priors] + [-lo for _, lo, _ in priors]
    finite = np.isfinite(b_ub)
    out = []
    for k, (_, need_low, need_high) in enumerate(targets):
        goal = member[n_pub + n_pri + k]

        def solve(sign: float, goal: np.ndarray = goal) -> float:
            result = linprog(
                sign * goal,
                A_eq=a_eq if n_pub else None,
                b_eq=b_eq if n_pub else None,
                A_ub=a_ub[finite] if finite.any() else None,
                b_ub=np.asarray(b_ub)[finite] if finite.any() else None,
                bounds=(0, None),
                method="highs",
            )
            if result.status == 3:
                return float(np.inf)
            assert result.status == 0, result.message
            return float(sign * result.fun)

        hi = solve(-1.0)
        if shortcut and hi < need_high - 1e-6:
            out.append((need_low, hi))
            continue
        out.append((max(solve(1.0), 0.0), hi))
    return out


@contextmanager
def old_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The checks as before 0073: a programme per cell and direction, the full MILP, dual."""
    with monkeypatch.context() as m:
        m.setattr(register_module, "linked_bounds", reference_linked_bounds)
        m.setattr(
            optimal_module,
            "_open_at_start",
            lambda n, lines, scenarios, *a: [False] * len(scenarios),
        )
        m.setattr(lp_module, "SIMPLEX_STRATEGY", 1)
        yield


def _random_sets(seed: int) -> tuple[list, list, list, int]:
    """Published counts, priors and targets over a random population cut several ways, as the
    register builds them: some cells of every cut published, the small ones hidden."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 160))
    cuts = []
    for _ in range(int(rng.integers(2, 5))):
        k = int(rng.integers(2, 6))
        cuts.append(rng.choice(k, size=n, p=rng.dirichlet(np.ones(k) * 0.6)))
    published, priors, targets = [], [], []
    for cut in cuts:
        total = (1 << n) - 1
        cells = [sum(1 << int(u) for u in np.flatnonzero(cut == v)) for v in np.unique(cut)]
        hide_total = rng.random() < 0.15
        for mask in [*cells, total]:
            size = mask.bit_count()
            small = 0 < size < 10
            hidden = (
                small or (mask != total and rng.random() < 0.25) or (mask == total and hide_total)
            )
            if not hidden:
                published.append((mask, float(size)))
            elif small:
                priors.append((mask, 0.0, 9.0))
                low = float(max(0, size - int(rng.integers(0, 6))))
                high = float(min(9, size + int(rng.integers(0, 6))))
                targets.append((mask, low, high))
            else:
                priors.append((mask, 0.0, np.inf))
    return published, priors, targets, n


@pytest.mark.parametrize("seed", range(40))
def test_linked_bounds_decide_as_one_programme_per_cell(seed: int) -> None:
    published, priors, targets, n = _random_sets(seed)
    if not targets:
        pytest.skip("no small cell in this population")
    new = linked_module.linked_bounds(published, targets, n, priors=priors)
    old = reference_linked_bounds(published, targets, n, priors=priors)

    def narrowed(bounds: list[tuple[float, float]]) -> list[bool]:
        return [
            lo > t[1] + 1e-6 or hi < t[2] - 1e-6
            for t, (lo, hi) in zip(targets, bounds, strict=True)
        ]

    assert narrowed(new) == narrowed(old)
    exact_new = linked_module.linked_bounds(published, targets, n, priors=priors, shortcut=False)
    exact_old = reference_linked_bounds(published, targets, n, priors=priors, shortcut=False)
    assert np.allclose(np.array(exact_new), np.array(exact_old), atol=1e-6)


def test_some_random_populations_have_narrowed_cells() -> None:
    """The comparison above is not vacuous: some of its cells are narrowed, some are not."""
    verdicts = []
    for seed in range(40):
        published, priors, targets, n = _random_sets(seed)
        for t, (lo, hi) in zip(
            targets, reference_linked_bounds(published, targets, n, priors=priors), strict=True
        ):
            verdicts.append(lo > t[1] + 1e-6 or hi < t[2] - 1e-6)
    assert any(verdicts) and not all(verdicts)


def _population(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 260))
    data = pd.DataFrame({"uid": [f"U{i:04d}" for i in range(n)]})
    for column, k in (("a", int(rng.integers(3, 7))), ("b", int(rng.integers(2, 4))), ("c", 4)):
        levels = [f"{column}{i}" for i in range(k)]
        data[column] = rng.choice(levels, size=n, p=rng.dirichlet(np.ones(k) * 0.7))
    data["sub"] = rng.random(n) < 0.6
    return data


def _run_tables(data: pd.DataFrame, rules: DisclosureRules) -> list[tuple[str, list[bool]]]:
    register = ReleaseRegister(rules)
    tables = [
        frequency_table(data, "a", unit="uid", rules=rules, name="a"),
        frequency_table(data, "a", "b", unit="uid", rules=rules, name="a x b"),
        frequency_table(data, "c", unit="uid", rules=rules, name="c"),
        frequency_table(data[data["sub"]], "a", unit="uid", rules=rules, name="a (deel)"),
        frequency_table(data, "b", "c", unit="uid", rules=rules, name="b x c"),
    ]
    out = []
    for table in tables:
        if register.try_release(table, []) is not None:
            out.append((table.name, table.frame.isna().to_numpy().ravel().tolist()))
        else:
            out.append((table.name, []))
    return out


# Seeds 7 and 14 hold ties between equally cheap patterns (the reason for only_optimum).
@pytest.mark.parametrize("seed", range(20))
def test_a_run_of_tables_publishes_the_same_cells(
    rules: DisclosureRules, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _population(seed)
    new = _run_tables(data, rules)
    with old_checks(monkeypatch):
        old = _run_tables(data, rules)
    assert new == old


def _estimates(seed: int) -> pd.DataFrame:
    """Estimated households per group (rows) and buurt (columns), as the BCH sums: mostly
    large, with small groups and buurten."""
    rng = np.random.default_rng(seed)
    n_groups, n_cols = int(rng.integers(3, 7)), int(rng.integers(2, 9))
    sizes = rng.integers(8, 120, n_cols).astype(float)
    mix = rng.dirichlet(np.ones(n_groups) * 0.5, n_cols).T
    return pd.DataFrame(
        mix * sizes,
        index=[f"Groep {i + 1}" for i in range(n_groups)],
        columns=[f"BU{i:02d}" for i in range(n_cols)],
    )


@pytest.mark.parametrize("seed", range(30))
def test_estimate_blocks_hide_the_same_estimates(
    rules: DisclosureRules, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = _estimates(seed)

    def checked() -> pd.DataFrame:
        return check_estimates(
            e,
            basis="column",
            row_published=e.sum(axis=1),
            col_published=e.sum(axis=0).round(),
            name="blok",
            rules=rules,
            decimals=rules.estimate_share_decimals,
            size_base=rules.estimate_size_base,
        ).status

    new = checked()
    with old_checks(monkeypatch):
        old = checked()
    pd.testing.assert_frame_equal(new, old)


@pytest.mark.parametrize("seed", range(5))
def test_unit_positions_are_numbered_as_a_dict_numbered_them(seed: int) -> None:
    """The register's bit per unit: the order ids are first seen, whatever the batches."""
    rng = np.random.default_rng(seed)
    register = ReleaseRegister()
    numbering: dict[object, int] = {}
    for _ in range(40):
        batch = rng.integers(0, 20_000, int(rng.integers(0, 3_000)))
        ids = np.array([f"H{i}" for i in batch], dtype=object) if seed % 2 else batch
        expected = [numbering.setdefault(u, len(numbering)) for u in ids]
        assert register._positions_of(ids).tolist() == expected
    assert register._n_units == len(numbering)
