"""The heatmap of the groups: a hidden cell (x) is grey, never white like "no difference"."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from bestaanszekerheid.reports.charts import HIDDEN, heatmap


def test_a_hidden_cell_is_grey_and_the_others_keep_their_colour() -> None:
    data = pd.DataFrame(
        {
            "feature": ["Bijstand", "Bijstand", "AOW", "AOW"],
            "groep": ["Groep 1", "Groep 2", "Groep 1", "Groep 2"],
            "share_group": [80.0, np.nan, 3.0, 40.0],
            "effect": [1.2, np.nan, -0.4, 0.0],
            "order": [0, 0, 1, 1],
            "label": ["80", "x", "3", "40"],
        }
    )
    svg = heatmap(data)
    fills = re.findall(r'<path[^>]*aria-label="([^"]*)"[^>]*fill="([^"]+)"', svg)
    by_cell = {label: fill for label, fill in fills}
    hidden = [fill for label, fill in by_cell.items() if "Groep 2" in label and "Bijstand" in label]
    assert hidden == [HIDDEN]
    assert all(f != HIDDEN for label, f in by_cell.items() if "x%" not in label)
