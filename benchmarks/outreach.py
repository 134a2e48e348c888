"""Time the outreach planner (``bestaanszekerheid.areas.outreach``) on random published figures.

Sizes: 254 buurten (Tilburg) and 14,000 (about every buurt of the Netherlands). Figures per
buurt: doors lognormal around 440 households rounded to 5 (at least 5), and one in ten buurten
suppressed (doors or reach NaN). Reach, three kinds:

- ``spread``: share ~ Beta(2, 10) (mean 17%), reach rounded to 5, as a published count;
- ``decimal``: the same shares, reach with one decimal, as a published expected number;
- ``correlated``: reach = 0.15 x doors + 0, 5 or 10: nearly equal shares, the knapsack's hard
  case (many buurten close to the boundary the reduction cannot fix).

Budgets: 5%, 25%, 50% and 90% of the planned doors. Per run: ``plan`` is ``plan_outreach``
without the curve (``curve_steps=0``: the exact plan, the naive plan, the requested budget's
curve row), ``curve`` the same with the default 20-step curve (21 more budgets), ``core`` the
largest set of buurten one milp call saw and ``milps`` the milp calls of ``plan``. ``--plain``
adds ``plain``: one ``scipy.optimize.milp`` call over every buurt (``mip_rel_gap=0``, no
reduction, no tie-break), the approach the planner does not take; at 14,000 it is slow, so it
runs once per size and kind at the 25% budget.

    PYTHONPATH=src .venv/bin/python benchmarks/outreach.py             # about 2 minutes
    PYTHONPATH=src .venv/bin/python benchmarks/outreach.py --plain     # adds about 4 minutes
    PYTHONPATH=src .venv/bin/python benchmarks/outreach.py --sizes 254 --reps 5

Measured 2026-12-02 (2 cores, Python 3.11, SciPy 1.17.1 / HiGHS; medians of 3 seeds, seconds),
``PYTHONPATH=src /work/main/.venv/bin/python benchmarks/outreach.py --plain``:

RESULTS
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from bestaanszekerheid.areas import outreach
from bestaanszekerheid.areas.outreach import plan_outreach

KINDS = ("spread", "decimal", "correlated")
FRACTIONS = (0.05, 0.25, 0.5, 0.9)


def instance(n: int, kind: str, seed: int) -> pd.DataFrame:
    """Random published figures for ``n`` buurten (see the module docstring)."""
    rng = np.random.default_rng(seed)
    doors = np.maximum(5 * np.round(rng.lognormal(np.log(440), 0.6, n) / 5), 5)
    share = rng.beta(2, 10, n)
    if kind == "spread":
        reach = 5 * np.round(doors * share / 5)
    elif kind == "decimal":
        reach = np.round(doors * share, 1)
    else:
        reach = np.round(0.15 * doors + 5 * rng.integers(0, 3, n))
    suppressed = rng.random(n) < 0.1
    which = rng.random(n) < 0.5
    doors[suppressed & which] = np.nan
    reach[suppressed & ~which] = np.nan
    codes = [f"BU{i:08d}" for i in range(n)]
    return pd.DataFrame(
        {
            "name": [f"Buurt {i}" for i in range(n)],
            "wijk_code": [f"WK{i // 5:06d}" for i in range(n)],
            "doors": doors,
            "reach": reach,
        },
        index=pd.Index(codes),
    )


def counted(calls: list[int]) -> Callable[..., Any]:
    """outreach._milp, recording the number of buurten of every call."""
    original = outreach._milp

    def wrapper(objective: np.ndarray, *args: Any) -> Any:
        calls.append(int(objective.size))
        return original(objective, *args)

    return wrapper


def plain(areas: pd.DataFrame, budget: float) -> tuple[float, float]:
    """One milp over every planned buurt: (seconds, reach)."""
    useful = areas.dropna(subset=["doors", "reach"])
    useful = useful[useful["reach"] > 0]
    d = useful["doors"].to_numpy(dtype=float)
    r = useful["reach"].to_numpy(dtype=float)
    start = time.perf_counter()
    result = milp(
        -r,
        integrality=np.ones(len(d)),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(d[None, :], -np.inf, budget),
        options={"mip_rel_gap": 0.0},
    )
    return time.perf_counter() - start, float(r @ (result.x > 0.5))


def run(sizes: list[int], reps: int, with_plain: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        for kind in KINDS:
            for fraction in FRACTIONS:
                plan_s, curve_s, cores, milps, gains = [], [], [], [], []
                plain_s: list[float] = []
                for seed in range(reps):
                    areas = instance(n, kind, seed)
                    budget = float(np.floor(fraction * areas["doors"].sum()))
                    calls: list[int] = []
                    with mock.patch.object(outreach, "_milp", counted(calls)):
                        start = time.perf_counter()
                        plan = plan_outreach(areas, budget, curve_steps=0)
                        plan_s.append(time.perf_counter() - start)
                    cores.append(max(calls, default=0))
                    milps.append(len(calls))
                    gains.append(plan.gain)
                    start = time.perf_counter()
                    plan_outreach(areas, budget)
                    curve_s.append(time.perf_counter() - start)
                    if with_plain and (n < 1000 or (fraction == 0.25 and seed == 0)):
                        seconds, reach = plain(areas, budget)
                        plain_s.append(seconds)
                        # The reduction must agree with milp over everything.
                        assert abs(reach - plan.reach) <= 1e-6 * reach, (
                            n,
                            kind,
                            fraction,
                            seed,
                            reach,
                        )
                row = {
                    "n": n,
                    "kind": kind,
                    "budget": f"{fraction:.0%}",
                    "plan": statistics.median(plan_s),
                    "plan_max": max(plan_s),
                    "curve": statistics.median(curve_s),
                    "core": int(statistics.median(cores)),
                    "milps": int(statistics.median(milps)),
                    "gain": statistics.median(gains),
                    "plain": statistics.median(plain_s) if plain_s else None,
                }
                rows.append(row)
                print(table([row], header=not rows[:-1]), flush=True)
    return rows


def table(rows: list[dict[str, Any]], *, header: bool = True) -> str:
    lines = []
    if header:
        lines += [
            "| buurten | reach | budget | plan s (max) | plan + curve s | core | milps | "
            "exact - naive | plain milp s |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
    for r in rows:
        plain_s = "" if r["plain"] is None else f"{r['plain']:.2f}"
        lines.append(
            f"| {r['n']} | {r['kind']} | {r['budget']} | {r['plan']:.2f} ({r['plan_max']:.2f}) | "
            f"{r['curve']:.2f} | {r['core']} | {r['milps']} | {r['gain']:g} | {plain_s} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[254, 14_000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="also time one milp over all")
    args = parser.parse_args()
    rows = run(args.sizes, args.reps, args.plain)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
