"""Benchmark: how long a choropleth of Tilburg's areas takes to build and render, and how big
its SVG is (synthetic figures, 15% suppressed).

Measured on 2 vCPUs (AMD EPYC, shared), altair 6.3, vl-convert 1.9, ``--repeats 5``, three
runs (the spread over the runs in brackets):

=========================  ===================  ===================  ========
map                        spec (s)             render (s)           SVG (kB)
=========================  ===================  ===================  ========
59 wijken, share           0.19 (0.18-0.30)     0.36 (0.36-0.57)     27
254 buurten, index         0.47 (0.40-0.60)     0.51 (0.47-0.80)     98
59 wijken, card (220 px)   0.19 (0.19-0.25)     0.27 (0.24-0.34)     25
=========================  ===================  ===================  ========

"spec" is :func:`choropleth` (mostly Altair validating the inline polygons against the
Vega-Lite schema), "render" :func:`map_svg` (the spec again, vl-convert, our
post-processing), both medians of the warm runs. The first render in a process also starts
vl-convert's JavaScript engine: 2.2-4.3 s once. So the 254-buurt map costs about 1 s, and its
SVG (98 kB) is well under the 300 kB a map may take in the report.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/maps.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.maps import SUPPRESSED, choropleth, map_svg


def _values(level: str, measure: str) -> pd.DataFrame:
    codes = list(tilburg().names(level))  # type: ignore[arg-type]
    rng = np.random.default_rng(7)
    value = (
        rng.uniform(3, 28, len(codes)) if measure == "share" else rng.lognormal(0, 0.6, len(codes))
    )
    hidden = rng.random(len(codes)) < 0.15
    return pd.DataFrame(
        {
            "value": np.where(hidden, np.nan, value),
            "status": np.where(hidden, SUPPRESSED, "gepubliceerd"),
        },
        index=codes,
    )


def _maps() -> dict[str, Callable[[], Any]]:
    cat = tilburg()
    wijk_share, buurt_index, wijk_index = (
        _values("wijk", "share"),
        _values("buurt", "index"),
        _values("wijk", "index"),
    )
    top = list(wijk_index["value"].sort_values(ascending=False).index[:3])
    return {
        "59 wijken, share": lambda: choropleth(
            cat, "wijk", wijk_share, measure="share", title="Aandeel", value_label="Aandeel"
        ),
        "254 buurten, index": lambda: choropleth(
            cat, "buurt", buurt_index, measure="index", title="Index", value_label="Index"
        ),
        "59 wijken, card (220 px)": lambda: choropleth(
            cat,
            "wijk",
            wijk_index,
            measure="index",
            title="Kaart",
            value_label="Index",
            small=True,
            highlight=top,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    maps = _maps()
    start = time.perf_counter()
    map_svg(next(iter(maps.values()))())
    print(
        f"first render in this process (engine start included): {time.perf_counter() - start:.2f} s"
    )
    print(f"{'map':<26} {'spec (s)':>9} {'render (s)':>11} {'SVG (kB)':>9}")
    for name, build in maps.items():
        specs, renders = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            chart = build()
            t1 = time.perf_counter()
            svg = map_svg(chart)
            t2 = time.perf_counter()
            specs.append(t1 - t0)
            renders.append(t2 - t1)
        size = len(svg.encode("utf-8")) / 1000
        print(
            f"{name:<26} {statistics.median(specs):>9.2f} {statistics.median(renders):>11.2f} "
            f"{size:>9.0f}"
        )


if __name__ == "__main__":
    main()
