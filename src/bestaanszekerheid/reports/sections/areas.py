"""'Waar wonen ze?': maps of the target share and each group's index per wijk, the outreach
plan, young children per wijk and our figures beside CBS's.

Everything shown was published before the report (ADR 0040): the per-wijk figures of
:class:`~bestaanszekerheid.areas.distribution.AreaFigures`, the plans of
:mod:`bestaanszekerheid.areas.outreach`; :mod:`bestaanszekerheid.areas.maps` draws (ADR 0071).
This module only picks, orders and words them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.areas import maps
from bestaanszekerheid.areas.distribution import TOO_FEW, AreaFigures, AreaLevel
from bestaanszekerheid.areas.outreach import DEFAULT_GROUP
from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.sections.common import as_float, join_nl
from bestaanszekerheid.reports.tree import Block, Callout, Cell, Chart, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.areas.catalog import Level
    from bestaanszekerheid.areas.outreach import OutreachPlan, Selection
    from bestaanszekerheid.pipeline import AnalysisResult

SECTION_ID = "waar-wonen-ze"
#: Always with the maps and the CBS comparison (CC BY 4.0 asks for the source).
ATTRIBUTION = "Bron: CBS (wijk- en buurtindeling 2024; Kerncijfers Wijken en Buurten), CC BY 4.0"
#: Width of the narrow map a phone gets (ADR 0071: a desktop map scaled down is unreadable).
NARROW_WIDTH = 340
GROUP_MAP_WIDTH = 340
TOP_WIJKEN = 3
YOUNG_TOP = 8
HIDDEN_NOTE = f"x: niet gepubliceerd ({TOO_FEW})."
#: The key of the whole target group's outreach plan (``AnalysisResult.outreach``).
TARGET_PLAN = DEFAULT_GROUP
INDEX_LABEL = "Ten opzichte van\nde hele doelgroep"


def areas_section(result: AnalysisResult, plan: str = TARGET_PLAN) -> Section | None:
    """The section, or None when the run has no figures per wijk.

    ``plan``: whose outreach plan the section shows, the whole target group's (the report)
    or a group's ("Groep 3", ``bsz wijken --groep 3``); a key of ``result.outreach`` or of a
    group of ``result.profiles``."""
    areas = result.areas
    if areas is None or "wijk" not in areas.levels:
        return None
    wijk = areas.levels["wijk"]
    synthetic = (
        " De huishoudens zijn verzonnen (synthetische gegevens)." if result.synthetic else ""
    )
    if wijk.households_table is None or wijk.target_table is None:
        # A refused table has no published figures: no map and no table of x's (a reader, or
        # an attacker, would take them for a released table).
        blocks: list[Block] = [
            Paragraph(
                "De aantallen per wijk konden niet worden gepubliceerd (te weinig huishoudens "
                f"per wijk).{synthetic}"
            )
        ]
    else:
        blocks = [
            Paragraph(
                "Waar wonen de huishoudens uit de doelgroep? Voor een wijkgerichte aanpak tellen "
                "de wijken waar een groot deel van de huishoudens een laag inkomen heeft "
                f"(gemiddeld {fmt_pct(areas.overall_share, 1)} van alle huishoudens).{synthetic}"
            ),
            _share_map(areas, wijk),
            Paragraph(ATTRIBUTION + "."),
        ]
    subsections = [
        s
        for s in (
            _groups_subsection(result, areas, wijk),
            _outreach_subsection(result, plan),
            _young_subsection(areas, wijk),
            _cbs_subsection(result, areas, wijk),
        )
        if s is not None
    ]
    return Section(SECTION_ID, "Waar wonen ze?", tuple(blocks), tuple(subsections))


def _code_label(name: object, code: object) -> str:
    # "Naam (code)": the red team and readers take the code from the parentheses.
    return f"{name} ({code})"


def _values(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The maps' input: value and status by code."""
    return pd.DataFrame(
        {"value": frame[column].astype(float).to_numpy(), "status": frame["status"].to_numpy()},
        index=pd.Index(frame["code"].astype(str), name="code"),
    )


def _map_svgs(
    areas: AreaFigures, values: pd.DataFrame, *, measure: maps.Measure, title: str, label: str
) -> tuple[str, str]:
    """The desktop map and the narrow one for phones."""
    catalog = areas.catalog
    wide = maps.choropleth(catalog, "wijk", values, measure=measure, title=title, value_label=label)
    narrow = maps.choropleth(
        catalog, "wijk", values, measure=measure, title=title, value_label=label,
        width=NARROW_WIDTH,
    )  # fmt: skip
    return maps.map_svg(wide), maps.map_svg(narrow)


def _share_map(areas: AreaFigures, wijk: AreaLevel) -> Chart | Table:
    frame = wijk.target
    overall = areas.overall_share
    table = Table(
        # The key of the former wijk table: readers of the bundle (and the red team) know it.
        key="doelgroep-per-wijk",
        title="Doelgroep per wijk",
        columns=("Wijk", "Alle huishoudens", "In de doelgroep", "Aandeel doelgroep", "Index"),
        rows=tuple(
            (
                Cell(_code_label(r["name"], r["code"])),
                Cell(as_float(r["households"]), "int"),
                Cell(as_float(r["target"]), "int"),
                Cell(as_float(r["share"]), "pct"),
                Cell(as_float(r["index"]), "num2"),
            )
            for r in frame.to_dict("records")
        ),
        sources=tuple(t.name for t in (wijk.households_table, wijk.target_table) if t is not None),
        kind="checked",
        note=(
            f"Aandeel: van alle huishoudens in de wijk. Index: het aandeel gedeeld door het "
            f"gemiddelde over alle wijken ({fmt_pct(overall, 1)}); 1 = gemiddeld. {HIDDEN_NOTE}"
        ),
    )
    if not areas.catalog.has_geometry("wijk"):
        return table  # no polygons (a catalogue from StatLine alone): the table, no map
    title = "Aandeel huishoudens in de doelgroep per wijk"
    wide, narrow = _map_svgs(
        areas, _values(frame, "share"), measure="share", title=title,
        label="Aandeel van alle\nhuishoudens",
    )  # fmt: skip
    known = frame.dropna(subset=["share"]).sort_values(["share", "code"], ascending=[False, True])
    top = known.head(TOP_WIJKEN).to_dict("records")
    hidden = int(frame["share"].isna().sum())
    alt = (
        f"Kaart van het aandeel huishoudens in de doelgroep per wijk (gemiddeld "
        f"{fmt_pct(overall, 1)}). Het hoogst: "
        + "; ".join(f"{r['name']} {fmt_pct(as_float(r['share']), 1)}" for r in top)
        + "."
        + (f" {hidden} wijk(en) zonder cijfer ({TOO_FEW})." if hidden else "")
        + " De cijfers per wijk staan in de tabel bij de kaart."
    )
    return Chart(
        key="kaart-doelgroep-per-wijk", title=title, svg=wide, alt=alt, table=table,
        narrow_svg=narrow,
    )  # fmt: skip


def top_text(own: pd.DataFrame) -> str:
    """The wijken where a group lives relatively most often, in one sentence."""
    known = own.dropna(subset=["index"]).sort_values(["index", "code"], ascending=[False, True])
    top = [r for r in known.head(TOP_WIJKEN).to_dict("records") if as_float(r["index"]) > 1]
    if not top:
        return "In geen enkele wijk woont deze groep duidelijk vaker dan gemiddeld."
    parts = [
        f"{r['name']} ({'≥ ' if r['band'] else ''}{fmt_num(as_float(r['index']), 2)})" for r in top
    ]
    return f"Relatief vaak in {join_nl(parts)}."


def group_figures(areas: AreaFigures | None) -> pd.DataFrame | None:
    """The groups' published figures per wijk (``AreaLevel.groups``), or None when there are
    none to show: no wijk figures, or the register refused the area model check (the
    estimates) or the wijk counts they rest on. The report's group maps and the persona
    cards' maps are drawn only from these."""
    wijk = areas.levels.get("wijk") if areas is not None else None
    if areas is None or wijk is None:
        return None
    if wijk.groups.empty or areas.model_check is None or wijk.target_table is None:
        return None
    return wijk.groups


def group_index_svg(
    areas: AreaFigures, own: pd.DataFrame, title: str, *, small: bool = False
) -> str:
    """The map of one group's index per wijk (``own``: its rows of :func:`group_figures`),
    its top wijken outlined; ``small``: the thumbnail of a persona card (no title, a legend of
    words beside the map, so that the picture is wide and low)."""
    return maps.map_svg(
        maps.choropleth(
            areas.catalog, "wijk", _values(own, "index"), measure="index", title=title,
            value_label=INDEX_LABEL, width=None if small else GROUP_MAP_WIDTH, small=small,
            small_legend="right", highlight=_top_codes(own),
        )
    )  # fmt: skip


def _groups_subsection(
    result: AnalysisResult, areas: AreaFigures, wijk: AreaLevel
) -> Section | None:
    groups = group_figures(areas)
    if groups is None or areas.model_check is None or wijk.target_table is None:
        return None  # the estimates (or the counts they rest on) were not released
    sources = [areas.model_check.name, wijk.target_table.name]
    mapped = areas.catalog.has_geometry("wijk")
    blocks: list[Block] = []
    for g in result.profiles.groups:
        own = groups[groups["groep"] == g.key]
        if own.empty:
            continue
        title = f"{g.key}: {g.name}"
        line = top_text(own)
        table = Table(
            key=f"kaart-index-{g.number}",
            title=f"{g.key}: oververtegenwoordiging per wijk",
            columns=("Wijk", "Aandeel deze groep", "Index"),
            rows=tuple(
                (
                    Cell(_code_label(r["name"], r["code"])),
                    Cell(str(r["band"])) if r["band"] else Cell(as_float(r["share"]), "pct"),
                    Cell("≥ " + fmt_num(as_float(r["index"]), 2))
                    if r["band"] and not math.isnan(as_float(r["index"]))
                    else Cell(as_float(r["index"]), "num2"),
                )
                for r in own.to_dict("records")
            ),
            sources=tuple(sources),
            kind="estimate",
            note="Aandeel: van de doelgroep in de wijk. Index: dat aandeel gedeeld door het "
            f"aandeel van de groep in de hele doelgroep; 1 = even vaak. {HIDDEN_NOTE}",
            collapsed=mapped,
        )
        if not mapped:
            blocks += [table, Paragraph(line)]
            continue
        blocks.append(
            Chart(
                key=f"kaart-groep-{g.number}",
                title=title,
                svg=group_index_svg(areas, own, title),
                alt=f"Kaart van de oververtegenwoordiging van {g.key} ({g.name}) per wijk. "
                f"{line} De cijfers per wijk staan in de tabel bij de kaart.",
                table=table,
            )
        )
        blocks.append(Paragraph(line))
    return Section(
        "waar-wonen-de-groepen",
        "Waar wonen de groepen?",
        tuple(blocks),
        lead=(
            "Per groep: in welke wijken de groep vaker (oranje) of minder vaak (blauw) voorkomt "
            "dan in de hele doelgroep. De dik omlijnde wijken hebben de hoogste index."
            if mapped
            else "Per groep: in welke wijken de groep vaker of minder vaak voorkomt dan in de "
            "hele doelgroep (index; 1 = even vaak)."
        ),
    )


def _top_codes(own: pd.DataFrame) -> list[str]:
    known = own.dropna(subset=["index"]).sort_values(["index", "code"], ascending=[False, True])
    return [str(c) for c, i in zip(known["code"], known["index"], strict=True) if i > 1][
        :TOP_WIJKEN
    ]


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
            Cell(_code_label(r["buurt"], r["buurtcode"])),
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


def _outreach_subsection(result: AnalysisResult, key: str = TARGET_PLAN) -> Section | None:
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


def _young_subsection(areas: AreaFigures, wijk: AreaLevel) -> Section | None:
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
            (Cell(_code_label(name, code)), Cell(n, "int"), Cell(t, "int"), Cell(s, "pct"))
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


def _cbs_subsection(result: AnalysisResult, areas: AreaFigures, wijk: AreaLevel) -> Section:
    figures = areas.catalog.figures("wijk")
    column = "kwb2022_huishoudens"
    blocks: list[Block] = []
    if column in figures.columns:
        ours = wijk.target.set_index("code")["households"].astype(float)
        cbs = figures[column].astype(float).reindex(ours.index)
        both = pd.DataFrame({"ours": ours, "cbs": cbs}).dropna()
        if not both.empty:
            # Shares of the city's households, not counts: a synthetic or partial file has
            # fewer households than the city, and what matters is whether the spread matches.
            ours_share = 100 * both["ours"] / both["ours"].sum()
            cbs_share = 100 * both["cbs"] / both["cbs"].sum()
            gap = (ours_share - cbs_share).abs()
            worst = str(gap.idxmax())
            name = areas.catalog.names("wijk").get(worst, worst)
            text = (
                f"Ons bestand telt {fmt_int(both['ours'].sum())} huishoudens in de "
                f"{len(both)} wijken met een gepubliceerd aantal; CBS telde er in 2022 "
                f"{fmt_int(both['cbs'].sum())} (Kerncijfers Wijken en Buurten). "
            )
            if float(gap.max()) < 0.05:
                # Both would round to the same share: say so rather than "4,7% tegen 4,7%".
                text += (
                    "Over de wijken verdeeld komt ons bestand overeen met CBS: in geen wijk "
                    "scheelt het aandeel 0,1 procentpunt of meer."
                )
            else:
                text += (
                    f"Over de wijken verdeeld wijkt ons bestand het meest af in {name}: "
                    f"{fmt_pct(float(ours_share[worst]), 1)} van onze huishoudens tegen "
                    f"{fmt_pct(float(cbs_share[worst]), 1)} bij CBS."
                )
            blocks.append(Paragraph(text))
    blocks.append(
        Paragraph(
            "CBS publiceert in de meegeleverde gegevens geen cijfer over een laag inkomen per "
            "wijk. Onze doelgroep is zelf bepaald: huishoudens met een inkomen tot en met "
            f"{fmt_num(result.target.max_pct, 0)}% van het sociaal minimum. Vergelijk de "
            "aandelen daarom niet met andere armoedecijfers."
        )
    )
    if result.synthetic:
        blocks.append(
            Callout(
                "Synthetische gegevens: de verzonnen huishoudens zijn naar de CBS-cijfers "
                "gemaakt, dus de overeenkomst zegt niets over een echt bestand.",
                "warning",
            )
        )
    # One source line: a catalogue of another source than CBS is credited as well.
    if "CBS" not in areas.catalog.attribution:
        blocks.append(Paragraph(areas.catalog.attribution.rstrip(".") + "."))
    blocks.append(Paragraph(ATTRIBUTION + "."))
    return Section("cbs-vergelijking", "Onze cijfers naast die van CBS", tuple(blocks))
