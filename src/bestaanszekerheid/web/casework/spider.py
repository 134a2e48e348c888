"""The Positieve Gezondheid spider web as inline SVG (no JavaScript, no external files)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape

# Wider than high: the axis labels left and right need room.
WIDTH = 460
HEIGHT = 330
CX = WIDTH / 2
CY = HEIGHT / 2
RADIUS = 115


def _point(index: int, n: int, value: float) -> tuple[float, float]:
    # Start at the top and go clockwise, like the paper instrument.
    angle = -math.pi / 2 + 2 * math.pi * index / n
    r = RADIUS * value / 10
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def _polygon(values: Sequence[float]) -> str:
    return " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (_point(i, len(values), v) for i, v in enumerate(values))
    )


def _wrapped(label: str, x: float) -> str:
    # Long labels go on two lines, split at the last space before the middle.
    words = label.split()
    if len(label) <= 12 or len(words) < 2:
        return escape(label)
    cut = max(1, len(words) - 1) if len(words) == 2 else len(words) // 2 + 1
    first, second = " ".join(words[:cut]), " ".join(words[cut:])
    return (
        f'<tspan x="{x:.1f}" dy="-0.3em">{escape(first)}</tspan>'
        f'<tspan x="{x:.1f}" dy="1.2em">{escape(second)}</tspan>'
    )


def spider_svg(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str
) -> str:
    """An SVG with one polygon per series (oldest first, the latest drawn strongest).

    Screen readers get a short title; the page shows the same numbers in a table next to it.
    """
    n = len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="spider" role="img" aria-labelledby="spider-title" focusable="false">',
        f'<title id="spider-title">{escape(title)}</title>',
    ]
    for ring in (2, 4, 6, 8, 10):
        parts.append(f'<polygon class="spider-ring" points="{_polygon([ring] * n)}"/>')
    for i, label in enumerate(labels):
        x, y = _point(i, n, 10)
        lx, ly = _point(i, n, 12.4)
        anchor = "middle" if abs(lx - CX) < 5 else ("start" if lx > CX else "end")
        parts.append(f'<line class="spider-axis" x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="spider-label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
            f"{_wrapped(label, lx)}</text>"
        )
    for index, (name, values) in enumerate(series):
        latest = index == len(series) - 1
        css = "spider-latest" if latest else "spider-earlier"
        parts.append(f'<polygon class="{css}" points="{_polygon(values)}">')
        parts.append(f"<title>{escape(name)}</title></polygon>")
    parts.append("</svg>")
    return "".join(parts)
