"""The ZRM domains at the first and the latest measurement, as inline SVG (no JavaScript).

One row per domain: its name, then a 1-5 line with an open circle at the first score and a
filled dot at the latest, joined by a line (solid green when higher, dashed red when lower).
Rows rather than a 13-axis spider web: the names stay readable on a phone, and a change
reads as a distance along one line. The page shows the same numbers in a table; the SVG has
a short title for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

from bestaanszekerheid.web.evaluation.instruments import SCORE_MAX, SCORE_MIN

WIDTH = 360
HEADER = 22  # the row of tick labels 1-5
ROW = 34  # a domain's name and its line
X0, X1 = 16.0, WIDTH - 16.0


@dataclass(frozen=True)
class ChartRow:
    """One domain: its name, the first and the latest score."""

    label: str
    first: float
    latest: float


def _x(score: float) -> float:
    return X0 + (X1 - X0) * (score - SCORE_MIN) / (SCORE_MAX - SCORE_MIN)


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def zrm_chart_svg(rows: Sequence[ChartRow], title: str) -> str:
    """The SVG for ``rows`` (oldest score open, latest filled); empty without rows."""
    if not rows:
        return ""
    height = HEADER + ROW * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="zrm-chart" role="img" aria-labelledby="zrm-chart-title" focusable="false">',
        f'<title id="zrm-chart-title">{escape(title)}</title>',
    ]
    for score in range(SCORE_MIN, SCORE_MAX + 1):
        x = _x(score)
        parts.append(
            f'<text class="zrm-tick" x="{x:.1f}" y="14" text-anchor="middle">{score}</text>'
            f'<line class="zrm-grid" x1="{x:.1f}" y1="{HEADER}" x2="{x:.1f}" y2="{height}"/>'
        )
    for i, row in enumerate(rows):
        top = HEADER + ROW * i
        y = top + 25
        first, latest = _x(row.first), _x(row.latest)
        # Higher is better on every ZRM domain; the table says it in words.
        trend = "same"
        if row.latest != row.first:
            trend = "better" if row.latest > row.first else "worse"
        parts.append(
            f'<g class="zrm-row"><title>{escape(row.label)}: {_number(row.first)} → '
            f"{_number(row.latest)}</title>"
            f'<text class="zrm-label" x="{X0 - 8:.1f}" y="{top + 12}">{escape(row.label)}</text>'
            f'<line class="zrm-axis" x1="{X0}" y1="{y}" x2="{X1}" y2="{y}"/>'
            f'<line class="zrm-change zrm-change--{trend}" x1="{first:.1f}" y1="{y}" '
            f'x2="{latest:.1f}" y2="{y}"/>'
            f'<circle class="zrm-first" cx="{first:.1f}" cy="{y}" r="7"/>'
            f'<circle class="zrm-latest" cx="{latest:.1f}" cy="{y}" r="4.5"/></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
