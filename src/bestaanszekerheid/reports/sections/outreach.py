"""The outreach part of 'Waar wonen ze?': the plan of where to ring the doorbell (best choice
beside highest share first, the trade-off curve) and the places beyond the door (families
with a child under 4 per wijk, for the consultation bureaus).

As in :mod:`bestaanszekerheid.reports.sections.areas`, everything shown was published before
the report: the plans of :mod:`bestaanszekerheid.areas.outreach` rest on released figures
only. This module picks, orders and words them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.areas.distribution import TOO_FEW, AreaFigures, AreaLevel
from bestaanszekerheid.areas.outreach import DEFAULT_GROUP
from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_int
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.sections.common import as_float
from bestaanszekerheid.reports.tree import Block, Callout, Cell, Chart, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.areas.catalog import Level
    from bestaanszekerheid.areas.outreach import OutreachPlan, Selection
    from bestaanszekerheid.pipeline import AnalysisResult

YOUNG_TOP = 8
HIDDEN_NOTE = f"x: niet gepubliceerd ({TOO_FEW})."
#: The key of the whole target group's outreach plan (``AnalysisResult.outreach``).
TARGET_PLAN = DEFAULT_GROUP


def code_label(name: object, code: object) -> str:
    """ "Naam (code)": the red team and readers take the code from the parentheses."""
    return f"{name} ({code})"


@dataclass(frozen=True)
class _Planned:
    """Whose plan a section shows, in the words and keys of its blocks."""

    #: The reader's words: "de doelgroep" or "Groep 3 (name)".
    who: str
    #: The group's key ("Groep 3"); "" for the whole target group.
    group: str
    #: Appended to the blocks' keys ("" for the target group, whose keys the report has).
    suffix: str
    #: The plan table's share column.
    share_column: str
    #: What the plan's reach is, for the tables' note.
    reach: str
    sources: tuple[str, ...]


def _planned(result: AnalysisResult, plan: str, sources: tuple[str, ...]) -> _Planned:
    if plan == TARGET_PLAN:
        return _Planned(
            "de doelgroep",
            "",
            "",
            "Aandeel doelgroep",
            "de huishoudens uit de doelgroep daar (gepubliceerde aantallen)",
            sources,
        )
    group = next((g for g in result.profiles.groups if g.key == plan), None)
    if group is None:
        raise ValueError(f"no group {plan!r} in this run")
    model = result.areas.model_check if result.areas is not None else None
    return _Planned(
        f"{group.key} ({group.name})",
        group.key,
        f"-groep-{group.number}",
        "Aandeel groep",
        f"de huishoudens van {group.key} daar naar verwachting (het gepubliceerde aantal uit "
        "de doelgroep maal het gepubliceerde aandeel van de groep)",
        (*sources, *((model.name,) if model is not None else ())),
    )


def _plan_table(
    selection: Selection, planned: _Planned, *, level: Level, key: str, title: str
) -> Table:
    t = selection.table
    # At wijk level the plan's "buurt" is the wijk itself: no second column with its code.
    by_buurt = level == "buurt"
    rows: list[tuple[Cell, ...]] = [
        (
            Cell(code_label(r["buurt"], r["buurtcode"])),
            *((Cell(str(r["wijkcode"])),) if by_buurt else ()),
            Cell(as_float(r["deuren"]), "int"),
            Cell(as_float(r["verwacht bereik"]), "int"),
            Cell(as_float(r["aandeel %"]), "pct"),
            Cell(as_float(r["cumulatief deuren"]), "int"),
            Cell(as_float(r["cumulatief bereik"]), "int"),
        )
        for r in t.to_dict("records")
    ]
    rows.append(
        (
            Cell("Totaal"),
            *((Cell(""),) if by_buurt else ()),
            Cell(selection.doors, "int"),
            Cell(selection.reach, "int"),
            Cell(100 * selection.reach / selection.doors if selection.doors else math.nan, "pct"),
            Cell(None),
            Cell(None),
        )
    )
    return Table(
        key=key + planned.suffix,
        title=title,
        columns=(
            "Buurt" if by_buurt else "Wijk",
            *(("Wijk (code)",) if by_buurt else ()),
            "Deuren",
            "Verwacht bereik",
            planned.share_column,
            "Cumulatief deuren",
            "Cumulatief bereik",
        ),
        rows=tuple(rows),
        sources=planned.sources,
        kind="plan",
        note=f"Deuren: alle huishoudens in de {level}; verwacht bereik: {planned.reach}. "
        f"{'Buurten' if by_buurt else 'Wijken'} met een verborgen cijfer doen niet mee.",
        collapsed=len(rows) > 15,
    )


def outreach_subsection(result: AnalysisResult, key: str = TARGET_PLAN) -> Section | None:
    plan = result.outreach.get(key)
    areas = result.areas
    if areas is None:
        return None
    level: Level = "buurt" if "buurt" in areas.levels else "wijk"
    lv = areas.levels[level]
    sources = tuple(t.name for t in (lv.households_table, lv.target_table) if t is not None)
    planned = _planned(result, key, sources)
    where = "buurten" if level == "buurt" else "wijken"
    title = "Waar aanbellen? Het bereikplan" + ("" if key == TARGET_PLAN else f" voor {key}")
    if plan is None:
        if key == TARGET_PLAN:
            return None
        # A group without a plan: its figures per area were not released (the area model
        # check was refused), so nothing of the group per area may be shown.
        return Section(
            "bereikplan",
            title,
            (
                Paragraph(
                    f"Er is geen bereikplan voor {planned.who}: de samenstelling van de groepen "
                    f"per {level} kon niet worden gepubliceerd (onthullingscontrole)."
                ),
            ),
        )
    if plan.exact.table.empty:
        # No area within the budget has both figures published (a small file): no plan, and
        # no "0 huishoudens" sentence either, which reads as a published count of zero.
        return Section(
            "bereikplan",
            title,
            (
                Paragraph(
                    f"Er is geen bereikplan: in geen van de {where} die binnen het budget passen "
                    "zijn de aantallen gepubliceerd."
                ),
            ),
        )
    return Section("bereikplan", title, _plan_blocks(plan, planned, level))


def _plan_blocks(plan: OutreachPlan, planned: _Planned, level: Level) -> tuple[Block, ...]:
    where = "buurten" if level == "buurt" else "wijken"
    naive_empty = plan.naive.table.empty
    summary = plan.summary()
    if naive_empty:
        # The naive list stops at once (its first area is over budget): say so in words.
        summary = (
            summary.split(" Hoogste aandeel eerst")[0]
            + " Hoogste aandeel eerst: de eerste op de lijst past al niet in het budget."
        )
    curve = plan.curve
    data = pd.DataFrame(
        {
            "deuren": curve["budget (deuren)"].astype(float),
            "exact": curve["bereik exact"].astype(float),
            "naief": curve["bereik naïef"].astype(float),
        }
    )
    curve_table = Table(
        key="bereik-curve" + planned.suffix,
        title="Bereik per deurenbudget: beste keuze en hoogste aandeel eerst",
        columns=("Deurenbudget", "Bereik beste keuze", "Bereik hoogste aandeel eerst"),
        rows=tuple(
            (Cell(d, "int"), Cell(e, "int"), Cell(n, "int"))
            for d, e, n in zip(data["deuren"], data["exact"], data["naief"], strict=True)
        ),
        sources=planned.sources,
        kind="plan",
    )
    chart = Chart(
        key="bereik-curve-grafiek" + planned.suffix,
        title=f"Hoeveel huishoudens uit {planned.who} bereikt u met een deurenbudget?",
        svg=charts.outreach_curve(data, plan.budget, planned.group or TARGET_PLAN),
        alt=(
            "Lijndiagram van het verwachte bereik tegen het aantal deuren, voor de beste "
            f"keuze van {where} en voor hoogste aandeel eerst. Bij het gekozen budget van "
            f"{fmt_int(plan.budget)} deuren: {fmt_int(plan.reach)} huishoudens"
            + ("." if naive_empty else f" tegen {fmt_int(plan.naive.reach)}.")
        ),
        table=curve_table,
    )
    figures = (
        f"aantallen per {level}"
        if not planned.group
        else f"aantallen en de gepubliceerde samenstelling van de groepen per {level}"
    )
    blocks: list[Block] = [
        Paragraph(
            f"Wie aanbelt, wil met een beperkt aantal deuren zo veel mogelijk huishoudens uit "
            f"{planned.who} bereiken. De beste keuze van {where} is uitgerekend op de "
            f"gepubliceerde {figures}; ernaast de gewone aanpak: {where} met het hoogste "
            "aandeel eerst, tot het budget op is."
        ),
        Paragraph(summary),
        _plan_table(
            plan.exact,
            planned,
            level=level,
            key="bereikplan",
            title=f"Bereikplan{_for(planned)}: beste keuze ({where})",
        ),
        *(
            ()
            if naive_empty
            else (
                _plan_table(
                    plan.naive,
                    planned,
                    level=level,
                    key="bereikplan-naief",
                    title=f"Ter vergelijking{_for(planned)}: hoogste aandeel eerst ({where})",
                ),
            )
        ),
        chart,
    ]
    if plan.gain > 0:
        blocks.insert(
            2,
            Callout(
                f"De beste keuze bereikt met hetzelfde budget naar verwachting "
                f"{fmt_int(plan.gain)} huishoudens meer dan hoogste aandeel eerst."
            ),
        )
    return tuple(blocks)


def _for(planned: _Planned) -> str:
    """' voor Groep 3' in a plan table's title ('' for the target group's)."""
    return f" voor {planned.group}" if planned.group else ""


def young_children_subsection(areas: AreaFigures, wijk: AreaLevel) -> Section | None:
    young = areas.young_children
    if young is None:
        return None
    counts = young.frame.iloc[:, 0]
    target = wijk.target.set_index("code")
    rows = []
    for code, value in counts.items():
        if code == TOTAL or str(code) not in target.index:
            continue
        n = as_float(value)
        n_target = as_float(target.at[str(code), "target"])
        share = 100 * n / n_target if n_target > 0 else math.nan
        rows.append((str(code), str(target.at[str(code), "name"]), n, n_target, share))
    rows.sort(key=lambda r: (-(r[2] if not math.isnan(r[2]) else -1.0), r[0]))
    total = as_float(counts.get(TOTAL)) if TOTAL in counts.index else math.nan
    shown = rows[:YOUNG_TOP]
    # The denominator's table first, as the other two-table shares name their sources.
    sources = ([wijk.target_table.name] if wijk.target_table else []) + [young.name]
    table = Table(
        key="jonge-kinderen-per-wijk",
        title=f"Doelgroep met een kind jonger dan 4 jaar: de {len(shown)} wijken met de meeste",
        columns=("Wijk", "Met een kind onder de 4", "Doelgroep in de wijk", "Aandeel"),
        rows=tuple(
            (Cell(code_label(name, code)), Cell(n, "int"), Cell(t, "int"), Cell(s, "pct"))
            for code, name, n, t, s in shown
        ),
        sources=tuple(sources),
        kind="checked",
        note=f"Aandeel: van de huishoudens uit de doelgroep in de wijk. {HIDDEN_NOTE}",
    )
    lead = (
        "Huishoudens uit de doelgroep met een kind jonger dan 4 jaar komen bij het "
        "consultatiebureau: daar kan de gemeente ze bereiken."
    )
    if not math.isnan(total):
        lead += f" In de hele gemeente zijn het er {fmt_int(total)}."
    return Section("jonge-kinderen", "Gezinnen met jonge kinderen", (table,), lead=lead)
