"""'Hoe de doelgroep is bepaald': the definition, the status table and the share per wijk."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_num, fmt_pct
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.sections.common import checked_table_block, date_nl
from bestaanszekerheid.reports.tree import Block, Callout, Cell, Chart, Paragraph, Section, Table
from bestaanszekerheid.target import TargetStatus

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import WijkShares


def target_section(result: AnalysisResult) -> Section:
    """How the target group was selected: threshold, norms, the checked status table and
    the target group's share per wijk."""
    target = result.target
    labels = {
        TargetStatus.IN_TARGET: f"In de doelgroep (tot en met {fmt_num(target.max_pct, 0)}%)",
        TargetStatus.ABOVE: "Inkomen boven de grens",
        TargetStatus.UNKNOWN_INCOME: "Inkomen onbekend (niet in de doelgroep)",
        TOTAL: "Alle huishoudens",
    }
    table = checked_table_block(
        result.target_table,
        key="doelgroep",
        title="Alle huishoudens naar doelgroep",
        labels=labels,
        share=False,
        note="x: niet gepubliceerd.",
    )
    norm_dates = sorted({d for d in target.norm_dates.values()})
    norm_text = ", ".join(date_nl(d) for d in norm_dates) if norm_dates else date_nl(target.on)
    blocks: list[Block] = [
        Paragraph(
            f"De doelgroep zijn huishoudens met een inkomen tot en met "
            f"{fmt_num(target.max_pct, 0)}% van het sociaal minimum op peildatum "
            f"{date_nl(target.on)} (normen geldig vanaf {norm_text})."
        ),
        Paragraph(target.definition),
        table,
    ]
    if result.wijk_shares is not None and result.wijk_shares.wijken:
        blocks.extend(wijk_blocks(result.wijk_shares))
    if target.norm_table_version:
        blocks.append(Paragraph(f"Versie van de normtabel: {target.norm_table_version}."))
    for warning in target.warnings:
        blocks.append(Callout(warning, "warning"))
    return Section("doelgroep", "Hoe de doelgroep is bepaald", tuple(blocks))


def wijk_blocks(shares: WijkShares) -> list[Block]:
    """Share of the target group per wijk (two checked count tables), chart and table."""
    overall = shares.overall
    table = Table(
        key="doelgroep-per-wijk",
        title="Doelgroep per wijk",
        columns=("Wijk", "Alle huishoudens", "In de doelgroep", "Aandeel doelgroep"),
        rows=tuple(
            (
                Cell(f"{w.name} ({w.code})"),
                Cell(w.households, "int"),
                Cell(w.target, "int"),
                Cell(w.share, "pct"),
            )
            for w in shares.wijken
        ),
        sources=shares.sources,
        kind="checked",
        collapsed=False,
        note=f"Gemiddeld over alle wijken: {fmt_pct(overall, 1)}. x: niet gepubliceerd.",
    )
    top = shares.highest(10)
    chart = Chart(
        key="doelgroep-per-wijk-grafiek",
        title="Aandeel huishoudens in de doelgroep: de tien wijken met het hoogste aandeel",
        svg=charts.share_by_area_chart(
            pd.DataFrame({"wijk": [w.name for w in top], "aandeel": [w.share for w in top]}),
            overall,
        ),
        alt="Staafdiagram van het aandeel huishoudens in de doelgroep per wijk: "
        + "; ".join(f"{w.name} {fmt_pct(w.share, 1)}" for w in top)
        + f". Gemiddeld {fmt_pct(overall, 1)}.",
        table=table,
    )
    return [
        Paragraph(
            "Waar wonen de huishoudens uit de doelgroep? Voor een wijkgerichte aanpak tellen de "
            "wijken waar een groot deel van de huishoudens een laag inkomen heeft "
            f"(gemiddeld {fmt_pct(overall, 1)})."
        ),
        chart,
    ]
