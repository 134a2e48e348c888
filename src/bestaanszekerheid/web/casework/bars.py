"""Horizontal bar charts against a norm line, as inline SVG for the team-lead page.

Inline SVG with presentation attributes (no inline CSS, which the CSP forbids; no
JavaScript). The chart is an image with a title; the same numbers are always in a table
next to it, which is what screen readers use.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape

LABEL_WIDTH = 190
BAR_AREA = 420
ROW = 28
BAR = 18
TOP = 24


def bars_svg(rows: Sequence[tuple[str, int]], norm: int, norm_label: str, title: str) -> str:
    """One bar per row, scaled so both the largest bar and the norm fit; a dashed norm line."""
    if not rows:
        return ""
    scale_max = max([norm, *(n for _label, n in rows)]) or 1
    width = LABEL_WIDTH + BAR_AREA + 60
    height = TOP + ROW * len(rows) + 8

    def x(value: float) -> float:
        return LABEL_WIDTH + BAR_AREA * value / scale_max

    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    norm_x = x(norm)
    for i, (label, n) in enumerate(rows):
        y = TOP + i * ROW
        over = n > norm
        # Keep the number clear of the dashed norm line.
        value_x = norm_x + 6 if 0 <= norm_x - x(n) < 30 else x(n) + 6
        parts.append(
            f'<text class="bars-label" x="{LABEL_WIDTH - 8}" y="{y + BAR - 4}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect class="bars-bar{" bars-bar--over" if over else ""}" x="{LABEL_WIDTH}" '
            f'y="{y}" width="{x(n) - LABEL_WIDTH:.1f}" height="{BAR}"></rect>'
            f'<text class="bars-value" x="{value_x:.1f}" y="{y + BAR - 4}">{n}</text>'
        )
    parts.append(
        f'<line class="bars-norm" x1="{norm_x:.1f}" x2="{norm_x:.1f}" y1="{TOP - 6}" '
        f'y2="{height - 4}"></line>'
        f'<text class="bars-norm-label" x="{norm_x:.1f}" y="{TOP - 10}" '
        f'text-anchor="middle">{escape(norm_label)}</text></svg>'
    )
    return "".join(parts)
