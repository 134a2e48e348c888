"""'De groepen naast elkaar': sizes, the heatmap of distinguishing features, all shares."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.formatting import fmt_pct
from bestaanszekerheid.profiles import heatmap_frame
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.sections.common import estimate_sources, share_cell
from bestaanszekerheid.reports.tree import Cell, Chart, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import ProfileSet


def groups_section(result: AnalysisResult) -> Section:
    """All groups side by side: how large, and what sets them apart."""
    profiles = result.profiles
    size_chart, size_table = size_blocks(profiles)
    return Section(
        "groepen",
        "De groepen naast elkaar",
        (
            Paragraph(
                "Elke groep is een combinatie van kenmerken die vaak samen voorkomen. De namen "
                "zijn automatisch gemaakt uit de meest onderscheidende kenmerken en kunnen door "
                "de analist worden aangepast (groepsnamen.yaml)."
            ),
            size_chart,
            size_table,
            Paragraph(
                "Lees de heatmap hieronder per rij: het getal is het percentage huishoudens in "
                "de groep met dat kenmerk; de kleur zegt hoeveel dat afwijkt van de hele "
                "doelgroep: blauw vaker, rood minder vaak (effectgrootte h: vanaf 0,2 een klein, "
                "vanaf 0,5 een middelgroot en vanaf 0,8 een groot verschil)."
            ),
            heatmap_chart(profiles),
            distribution_table(profiles),
        ),
    )


def size_blocks(profiles: ProfileSet) -> tuple[Chart, Table]:
    """The estimated size of every group: a bar chart and its table."""
    groups = profiles.groups
    sizes = pd.DataFrame(
        {"naam": [f"{g.key}: {g.name}" for g in groups], "aandeel": [g.share for g in groups]}
    ).dropna()
    size_rows = tuple(
        (Cell(g.key), Cell(g.name), Cell(g.size, "int"), Cell(g.share, "pct")) for g in groups
    )
    size_table = Table(
        key="groepsgrootte",
        title="Omvang van de groepen (schatting)",
        columns=("Groep", "Naam", "Huishoudens (ongeveer)", "Aandeel van de doelgroep"),
        rows=size_rows,
        sources=(profiles.estimates_check.name,),
        kind="estimate",
        header_columns=2,
        note="Geschat met het model, dat meetelt dat niet ieder huishouden zeker bij één groep "
        "hoort; aantallen afgerond op tientallen.",
    )
    size_chart = Chart(
        key="groepsgrootte-grafiek",
        title="Aandeel van de doelgroep per groep",
        svg=charts.sizes_chart(sizes),
        alt="Staafdiagram van het aandeel van de doelgroep per groep: "
        + "; ".join(f"{g.key} {fmt_pct(g.share, 1)}" for g in groups),
    )
    return size_chart, size_table


def heatmap_chart(profiles: ProfileSet) -> Chart:
    """The heatmap of the most distinguishing features, with every group's cell in its table."""
    groups = profiles.groups
    heat = heatmap_frame(profiles)
    heat_rows = []
    comp = profiles.comparison.assign(
        feature=[
            f"{a}: {b}"
            for a, b in zip(profiles.comparison["label"], profiles.comparison["level"], strict=True)
        ]
    )
    for feature, part in heat.groupby("feature", sort=False):
        share_all = float(part["share_all"].iloc[0])
        # Every group's cell as published (the heatmap itself draws only cells with an effect).
        rows_all = comp[comp["feature"] == feature]
        by_group = {r["groep"]: share_cell(r) for r in rows_all.to_dict("records")}
        heat_rows.append(
            (
                Cell(str(feature)),
                Cell(share_all, "pct"),
                *(by_group.get(g.key, Cell(math.nan, "pct")) for g in groups),
            )
        )
    heat_table = Table(
        key="heatmap-data",
        title="Onderscheidende kenmerken per groep (aandeel in %)",
        columns=("Kenmerk", "Hele doelgroep", *(g.key for g in groups)),
        rows=tuple(heat_rows),
        sources=estimate_sources(profiles),
        kind="estimate",
    )
    return Chart(
        key="heatmap",
        title="Wat de groepen onderscheidt",
        svg=charts.heatmap(heat),
        print_svg=charts.heatmap(heat, paper=True),
        alt="Heatmap: per groep (kolommen) het aandeel huishoudens met elk kenmerk (rijen). "
        "Blauw: vaker dan in de hele doelgroep, rood: minder vaak. De cijfers staan ook in "
        "de tabel bij de grafiek.",
        table=heat_table,
    )


def distribution_table(profiles: ProfileSet) -> Table:
    """Every characteristic: its distribution per group and in the whole target group."""
    comp = profiles.comparison
    groups = profiles.groups
    rows = []
    for char in profiles.characteristics:
        part = comp[comp["column"] == char.column]
        for level, sub in part.groupby("level", sort=False):
            by_group = {r["groep"]: share_cell(r) for r in sub.to_dict("records")}
            rows.append(
                (
                    Cell(char.label),
                    Cell(str(level)),
                    Cell(float(sub["share_all"].iloc[0]), "pct"),
                    *(by_group.get(g.key, Cell(math.nan, "pct")) for g in groups),
                )
            )
    return Table(
        key="verdelingen",
        title="Alle kenmerken: verdeling per groep en in de hele doelgroep (%)",
        columns=("Kenmerk", "Waarde", "Hele doelgroep", *(g.key for g in groups)),
        rows=tuple(rows),
        sources=estimate_sources(profiles),
        kind="estimate",
        header_columns=2,
        collapsed=True,
        note="Per groep: geschatte verdeling met de drie-stappenmethode (BCH-correctie). "
        "'minder dan …%' of 'meer dan …%' (een band): de schatting rust op te weinig "
        "huishoudens voor een preciezer getal. x: niet gepubliceerd (onthullingscontrole).",
    )
