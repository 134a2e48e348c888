"""The buurt part of 'Waar wonen ze?' (``--niveau buurt``): the target share per buurt and
each group's index per buurt, as maps with their tables, from published figures only."""

from __future__ import annotations

import math

import numpy as np

from bestaanszekerheid.reports.sections.areas import _buurt_subsection, _group_buurt_chart
from bestaanszekerheid.reports.tree import Chart

from ..areas.test_distribution import _population, _run


def test_buurt_maps_show_published_buurt_figures_and_mark_the_hidden() -> None:
    households = _population(np.random.default_rng(7), 4000, 0.25)
    figures, register = _run(households, 2, 7)
    buurt = figures.levels["buurt"]
    section = _buurt_subsection(figures)
    assert section is not None
    (chart,) = [b for b in section.blocks if isinstance(b, Chart)]
    assert chart.key == "kaart-doelgroep-per-buurt" and chart.inline and chart.narrow_svg
    assert chart.table is not None and chart.table.key == "doelgroep-per-buurt"
    assert len(chart.table.rows) == len(buurt.target)
    min_count = register.rules.min_count
    for row, (_, published) in zip(chart.table.rows, buurt.target.iterrows(), strict=True):
        households_cell, target_cell = row[1].value, row[2].value
        assert isinstance(households_cell, float) and isinstance(target_cell, float)
        for value in (households_cell, target_cell):
            assert math.isnan(value) or value >= min_count
        assert math.isnan(target_cell) == math.isnan(float(published["target"]))
    hidden = int(buurt.target["share"].isna().sum())
    assert hidden and f"{hidden} van de {len(buurt.target)} buurten" in section.blocks[0].text  # type: ignore[union-attr]
    # The buurten are not numbered on the map (too small); the text says they are outlined.
    assert "dik omlijnd op de kaart" in chart.text[0]
    for g in (1, 2):
        key = f"Groep {g}"
        assert figures.model_check is not None and buurt.target_table is not None
        drawn = _group_buurt_chart(figures, key, g, "naam", (figures.model_check.name,))
        own = buurt.groups[buurt.groups["groep"] == key]
        assert (drawn is None) == own.empty
        if drawn is not None:
            group = drawn[0]
            assert group.key == f"kaart-groep-buurt-{g}" and group.table is not None
            assert group.table.sources == (figures.model_check.name, buurt.target_table.name)
            assert len(group.table.rows) == len(own)


def test_a_refused_buurt_table_is_explained_and_the_plan_rings_wijken() -> None:
    """Asked for buurten, refused by the register (too few households per buurt): the page
    says so, and the outreach plan falls back to the published wijken."""
    from dataclasses import replace

    from bestaanszekerheid.pipeline import _outreach

    households = _population(np.random.default_rng(7), 4000, 0.25)
    figures, _ = _run(households, 2, 7)
    assert figures.plan_level == "buurt"
    buurt = figures.levels["buurt"]
    refused = replace(
        figures, levels={**figures.levels, "buurt": replace(buurt, target_table=None)}
    )
    assert refused.plan_level == "wijk"
    section = _buurt_subsection(refused)
    assert section is not None and not any(isinstance(b, Chart) for b in section.blocks)
    assert "konden niet worden gepubliceerd" in section.blocks[0].text  # type: ignore[union-attr]
    plan = _outreach(refused, 500)["doelgroep"]
    assert plan.level == "wijk" and not plan.exact.table.empty
    assert _outreach(figures, 500)["doelgroep"].level == "buurt"
