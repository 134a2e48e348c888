"""Where the groups live: published figures per wijk and buurt, and what an attacker who reads
only those figures can recover (an LP over every published count, as in tests/disclosure)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.distribution import (
    MERGED_SUFFIX,
    TOO_FEW,
    AreaFigures,
    where_they_live,
)
from bestaanszekerheid.disclosure import ReleaseRegister
from bestaanszekerheid.errors import UserFacingError

from .attacker import published_sums

CAT = tilburg()
WIJKEN = ["WK085510", "WK085511", "WK085512"]
BUURTEN = [b.code for b in CAT.buurten if b.wijk_code in WIJKEN]


def _population(rng: np.random.Generator, n: int, p_target: float, k: int = 3) -> pd.DataFrame:
    weights = rng.dirichlet(np.ones(len(BUURTEN)) * 0.7)
    buurt = rng.choice(BUURTEN, n, p=weights)
    frame = pd.DataFrame(
        {
            "household_id": [f"H{i:06d}" for i in range(n)],
            "buurt_code": buurt,
            "wijk_code": [CAT.parent()[b] for b in buurt],
            "in_target": rng.random(n) < p_target,
            "age_youngest_child": np.where(rng.random(n) < 0.2, rng.integers(0, 12, n), np.nan),
        }
    )
    return frame


def _run(
    households: pd.DataFrame, k: int, seed: int, **kw: object
) -> tuple[AreaFigures, ReleaseRegister]:
    rng = np.random.default_rng(seed)
    target = households[households["in_target"]].reset_index(drop=True)
    post = rng.dirichlet(np.ones(k) * 0.3, len(target))
    keys = [f"Groep {i + 1}" for i in range(k)]
    register = ReleaseRegister()
    shares = post.mean(axis=0) * 100
    sizes = {key: round(s * len(target) / 100, -1) for key, s in zip(keys, shares, strict=True)}
    figures = where_they_live(
        households,
        target,
        post,
        keys,
        sizes,
        {key: round(float(s), 1) for key, s in zip(keys, shares, strict=True)},
        catalog=CAT,
        register=register,
        population="test",
        levels=("wijk", "buurt"),
        **kw,  # type: ignore[arg-type]
    )
    assert figures is not None
    return figures, register


def test_every_published_figure_rests_on_at_least_ten_households() -> None:
    rng = np.random.default_rng(1)
    households = _population(rng, 3000, 0.2)
    figures, register = _run(households, 3, 1)
    min_count = register.rules.min_count
    for level in figures.levels.values():
        rows = level.target
        published = rows.dropna(subset=["share"])
        assert (published["target"] >= min_count).all()
        assert (published["households"] >= min_count).all()
        # A share is never 100%: the others in the area are a published group of >= 10 too.
        assert ((published["households"] - published["target"]) >= min_count).all()
        hidden = rows[rows["share"].isna()]
        assert (hidden["status"] == TOO_FEW).all()
        groups = level.groups.dropna(subset=["share"])
        groups = groups[groups["band"] == ""]
        # A group's share is published only over a published target count; its estimated
        # households (the reach) are then at least the minimum.
        assert groups["target"].notna().all()
        assert (groups["reach"] >= min_count - 0.5).all()
        assert ((groups["low"] <= groups["share"]) & (groups["share"] <= groups["high"])).all()


def _attacker_bounds(
    figures: AreaFigures, households: pd.DataFrame
) -> list[tuple[str, float, float, float]]:
    """Bounds on every hidden buurt cell from the published buurt, wijk and city counts only.

    Variables: target and other households per buurt (>= 0). Equations: every published cell
    of both tables (a wijk is the sum of its buurten; the city the sum of everything).
    """
    from scipy.optimize import linprog

    buurten = BUURTEN
    idx = {(b, c): i for i, (b, c) in enumerate((b, c) for b in buurten for c in (0, 1))}
    rows, rhs = [], []

    def equation(cells: list[tuple[str, int]], value: float) -> None:
        row = np.zeros(len(idx))
        for cell in cells:
            row[idx[cell]] = 1
        rows.append(row)
        rhs.append(value)

    parts = {"households": [0, 1], "target": [0]}
    for kind, members, value in published_sums(
        figures, buurten, CAT.parent(), ("households", "target")
    ):
        equation([(b, c) for b in members for c in parts[kind]], value)
    truth = households.groupby(["buurt_code", "in_target"]).size()
    out = []
    a_eq, b_eq = np.array(rows), np.array(rhs)
    buurt_table = figures.levels["buurt"].target_table
    if buurt_table is None:
        return out
    buurt_counts = buurt_table.frame.iloc[:, 0]
    for b in buurten:
        if b not in buurt_counts.index or not pd.isna(buurt_counts.at[b]):
            continue
        c = np.zeros(len(idx))
        c[idx[(b, 0)]] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        true = float(truth.get((b, True), 0))
        out.append(
            (b, true, lo.fun if lo.success else -math.inf, -hi.fun if hi.success else math.inf)
        )
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(800, 2000), p=st.floats(0.2, 0.4))
def test_no_hidden_buurt_count_can_be_recovered(seed: int, n: int, p: float) -> None:
    households = _population(np.random.default_rng(seed), n, p)
    figures, register = _run(households, 3, seed)
    t = register.rules.min_count
    for code, true, low, high in _attacker_bounds(figures, households):
        small = 0 < true < t
        if small:
            # A small cell must stay uncertain: the attacker's interval is wider than the
            # cell itself (not pinned) and reaches beyond the small range or down to zero.
            assert high - low >= 1 - 1e-6, (code, true, low, high)
        assert low <= true + 1e-6 and true <= high + 1e-6


def test_merge_small_pools_buurten_per_wijk() -> None:
    households = _population(np.random.default_rng(5), 1500, 0.1)
    figures, _ = _run(households, 2, 5, merge_small=True)
    codes = list(figures.levels["buurt"].target["code"])
    assert any(c.endswith(MERGED_SUFFIX) for c in codes)
    names = dict(
        zip(
            figures.levels["buurt"].target["code"],
            figures.levels["buurt"].target["name"],
            strict=True,
        )
    )
    assert any(n.endswith("(overige buurten)") for n in names.values())


def test_outreach_input_uses_published_figures_only() -> None:
    households = _population(np.random.default_rng(2), 3000, 0.2)
    figures, _ = _run(households, 3, 2)
    frame = figures.outreach_input("buurt")
    rows = figures.levels["buurt"].target.set_index("code")
    assert frame["doors"].equals(rows["households"]) and frame["reach"].equals(rows["target"])
    group = figures.outreach_input("buurt", "Groep 1")
    assert (group["reach"].dropna() <= frame["reach"].reindex(group["reach"].dropna().index)).all()


def test_unknown_area_codes_are_an_error() -> None:
    households = _population(np.random.default_rng(3), 600, 0.2)
    households.loc[:4, "wijk_code"] = "WK099999"
    with pytest.raises(UserFacingError, match=r"WK099999 \(5\)"):
        _run(households, 2, 3)


def test_the_summary_reads_the_wijk_shares_of_the_areas_step() -> None:
    """The summary's wijk shares are the areas step's published wijk figures, highest first,
    hidden ones last and unknown (a hidden count gives no share)."""
    from bestaanszekerheid.profiles.wijk_shares import wijk_shares_from

    households = _population(np.random.default_rng(4), 1500, 0.25)
    figures, _ = _run(households, 2, 4)
    level = figures.levels["wijk"]
    shares = wijk_shares_from(level)
    assert shares is not None
    rows = level.target.set_index("code")
    assert {w.code for w in shares.wijken} == set(rows.index)
    for w in shares.wijken:
        row = rows.loc[w.code]
        assert w.name == row["name"]
        if math.isnan(row["share"]):
            assert math.isnan(w.share)
        else:
            assert (w.target, w.households, w.share) == (
                row["target"],
                row["households"],
                row["share"],
            )
    known = [w.share for w in shares.wijken if not math.isnan(w.share)]
    assert known == sorted(known, reverse=True)
    assert all(math.isnan(w.share) for w in shares.wijken[len(known) :])
    assert shares.highest(1) == ([shares.wijken[0]] if known else [])
    assert wijk_shares_from(None) is None
