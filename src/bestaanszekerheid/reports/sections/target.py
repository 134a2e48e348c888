"""'Hoe de doelgroep is bepaald': the definition and the status table (the wijken: areas.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_num
from bestaanszekerheid.reports.sections.common import checked_table_block, date_nl
from bestaanszekerheid.reports.tree import Block, Callout, Paragraph, Section
from bestaanszekerheid.target import TargetStatus

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult


def target_section(result: AnalysisResult) -> Section:
    """How the target group was selected: threshold, norms and the checked status table."""
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
    if result.areas is not None and "wijk" in result.areas.levels:
        # The wijken have their own section (maps, plan); one pointer, not a second table.
        blocks.append(
            Paragraph(
                "Waar de doelgroep woont, per wijk en op de kaart, staat in het hoofdstuk "
                "'Waar wonen ze?'."
            )
        )
    for warning in target.warnings:
        blocks.append(Callout(warning, "warning"))
    return Section("doelgroep", "Hoe de doelgroep is bepaald", tuple(blocks))
