"""The outreach planner: where to ring the doorbell for a budget of doors (areas/outreach.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from bestaanszekerheid.areas import knapsack, tilburg
from bestaanszekerheid.areas.outreach import (
    CURVE_COLUMNS,
    CURVE_SPAN,
    EXCLUDED_COLUMNS,
    PLAN_COLUMNS,
    OutreachPlan,
    plan_outreach,
)
from bestaanszekerheid.errors import UserFacingError


def areas_frame(
    doors: Sequence[float],
    reach: Sequence[float],
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Published figures per buurt in the planner's input format."""
    codes = list(codes) if codes is not None else [f"BU{i:08d}" for i in range(len(doors))]
    return pd.DataFrame(
        {
            "name": [f"Buurt {code[-3:]}" for code in codes],
            "wijk_code": ["WK" + code[2:8] for code in codes],
            "doors": list(doors),
            "reach": list(reach),
        },
        index=pd.Index(codes, name="buurtcode"),
    )


def brute_force(
    doors: Sequence[float], reach: Sequence[float], budget: float
) -> tuple[float, float]:
    """(most reach, fewest doors among those) over every subset of at most 12 buurten."""
    d, r = np.asarray(doors, dtype=float), np.asarray(reach, dtype=float)
    n = len(d)
    subsets = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    total_d, total_r = subsets @ d, subsets @ r
    fits = total_d <= budget + 1e-9
    best = total_r[fits].max()
    ties = fits & (total_r >= best - 1e-9)
    return float(best), float(total_d[ties].min())


def skip_and_continue(
    doors: Sequence[float], reach: Sequence[float], budget: float
) -> tuple[float, float]:
    """(reach, doors) of the ranked list used as a team uses it: by share, highest first (then
    fewer doors, then position), a buurt that no longer fits is skipped and the list goes on."""
    order = sorted(
        (i for i in range(len(doors)) if doors[i] > 0 and reach[i] > 0),
        key=lambda i: (-reach[i] / doors[i], doors[i], i),
    )
    left, total_d, total_r = budget, 0.0, 0.0
    for i in order:
        if doors[i] <= left + 1e-9:
            left -= doors[i]
            total_d += doors[i]
            total_r += reach[i]
    return total_r, total_d


def full_milp(doors: np.ndarray, reach: np.ndarray, budget: float) -> tuple[float, float]:
    """The same lexicographic optimum from two plain milp solves over all buurten (no
    reduction), as the reference for instances too large for brute force."""
    n = len(doors)
    options = {"mip_rel_gap": 0.0}
    first = milp(
        -reach,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(doors[None, :], -np.inf, budget),
        options=options,
    )
    best = float(reach @ (first.x > 0.5))
    second = milp(
        doors,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(
            np.vstack([doors, reach]), [-np.inf, best - 0.5], [budget, np.inf]
        ),
        options=options,
    )
    return best, float(doors @ (second.x > 0.5))


# --------------------------------------------------------------------------- (a) planted group


def planted_population(seed: int = 3) -> tuple[pd.DataFrame, list[str]]:
    """30 real Tilburg buurten with 90-110 households each; one group lives (almost) only in
    three of them. Returns the published figures (counts rounded to 5, as a published table
    would round them) and the three codes."""
    rng = np.random.default_rng(seed)
    buurten = tilburg().buurten[:30]
    planted = [buurten[i].code for i in (4, 17, 25)]
    rows = []
    for buurt in buurten:
        share = 0.35 if buurt.code in planted else 0.01
        for _ in range(int(rng.integers(90, 111))):
            rows.append((buurt.code, bool(rng.random() < share)))
    households = pd.DataFrame(rows, columns=["buurt", "in_group"])
    counts = households.groupby("buurt")["in_group"].agg(["size", "sum"])
    published = (5 * np.round(counts / 5)).astype(float)
    frame = pd.DataFrame(
        {
            "name": [b.name for b in buurten],
            "wijk_code": [b.wijk_code for b in buurten],
            "doors": published["size"].reindex([b.code for b in buurten]).to_numpy(),
            "reach": published["sum"].reindex([b.code for b in buurten]).to_numpy(),
        },
        index=pd.Index([b.code for b in buurten]),
    )
    return frame, planted


def test_planted_group_the_planner_picks_the_three_buurten() -> None:
    areas, planted = planted_population()
    budget = float(areas.loc[planted, "doors"].sum())
    plan = plan_outreach(areas, budget, group="klasse 3")
    assert sorted(plan.exact.codes) == sorted(planted)
    assert plan.doors == budget
    assert plan.reach == areas.loc[planted, "reach"].sum()
    # The group is nearly all there: the plan reaches most of its published total.
    assert plan.reach_share > 0.8
    assert plan.group == "klasse 3"
    assert list(plan.table.columns) == list(PLAN_COLUMNS)
    assert set(plan.table["buurt"]) == {b.name for b in tilburg().buurten if b.code in planted}


def test_planted_group_with_room_for_a_fourth_buurt_still_takes_the_three() -> None:
    areas, planted = planted_population(seed=11)
    budget = float(areas.loc[planted, "doors"].sum()) + 150
    plan = plan_outreach(areas, budget)
    assert set(planted) <= set(plan.exact.codes)
    assert plan.doors <= budget


# --------------------------------------------------------------------------- (b) properties


@st.composite
def instances(draw: st.DrawFn, *, decimals: bool = False) -> tuple[list[float], list[float], float]:
    n = draw(st.integers(1, 12))
    unit = draw(st.sampled_from([1, 5]))
    doors = [float(unit * draw(st.integers(1, 60))) for _ in range(n)]
    if decimals:
        reach = [draw(st.integers(0, int(10 * d))) / 10 for d in doors]
    else:
        reach = [float(draw(st.integers(0, int(d)))) for d in doors]
    budget = float(draw(st.integers(1, int(sum(doors)) + 20)))
    return doors, reach, budget


def check_against_brute_force(
    doors: list[float], reach: list[float], budget: float
) -> OutreachPlan:
    plan = plan_outreach(areas_frame(doors, reach), budget, curve_steps=0)
    best_reach, fewest_doors = brute_force(doors, reach, budget)
    assert plan.doors <= budget
    assert plan.naive.doors <= budget
    assert plan.reach >= plan.naive.reach
    naive_reach, naive_doors = skip_and_continue(doors, reach, budget)
    assert plan.naive.reach == pytest.approx(naive_reach, abs=1e-9)
    assert plan.naive.doors == pytest.approx(naive_doors, abs=1e-9)
    assert plan.reach == pytest.approx(best_reach, abs=1e-9)
    assert plan.doors == pytest.approx(fewest_doors, abs=1e-9)
    # The table adds up to the totals.
    if len(plan.table):
        assert plan.table["cumulatief deuren"].iloc[-1] == pytest.approx(plan.doors)
        assert plan.table["cumulatief bereik"].iloc[-1] == pytest.approx(plan.reach)
    return plan


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(instances())
def test_exact_is_the_brute_force_optimum_and_never_below_naive(
    instance: tuple[list[float], list[float], float],
) -> None:
    check_against_brute_force(*instance)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(instances(decimals=True))
def test_exact_with_decimal_reach_is_the_brute_force_optimum(
    instance: tuple[list[float], list[float], float],
) -> None:
    check_against_brute_force(*instance)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(instances())
def test_the_reduction_with_tiny_trial_cores_stays_exact(
    instance: tuple[list[float], list[float], float],
) -> None:
    # With trial cores of one buurt, small instances run the bound-improving loop that
    # otherwise only large ones reach.
    with (
        mock.patch.object(knapsack, "_FIRST_CORE", 1),
        mock.patch.object(knapsack, "_CORE_GROWTH", 2),
    ):
        check_against_brute_force(*instance)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(1, 500, allow_nan=False), min_size=1, max_size=10),
    st.data(),
)
def test_float_figures_with_many_decimals(doors: list[float], data: st.DataObject) -> None:
    reach = [data.draw(st.floats(0, d, allow_nan=False)) for d in doors]
    budget = data.draw(st.floats(0.5, sum(doors) + 1, allow_nan=False))
    plan = plan_outreach(areas_frame(doors, reach), budget, curve_steps=0)
    best_reach, _ = brute_force(doors, reach, budget)
    assert plan.doors <= budget * (1 + 1e-12)
    assert plan.reach >= plan.naive.reach - 1e-6
    assert plan.reach == pytest.approx(best_reach, rel=1e-7, abs=1e-6)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(instances())
def test_the_curve_exact_never_below_naive_and_rising(
    instance: tuple[list[float], list[float], float],
) -> None:
    doors, reach, budget = instance
    curve = plan_outreach(areas_frame(doors, reach), budget, curve_steps=8).curve
    assert list(curve.columns) == list(CURVE_COLUMNS)
    assert (curve["bereik exact"] >= curve["bereik naïef"] - 1e-9).all()
    assert curve["bereik exact"].is_monotonic_increasing
    assert curve["budget (deuren)"].is_monotonic_increasing
    assert curve["gevraagd budget"].sum() == 1


@pytest.mark.parametrize(
    ("kind", "seed"), [("spread", 1), ("correlated", 2), ("ties", 3), ("spread", 4)]
)
def test_large_instances_match_a_plain_milp_over_all_buurten(kind: str, seed: int) -> None:
    """Beyond brute force: 300 buurten (the reduction's trial cores are used) against milp
    over every buurt; shares nearly equal ("correlated") or many equal figures ("ties") are
    the hard cases for the reduction."""
    rng = np.random.default_rng(seed)
    n = 300
    doors = np.maximum(5 * np.round(rng.lognormal(np.log(400), 0.6, n) / 5), 5)
    if kind == "spread":
        reach = 5 * np.round(doors * rng.beta(2, 10, n) / 5)
    elif kind == "correlated":
        reach = np.round(0.15 * doors + 5 * rng.integers(0, 3, n))
    else:
        doors = 5 * rng.integers(20, 24, n).astype(float)
        reach = 5 * rng.integers(1, 5, n).astype(float)
    for fraction in (0.1, 0.5, 0.9):
        budget = float(np.floor(fraction * doors.sum()))
        plan = plan_outreach(areas_frame(doors, reach), budget, curve_steps=0)
        assert (plan.reach, plan.doors) == full_milp(doors, reach, budget)
        assert plan.reach >= plan.naive.reach


def test_the_plan_does_not_depend_on_the_row_order() -> None:
    rng = np.random.default_rng(5)
    # Many equal figures, so only the tie-break decides between buurten.
    doors = 5 * rng.integers(18, 22, 40).astype(float)
    reach = 5 * rng.integers(1, 4, 40).astype(float)
    areas = areas_frame(doors, reach)
    first = plan_outreach(areas, 1000, curve_steps=0)
    for seed in range(3):
        shuffled = areas.sample(frac=1, random_state=seed)
        again = plan_outreach(shuffled, 1000, curve_steps=0)
        assert again.exact.codes == first.exact.codes
        assert again.naive.codes == first.naive.codes
        pd.testing.assert_frame_equal(again.table, first.table)


# --------------------------------------------------------------------------- (c) exact beats naive


def test_a_small_high_share_buurt_blocks_two_larger_ones_for_the_naive_list() -> None:
    """Budget 200 doors:

    ============ ===== ====== =======
    buurt        doors reach  share
    ============ ===== ====== =======
    BU00000001     20     10    50%
    BU00000002    100     45    45%
    BU00000003    100     45    45%
    ============ ===== ====== =======

    Highest share first takes BU01 (20 doors, 10) and BU02 (120 doors, 55); BU03 would make
    220 doors and is skipped, and nothing is left below it: 55 households. The exact plan
    takes BU02 and BU03: 200 doors, 90 households.
    """
    areas = areas_frame([20, 100, 100], [10, 45, 45], ["BU00000001", "BU00000002", "BU00000003"])
    plan = plan_outreach(areas, 200)
    assert plan.naive.codes == ("BU00000001", "BU00000002")
    assert (plan.naive.doors, plan.naive.reach) == (120, 55)
    assert set(plan.exact.codes) == {"BU00000002", "BU00000003"}
    assert (plan.doors, plan.reach) == (200, 90)
    assert plan.gain == 35
    assert plan.reach_share == pytest.approx(90 / 100)
    assert plan.table["aandeel %"].tolist() == [45.0, 45.0]
    assert plan.table["cumulatief deuren"].tolist() == [100, 200]
    assert plan.table["cumulatief bereik"].tolist() == [45, 90]
    at_budget = plan.curve[plan.curve["gevraagd budget"]].iloc[0]
    assert (at_budget["bereik exact"], at_budget["bereik naïef"]) == (90, 55)
    assert "200 deuren" in plan.summary() and "55 huishoudens" in plan.summary()


def test_the_naive_list_skips_a_buurt_that_no_longer_fits_and_goes_on() -> None:
    """Budget 150 doors:

    ============ ===== ====== =======
    buurt        doors reach  share
    ============ ===== ====== =======
    BU00000001    100     40    40%
    BU00000002    100     35    35%
    BU00000003     50     15    30%
    BU00000004     40      4    10%
    ============ ===== ====== =======

    BU01 fits (100 doors); BU02 would make 200 and is skipped; the list goes on: BU03 fits
    (150 doors, 55 households), BU04 would make 190 and is skipped. Stopping at BU02 would
    have left 50 doors unused at 40 households.
    """
    codes = ["BU00000001", "BU00000002", "BU00000003", "BU00000004"]
    areas = areas_frame([100, 100, 50, 40], [40, 35, 15, 4], codes)
    plan = plan_outreach(areas, 150)
    assert plan.naive.codes == ("BU00000001", "BU00000003")
    assert (plan.naive.doors, plan.naive.reach) == (150, 55)
    assert plan.naive.table["cumulatief deuren"].tolist() == [100, 150]
    # Here the list is the optimum too (BU01 + BU03 is the best within 150 doors).
    assert (plan.reach, plan.doors, plan.gain) == (55, 150, 0)
    at_budget = plan.curve[plan.curve["gevraagd budget"]].iloc[0]
    assert at_budget["bereik naïef"] == 55
    assert "wat niet meer past overslaan" in plan.summary()


def test_the_naive_list_skips_down_to_a_small_buurt_at_the_end() -> None:
    # Budget 110: 100/50 fits, 100/45 and 60/24 do not, the last 10/1 still does.
    areas = areas_frame([100, 100, 60, 10], [50, 45, 24, 1])
    plan = plan_outreach(areas, 110, curve_steps=0)
    assert plan.naive.codes == ("BU00000000", "BU00000003")
    assert (plan.naive.doors, plan.naive.reach) == (110, 51)
    assert plan.reach >= plan.naive.reach


def test_a_solver_miss_never_shows_the_exact_plan_below_the_naive_list() -> None:
    """A solver answer below the naive list (HiGHS's float tolerances, in principle) is
    replaced by the best plan known before the solve, never shown below the list."""
    areas = areas_frame([20, 100, 100, 30], [10, 45, 45, 3])
    with mock.patch.object(
        knapsack, "_solve_core", lambda problem, *a, **k: np.zeros(problem.order.size, bool)
    ):
        plan = plan_outreach(areas, 200, curve_steps=4)
    assert plan.reach == plan.naive.reach == 58
    assert (plan.curve["bereik exact"] >= plan.curve["bereik naïef"]).all()


def test_fewest_doors_among_plans_with_equal_reach() -> None:
    # Budget 100: BU01 alone reaches 10 with 100 doors, BU02 + BU03 reach 10 with 90.
    areas = areas_frame([100, 60, 30], [10, 5, 5])
    plan = plan_outreach(areas, 100)
    assert (plan.reach, plan.doors) == (10, 90)
    assert set(plan.exact.codes) == {"BU00000001", "BU00000002"}


def test_the_table_is_in_visiting_order_highest_share_first() -> None:
    areas = areas_frame([100, 100, 50, 200], [10, 30, 10, 20])
    plan = plan_outreach(areas, 1000)
    assert plan.exact.codes == ("BU00000001", "BU00000002", "BU00000000", "BU00000003")
    assert plan.table["aandeel %"].tolist() == [30.0, 20.0, 10.0, 10.0]


def test_the_summary_is_dutch() -> None:
    areas = areas_frame([100, 60, math.nan], [30, 6, 2])
    assert plan_outreach(areas, 100).summary() == (
        "Deurenbudget 100: 1 buurt, 100 deuren met daarachter naar verwachting 30 huishoudens "
        "uit de hele doelgroep (83,3% van het gepubliceerde totaal in de meegenomen buurten; "
        "hooguit, want niet iedereen doet open). Hoogste "
        "aandeel eerst (wat niet meer past overslaan en verder met de volgende): 1 buurt, 100 "
        "deuren, 30 huishoudens. 1 buurt niet meegenomen: de cijfers zijn niet gepubliceerd."
    )
    assert "huishoudens uit Groep 2 (" in plan_outreach(areas, 100, group="Groep 2").summary()
    wijken = plan_outreach(areas, 100, group="klasse 3", level="wijk").summary()
    assert "uit de groep 'klasse 3'" in wijken and "meegenomen wijken" in wijken


def test_doors_that_only_fill_the_budget_are_named() -> None:
    # Average share 60/300 = 20%; with 250 doors the best plan takes the 100-door buurt at 40%
    # and then the 150-door buurt at 10% (15 more households), below the average.
    areas = areas_frame([100, 150, 50], [40, 15, 5])
    plan = plan_outreach(areas, 250)
    assert list(plan.table["deuren"]) == [100, 150]
    assert list(plan.below_average["deuren"]) == [150]
    assert "1 buurt in het plan (150 deuren) heeft een aandeel onder het gemiddelde van 20,0%" in (
        plan.summary()
    )
    # A plan of above-average buurten only says nothing about it.
    assert "onder het gemiddelde" not in plan_outreach(areas, 100).summary()


# --------------------------------------------------------------------------- budgets and totals


def test_a_budget_beyond_all_doors_takes_every_buurt_with_expected_reach() -> None:
    areas = areas_frame([100, 80, 40], [20, 0, 4])
    plan = plan_outreach(areas, 10_000)
    assert set(plan.exact.codes) == {"BU00000000", "BU00000002"}
    assert set(plan.naive.codes) == {"BU00000000", "BU00000002"}
    # The buurt without expected reach is not rung but counts in the published totals.
    assert (plan.published_doors, plan.published_reach) == (220, 24)
    assert plan.reach_share == 1.0


def test_a_budget_below_every_buurt_plans_nothing() -> None:
    plan = plan_outreach(areas_frame([100, 80], [20, 10]), 50)
    assert plan.table.empty and list(plan.table.columns) == list(PLAN_COLUMNS)
    assert (plan.doors, plan.reach, plan.naive.reach) == (0, 0, 0)


def test_decimal_figures_are_summed_as_published() -> None:
    areas = areas_frame([10, 10, 10], [0.1, 0.2, 0.4])
    plan = plan_outreach(areas, 30)
    assert plan.reach == 0.7
    assert plan.table["cumulatief bereik"].tolist() == [0.4, 0.6, 0.7]


def test_the_curve_covers_zero_to_five_budgets_or_all_doors_and_the_requested_budget() -> None:
    areas, _ = planted_population()
    total = areas["doors"].sum()
    small = plan_outreach(areas, total / 10).curve
    assert small["budget (deuren)"].iloc[-1] == CURVE_SPAN * total / 10 < total
    plan = plan_outreach(areas, 333)
    curve = plan.curve
    assert len(curve) == 21  # 5 budgets in 20 steps: the budget itself is a grid point
    assert curve["budget (deuren)"].iloc[0] == 0 and curve["bereik exact"].iloc[0] == 0
    assert curve["budget (deuren)"].iloc[-1] == min(total, CURVE_SPAN * 333)
    if total <= CURVE_SPAN * 333:
        assert curve["bereik exact"].iloc[-1] == areas["reach"].sum()
    requested = curve[curve["gevraagd budget"]]
    assert requested["budget (deuren)"].tolist() == [333]
    assert requested["bereik exact"].iloc[0] == plan.reach
    assert requested["bereik naïef"].iloc[0] == plan.naive.reach
    assert len(plan_outreach(areas, 333, curve_steps=0).curve) == 1
    # A point of the curve is the plan for that budget (the curve skips only the tie-break).
    point = curve.iloc[7]
    again = plan_outreach(areas, point["budget (deuren)"], curve_steps=0)
    assert (again.reach, again.naive.reach) == (point["bereik exact"], point["bereik naïef"])


def test_tilburg_scale() -> None:
    rng = np.random.default_rng(8)
    buurten = tilburg().buurten
    doors = np.maximum(5 * np.round(rng.lognormal(np.log(440), 0.6, len(buurten)) / 5), 5)
    reach = 5 * np.round(doors * rng.beta(2, 10, len(buurten)) / 5)
    areas = areas_frame(doors, reach, [b.code for b in buurten])
    plan = plan_outreach(areas, 10_000)
    assert (plan.reach, plan.doors) == full_milp(doors, reach, 10_000)
    assert len(plan.curve) == 21  # the budget (1/5 of the span) is a grid point


# --------------------------------------------------------------------------- (d) suppressed


def test_suppressed_buurten_are_excluded_and_reported() -> None:
    areas = areas_frame(
        [100, math.nan, 50, 80, math.nan],
        [30, 40, math.nan, 8, math.nan],
    )
    plan = plan_outreach(areas, 1000)
    assert plan.n_excluded == 3
    assert list(plan.excluded.columns) == list(EXCLUDED_COLUMNS)
    assert plan.excluded["buurtcode"].tolist() == ["BU00000001", "BU00000002", "BU00000004"]
    assert plan.excluded["reden"].tolist() == [
        "deuren niet gepubliceerd",
        "verwacht bereik niet gepubliceerd",
        "deuren en verwacht bereik niet gepubliceerd",
    ]
    # What is published stays as published; nothing is filled in.
    assert plan.excluded["verwacht bereik"].iloc[0] == 40
    assert math.isnan(plan.excluded["deuren"].iloc[0])
    for selection in (plan.exact, plan.naive):
        assert set(selection.codes) == {"BU00000000", "BU00000003"}
    # The share is over the planned buurten only: their published total is 38.
    assert (plan.published_doors, plan.published_reach) == (180, 38)
    assert plan.reach_share == 1.0
    assert "3 buurten niet meegenomen" in plan.summary()
    steps = plan.curve[~plan.curve["gevraagd budget"]]
    assert steps["budget (deuren)"].max() == 180


def test_every_buurt_suppressed_gives_an_empty_plan_with_all_listed() -> None:
    areas = areas_frame([math.nan, 40], [3, math.nan])
    plan = plan_outreach(areas, 100)
    assert plan.table.empty and plan.n_excluded == 2
    assert plan.reach == 0 and math.isnan(plan.reach_share)


def test_none_counts_as_not_published() -> None:
    areas = areas_frame([100, 50], [10, 5]).astype({"doors": object})
    areas.loc["BU00000001", "doors"] = None
    plan = plan_outreach(areas, 1000)
    assert plan.excluded["buurtcode"].tolist() == ["BU00000001"]


# --------------------------------------------------------------------------- (e) Dutch errors


@pytest.mark.parametrize("budget", [0, -10, math.nan, math.inf, "100", None, True])
def test_a_budget_that_is_not_a_positive_number_is_refused_in_dutch(budget: object) -> None:
    with pytest.raises(UserFacingError, match="deurenbudget"):
        plan_outreach(areas_frame([100], [10]), budget)  # type: ignore[arg-type]


def test_missing_columns_are_named() -> None:
    areas = areas_frame([100], [10]).drop(columns=["reach"])
    with pytest.raises(UserFacingError, match=r"mist kolom\(men\) reach"):
        plan_outreach(areas, 100)


@pytest.mark.parametrize(
    ("doors", "reach", "message"),
    [
        ([100, -5], [10, 1], "Kolom 'doors'"),
        ([100, 50], [10, "veel"], "Kolom 'reach'"),
        ([100, math.inf], [10, 1], "Kolom 'doors'"),
    ],
)
def test_unusable_figures_are_refused(
    doors: list[object], reach: list[object], message: str
) -> None:
    areas = areas_frame([0, 0], [0, 0])
    areas["doors"], areas["reach"] = doors, reach
    with pytest.raises(UserFacingError, match=message) as error:
        plan_outreach(areas, 100)
    assert "BU00000001" in str(error.value)


def test_other_input_errors_are_dutch() -> None:
    areas = areas_frame([100, 50], [10, 5], ["BU00000001", "BU00000001"])
    with pytest.raises(UserFacingError, match="meer dan eens"):
        plan_outreach(areas, 100)
    with pytest.raises(UserFacingError, match="geen buurten"):
        plan_outreach(areas_frame([], []), 100)
    with pytest.raises(UserFacingError, match="afwegingscurve"):
        plan_outreach(areas_frame([100], [10]), 100, curve_steps=-1)
    with pytest.raises(UserFacingError, match="groep"):
        plan_outreach(areas_frame([100], [10]), 100, group=" ")
    with pytest.raises(UserFacingError, match="tabel"):
        plan_outreach([100, 10], 100)  # type: ignore[arg-type]
