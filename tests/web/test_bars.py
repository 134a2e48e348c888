"""The team lead's bar charts: widths follow the numbers, the norm line sits at the norm."""

from __future__ import annotations

import re

from bestaanszekerheid.web.casework.bars import BAR_AREA, LABEL_WIDTH, bars_svg


def test_bars_scale_to_the_larger_of_norm_and_values_and_mark_overload() -> None:
    svg = bars_svg([("Sanne", 60), ("Youssef <b>", 30)], 50, "norm 50", "Caseload")
    widths = [float(w) for w in re.findall(r'<rect[^>]*width="([\d.]+)"', svg)]
    assert widths == [BAR_AREA, BAR_AREA / 2]  # 60 is the maximum; 30 is half of it
    assert svg.count("bars-bar--over") == 1  # only the caseload above the norm
    norm_x = float(re.search(r'<line[^>]*x1="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert norm_x == LABEL_WIDTH + BAR_AREA * 50 / 60
    assert "Youssef &lt;b&gt;" in svg and "<title>Caseload</title>" in svg


def test_no_rows_no_chart() -> None:
    assert bars_svg([], 50, "norm 50", "Caseload") == ""
