"""The outreach part of 'Waar wonen ze?': the plan of where to ring the doorbell (best choice
beside highest share first, the trade-off curve, where the door budget comes from and what a
wijkteam does next) and the places beyond the door (families with a child under 4 in every
wijk, for the consultation bureaus).

The plan tables and the curve are laid out for a 390 px phone too: short headers, names that
wrap (:attr:`~bestaanszekerheid.reports.tree.Table.narrow`), the curve drawn again at phone
width so that its text is not scaled below 11 px.

As in :mod:`bestaanszekerheid.reports.sections.areas`, everything shown was published before
the report: the plans of :mod:`bestaanszekerheid.areas.outreach` rest on released figures
only. This module picks, orders and words them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.areas.distribution import TOO_FEW, AreaFigures, AreaLevel
from bestaanszekerheid.areas.outreach import DEFAULT_GROUP
from bestaanszekerheid.defaults import DEFAULT_DOORS
from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_int, fmt_pct
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.sections.common import as_float
from bestaanszekerheid.reports.tree import Block, Callout, Cell, Chart, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.areas.catalog import Level
    from bestaanszekerheid.areas.outreach import OutreachPlan, Selection
    from bestaanszekerheid.pipeline import AnalysisResult

#: How many wijken the young-children section names in its lead (the table lists all).
YOUNG_NAMED = 3
HIDDEN_NOTE = f"x: niet gepubliceerd ({TOO_FEW}, of om een klein aantal elders te beschermen)."
#: The key of the whole target group's outreach plan (``AnalysisResult.outreach``).
TARGET_PLAN = DEFAULT_GROUP


def code_label(name: object, code: object) -> str:
    """ "Naam (code)": the red team and readers take the code from the parentheses."""
    return f"{name} ({code})"


@dataclass(frozen=True)
class _Planned:
    """Whose plan a section shows, in the words and keys of its blocks."""

    #: The reader's words: "de hele doelgroep" or "Groep 3 (name)".
    who: str
    #: The group's key ("Groep 3"); "" for the whole target group.
    group: str
    #: Appended to the blocks' keys ("" for the target group, whose keys the report has).
    suffix: str
    #: What the plan's reach is, for the tables' note.
    reach: str
    sources: tuple[str, ...]
    #: Wijk names by code (a buurt's wijk in the plan table).
    wijk_names: Mapping[str, str] = field(default_factory=dict)
    #: The group's households in the whole municipality, as published (NaN: not known).
    total: float = math.nan

    def wijk_name(self, code: object) -> str:
        """A wijk's name, or its code when the name is not known (the buurt code beside it
        holds the wijk code: BU08552101 lies in WK085521)."""
        return self.wijk_names.get(str(code)) or str(code)


def _planned(result: AnalysisResult, plan: str, sources: tuple[str, ...]) -> _Planned:
    wijk = result.areas.levels.get("wijk") if result.areas is not None else None
    names = (
        {str(r["code"]): str(r["name"]) for r in wijk.target.to_dict("records")}
        if wijk is not None
        else {}
    )
    if plan == TARGET_PLAN:
        return _Planned(
            "de hele doelgroep",
            "",
            "",
            "de huishoudens uit de doelgroep daar (gepubliceerde aantallen)",
            sources,
            names,
            wijk.target_table.published(TOTAL)
            if wijk is not None and wijk.target_table is not None
            else math.nan,
        )
    group = next((g for g in result.profiles.groups if g.key == plan), None)
    if group is None:
        raise ValueError(f"no group {plan!r} in this run")
    model = result.areas.model_check if result.areas is not None else None
    return _Planned(
        f"{group.key} ({group.name})",
        group.key,
        f"-groep-{group.number}",
        f"de huishoudens van {group.key} daar naar verwachting (het gepubliceerde aantal uit "
        "de doelgroep maal het gepubliceerde aandeel van de groep)",
        (*sources, *((model.name,) if model is not None else ())),
        names,
        float(group.size),
    )


def _plan_table(
    selection: Selection,
    planned: _Planned,
    *,
    level: Level,
    key: str,
    title: str,
    average: float,
) -> Table:
    t = selection.table
    below = round(average, 1)
    # At wijk level the plan's "buurt" is the wijk itself. At buurt level the buurt's wijk
    # is named in the buurt's cell, not in a column of its own: seven columns do not fit a
    # 390 px phone, six do with names that wrap.
    by_buurt = level == "buurt"
    rows: list[tuple[Cell, ...]] = [
        (
            Cell(
                code_label(r["buurt"], r["buurtcode"])
                + (f" in {planned.wijk_name(r['wijkcode'])}" if by_buurt else "")
                + (" (onder gemiddeld)" if as_float(r["aandeel %"]) < below else "")
            ),
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
        # Short headers: the table fits a 390 px phone; the note says what each one means.
        columns=(
            "Buurt" if by_buurt else "Wijk",
            "Deuren",
            "Bereik",
            "Aandeel",
            "Deuren t/m hier",
            "Bereik t/m hier",
        ),
        rows=tuple(rows),
        sources=planned.sources,
        kind="plan",
        note=("Buurt: naam (buurtcode) in wijk. " if by_buurt else "")
        + f"Deuren: alle huishoudens in de {level}; bereik: {planned.reach}; aandeel: bereik "
        "gedeeld door deuren; t/m hier: opgeteld vanaf de eerste rij, in de volgorde van bezoek; "
        f"onder gemiddeld: een aandeel onder de {fmt_pct(average)} van alle meegenomen "
        f"{level}en samen. "
        f"{'Buurten' if by_buurt else 'Wijken'} met een verborgen cijfer doen niet mee.",
        collapsed=len(rows) > 15,
        narrow=True,
    )


def outreach_subsection(result: AnalysisResult, key: str = TARGET_PLAN) -> Section | None:
    plan = result.outreach.get(key)
    areas = result.areas
    if areas is None:
        return None
    level = areas.plan_level
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
    # The naive list takes every area that still fits, so it is empty only when the exact
    # plan is (no section then); it can be the same choice, and then is not shown twice.
    same = plan.naive.codes == plan.exact.codes
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
        columns=("Deuren", "Beste keuze", "Hoogste aandeel eerst"),
        rows=tuple(
            (Cell(d, "int"), Cell(e, "int"), Cell(n, "int"))
            for d, e, n in zip(data["deuren"], data["exact"], data["naief"], strict=True)
        ),
        sources=planned.sources,
        kind="plan",
        note="Deuren: het deurenbudget; de andere kolommen: het verwachte bereik (huishoudens).",
        narrow=True,
    )
    axis = planned.group or "hele doelgroep"
    description = (
        f"Lijndiagram van het verwachte bereik ({axis}) tegen het deurenbudget, voor de beste "
        f"keuze van {where} en voor hoogste aandeel eerst. Bij het gekozen budget van "
        f"{fmt_int(plan.budget)} deuren: {fmt_int(plan.reach)} huishoudens"
        + (", bij beide." if plan.gain == 0 else f" tegen {fmt_int(plan.naive.reach)}.")
    )
    chart = Chart(
        key="bereik-curve-grafiek" + planned.suffix,
        title=f"Hoeveel huishoudens uit {planned.who} bereikt u met een deurenbudget?",
        svg=charts.outreach_curve(data, plan.budget, axis, description=description),
        narrow_svg=charts.outreach_curve(
            data, plan.budget, axis, description=description, narrow=True
        ),
        print_svg=charts.outreach_curve(
            data, plan.budget, axis, description=description, paper=True
        ),
        alt=description,
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
            f"gepubliceerde {figures}; ernaast de gewone aanpak: de {where} met het hoogste "
            "aandeel eerst, en past er een niet meer in het budget, dan de volgende op de "
            f"lijst. {_budget_source(plan.budget)}"
        ),
        Paragraph(plan.summary()),
    ]
    if planned.total > 0 and not math.isnan(planned.total):
        blocks.append(
            Paragraph(
                f"Dat is hooguit {fmt_pct(100 * plan.reach / planned.total, 1)} van alle "
                f"{fmt_int(planned.total)} huishoudens uit {planned.who} in de gemeente: "
                "aanbellen is één ingang, niet de enige (zie de partners en de "
                "consultatiebureaus hieronder)."
            )
        )
    if plan.gain > 0:
        blocks.append(
            Callout(
                f"De beste keuze bereikt met hetzelfde budget naar verwachting "
                f"{fmt_int(plan.gain)} huishoudens meer dan hoogste aandeel eerst."
            )
        )
    elif same:
        blocks.append(
            Callout(
                f"Bij dit budget kiest hoogste aandeel eerst dezelfde {where} als de beste "
                "keuze: de lijst hieronder geldt voor allebei."
            )
        )
    blocks.append(
        _plan_table(
            plan.exact,
            planned,
            level=level,
            key="bereikplan",
            title=f"Bereikplan{_for(planned)}: beste keuze ({where})",
            average=plan.average_share,
        )
    )
    if not same:
        blocks.append(
            _plan_table(
                plan.naive,
                planned,
                level=level,
                key="bereikplan-naief",
                title=f"Ter vergelijking{_for(planned)}: hoogste aandeel eerst ({where})",
                average=plan.average_share,
            )
        )
    n = len(plan.exact.table)
    these = f"deze {n} {where}" if n != 1 else f"deze {level}"
    blocks += [
        Paragraph(
            f"Volgende stap voor het wijkteam: bel eerst aan bij de deuren van {these}, in "
            "de volgorde van de tabel; gezinnen met jonge kinderen bereikt u daarnaast via de "
            "consultatiebureaus, en andere huishoudens via partners in de wijk, zoals "
            "huisartsen, scholen, de voedselbank en de schuldhulp."
        ),
        chart,
    ]
    return tuple(blocks)


def _budget_source(budget: float) -> str:
    """Where the door budget comes from: the default, or ``--deuren`` as given."""
    doors = fmt_int(budget)
    if budget == DEFAULT_DOORS:
        return (
            f"Het budget van {doors} deuren is de standaardwaarde (ongeveer een paar maanden "
            "werk van een klein team); wie de analyse draait, kan een ander budget opgeven "
            "(bijvoorbeeld 5.000 deuren)."
        )
    return f"Het budget van {doors} deuren is opgegeven met --deuren {round(budget)}."


def _for(planned: _Planned) -> str:
    """' voor Groep 3' in a plan table's title ('' for the target group's)."""
    return f" voor {planned.group}" if planned.group else ""


def young_children_subsection(areas: AreaFigures, wijk: AreaLevel) -> Section | None:
    """Families of the target group with a child under 4 in every wijk (most first; a wijk
    whose count is not published last, as "x"), for the consultation
    bureaus; None when the run has no such table."""
    young = areas.young_children
    if young is None:
        return None
    counts = young.frame.iloc[:, 0]
    published = {str(code): as_float(value) for code, value in counts.items() if code != TOTAL}
    rows = []
    for r in wijk.target.to_dict("records"):
        code = str(r["code"])
        n = published.get(code, math.nan)
        n_target = as_float(r["target"])
        share = 100 * n / n_target if n_target > 0 else math.nan
        rows.append((code, str(r["name"]), n, n_target, share))
    rows.sort(key=lambda r: (math.isnan(r[2]), -(0.0 if math.isnan(r[2]) else r[2]), r[0]))
    total = as_float(counts.get(TOTAL)) if TOTAL in counts.index else math.nan
    # The denominator's table first, as the other two-table shares name their sources.
    sources = ([wijk.target_table.name] if wijk.target_table else []) + [young.name]
    table = Table(
        key="jonge-kinderen-per-wijk",
        title="Doelgroep met een kind jonger dan 4 jaar, per wijk",
        columns=("Wijk", "Met kind onder 4", "Doelgroep", "Aandeel"),
        rows=tuple(
            (
                Cell(code_label(name, code)),
                Cell(math.nan, "int") if math.isnan(n) else Cell(n, "int"),
                Cell(t, "int"),
                Cell("") if math.isnan(n) else Cell(s, "pct"),
            )
            for code, name, n, t, s in rows
        ),
        sources=tuple(sources),
        kind="checked",
        note="Met kind onder 4: huishoudens uit de doelgroep met een kind jonger dan 4 jaar; "
        "doelgroep: alle huishoudens uit de doelgroep in de wijk; aandeel: van die "
        f"huishoudens. {HIDDEN_NOTE}",
        collapsed=len(rows) > 15,
        narrow=True,
    )
    lead = (
        "Huishoudens uit de doelgroep met een kind jonger dan 4 jaar komen bij het "
        "consultatiebureau: daar kan de gemeente ze bereiken."
    )
    if not math.isnan(total):
        lead += (
            f" In de hele gemeente zijn het er {fmt_int(total)}, ook in de wijken waar de "
            "tabel geen getal toont (x)."
        )
    named = [r for r in rows if not math.isnan(r[2])][:YOUNG_NAMED]
    if named:
        lead += " De meeste wonen in " + _and(
            [f"{name} ({fmt_int(n)})" for _, name, n, _, _ in named]
        )
        lead += "; de tabel noemt elke wijk."
    return Section("jonge-kinderen", "Gezinnen met jonge kinderen", (table,), lead=lead)


def _and(items: list[str]) -> str:
    """ "a, b en c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
