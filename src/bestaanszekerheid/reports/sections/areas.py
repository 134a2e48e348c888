"""'Waar wonen ze?': maps of the target share and each group's index per wijk, and our
figures beside CBS's; the outreach plan and young children per wijk come from
:mod:`bestaanszekerheid.reports.sections.outreach`.

Everything shown was published before the report (ADR 0040): the per-wijk figures of
:class:`~bestaanszekerheid.areas.distribution.AreaFigures`, the plans of
:mod:`bestaanszekerheid.areas.outreach`; :mod:`bestaanszekerheid.areas.maps` draws (ADR 0071).
This module only picks, orders and words them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from bestaanszekerheid.areas import maps
from bestaanszekerheid.areas.distribution import TOO_FEW, AreaFigures, AreaLevel
from bestaanszekerheid.defaults import MIN_TOP_REACH, OVER_REPRESENTED
from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.reports.sections.common import as_float, date_nl, join_nl
from bestaanszekerheid.reports.sections.outreach import (
    HIDDEN_NOTE,
    TARGET_PLAN,
    code_label,
    outreach_subsection,
    young_children_subsection,
)
from bestaanszekerheid.reports.sections.partners import partners_subsection
from bestaanszekerheid.reports.tree import (
    Block,
    Callout,
    Cell,
    Chart,
    MapKey,
    Paragraph,
    Section,
    Table,
)

if TYPE_CHECKING:
    from bestaanszekerheid.areas.catalog import Level
    from bestaanszekerheid.pipeline import AnalysisResult

SECTION_ID = "waar-wonen-ze"
#: Always with the maps and the CBS comparison (CC BY 4.0 asks for the source).
ATTRIBUTION = "Bron: CBS (wijk- en buurtindeling 2024; Kerncijfers Wijken en Buurten), CC BY 4.0"
#: Width of the narrow map a phone gets (ADR 0071: a desktop map scaled down is unreadable).
NARROW_WIDTH = 340
#: Width of a map drawn for paper, its legend beside it, printed at its own size (1 px =
#: 0.75 pt: the legend at 9 pt; the screen's map, shrunk to fit, printed it at 5.7 pt).
PRINT_WIDTH = 330
#: A group's map on paper: four in a row (about 44 mm each), one key for all (:class:`MapKey`).
PRINT_GROUP_WIDTH = 156
TOP_WIJKEN = 3
#: Wijken numbered on the share map and listed under it.
TOP_SHARE = 5
OVER = OVER_REPRESENTED
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
                "Waar wonen de huishoudens uit de doelgroep: huishoudens met een besteedbaar "
                f"inkomen tot en met {fmt_num(result.target.max_pct, 0)}% van het sociaal "
                f"minimum op {date_nl(result.target.on)}? Voor een wijkgerichte aanpak tellen "
                "de wijken waar een groot deel van de huishoudens zo'n laag inkomen heeft "
                f"(gemiddeld {fmt_pct(areas.overall_share, 1)} van alle huishoudens).{synthetic}"
            ),
            _share_map(areas, wijk),
            Paragraph(
                "De aantallen komen uit het bestand van deze analyse, niet van CBS. Kaart en "
                f"wijkindeling: {ATTRIBUTION}."
            ),
        ]
    subsections = [
        s
        for s in (
            _buurt_subsection(areas),
            _groups_subsection(result, areas, wijk),
            outreach_subsection(result, plan),
            young_children_subsection(areas, wijk),
            partners_subsection(
                result.outreach.get(plan),
                result.partners,
                areas.catalog,
                most=[str(r["code"]) for r in _ranked(wijk.target, "target", TOP_WIJKEN)],
            ),
            _cbs_subsection(result, areas, wijk),
        )
        if s is not None
    ]
    return Section(SECTION_ID, "Waar wonen ze?", tuple(blocks), tuple(subsections))


def _values(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The maps' input: value and status by code."""
    return pd.DataFrame(
        {"value": frame[column].astype(float).to_numpy(), "status": frame["status"].to_numpy()},
        index=pd.Index(frame["code"].astype(str), name="code"),
    )


def _map_svgs(
    areas: AreaFigures,
    values: pd.DataFrame,
    *,
    measure: maps.Measure,
    title: str,
    label: str,
    marked: list[str],
    level: Level = "wijk",
) -> tuple[str, str]:
    """The desktop map and the narrow one for phones; ``marked`` (codes) outlined and
    numbered 1, 2, ... as in the list under the map. No title inside the picture: the
    report's caption has it."""
    numbers = _numbers(marked, level)

    def draw(width: int | None) -> str:
        return maps.map_svg(
            maps.choropleth(
                areas.catalog, level, values, measure=measure, title=title, value_label=label,
                width=width, highlight=marked, labels=numbers, heading=False,
            )
        )  # fmt: skip

    return draw(None), draw(NARROW_WIDTH)


def _numbers(marked: Sequence[str], level: Level) -> dict[str, str]:
    """The numbers written in the ``marked`` areas, 1, 2, ... as in the text under the map.
    Buurten are too small for numbers (the highest shares are often neighbours): outlined
    only, and the text under the map names them."""
    return {code: str(i) for i, code in enumerate(marked, start=1)} if level == "wijk" else {}


def _paper_map(
    areas: AreaFigures,
    values: pd.DataFrame,
    *,
    measure: maps.Measure,
    title: str,
    label: str,
    marked: list[str],
    level: Level = "wijk",
    legend: Literal["beside", "below", "none"] = "beside",
) -> maps.MapChart:
    """The map drawn for paper at the size it is printed: ``PRINT_WIDTH`` wide with its
    legend beside it, or one of the maps printed four in a row (``PRINT_GROUP_WIDTH``),
    with its legend below it or none (``"none"``: :class:`MapKey` has it, and the source)."""
    return maps.choropleth(
        areas.catalog, level, values, measure=measure, title=title, value_label=label,
        width=PRINT_WIDTH if legend == "beside" else PRINT_GROUP_WIDTH, highlight=marked,
        labels=_numbers(marked, level), heading=False, paper=legend != "below",
        legend=legend != "none",
    )  # fmt: skip


def _ranked(frame: pd.DataFrame, column: str, n: int) -> list[dict[str, Any]]:
    """The ``n`` areas with the highest published ``column`` (ties by code)."""
    known = frame.dropna(subset=[column]).sort_values([column, "code"], ascending=[False, True])
    return [{str(k): v for k, v in r.items()} for r in known.head(n).to_dict("records")]


def _share_key(lv: AreaLevel) -> tuple[str, ...]:
    """What the map says in words, printed with it: the areas with the highest share
    (numbered on a wijk map, outlined on a buurt map), and those where most households of the
    target group live (counts: a small area can have a high share and few households)."""
    frame = lv.target
    top = _ranked(frame, "share", TOP_SHARE)
    if not top:
        return ()
    numbered = "; ".join(
        f"{i}. {r['name']} {fmt_pct(as_float(r['share']), 1)}" for i, r in enumerate(top, 1)
    )
    most = _ranked(frame, "target", TOP_WIJKEN)
    total = lv.target_table.published(TOTAL) if lv.target_table is not None else math.nan
    counted = " ".join(
        [
            "De meeste huishoudens uit de doelgroep wonen in",
            join_nl([f"{r['name']} ({fmt_int(as_float(r['target']))})" for r in most]) + ".",
        ]
    )
    if not math.isnan(total):
        counted += f" In de hele gemeente zijn het er {fmt_int(total)}."
    on_map = "genummerd op de kaart" if lv.level == "wijk" else "dik omlijnd op de kaart"
    return f"Het hoogste aandeel ({on_map}): {numbered}.", counted


def _share_map(areas: AreaFigures, lv: AreaLevel) -> Chart | Table:
    level = lv.level
    frame = lv.target
    overall = areas.overall_share
    where = "wijk" if level == "wijk" else "buurt"
    table = Table(
        # The key of the former wijk table: readers of the bundle (and the red team) know it.
        key=f"doelgroep-per-{where}",
        title=f"Doelgroep per {where}",
        columns=(
            where.capitalize(),
            "Alle huishoudens",
            "In de doelgroep",
            "Aandeel doelgroep",
            "Index",
        ),
        rows=tuple(
            (
                Cell(code_label(r["name"], r["code"])),
                Cell(as_float(r["households"]), "int"),
                Cell(as_float(r["target"]), "int"),
                Cell(as_float(r["share"]), "pct"),
                Cell(as_float(r["index"]), "num2"),
            )
            for r in frame.to_dict("records")
        ),
        sources=tuple(t.name for t in (lv.households_table, lv.target_table) if t is not None),
        narrow=True,
        kind="checked",
        note=(
            f"Aandeel: van alle huishoudens in de {where}. Index: het aandeel gedeeld door het "
            f"gemiddelde over de hele gemeente ({fmt_pct(overall, 1)}); 1 = gemiddeld. "
            f"{HIDDEN_NOTE}"
        ),
    )
    if not areas.catalog.has_geometry(level):
        return table  # no polygons (a catalogue from StatLine alone): the table, no map
    title = f"Aandeel huishoudens in de doelgroep per {where}"
    marked = [str(r["code"]) for r in _ranked(frame, "share", TOP_SHARE)]
    values, label = _values(frame, "share"), "Aandeel van alle\nhuishoudens"
    wide, narrow = _map_svgs(
        areas, values, measure="share", title=title, label=label, marked=marked, level=level
    )
    paper = maps.map_svg(
        _paper_map(
            areas, values, measure="share", title=title, label=label, marked=marked, level=level
        )
    )
    hidden = int(frame["share"].isna().sum())
    alt = (
        f"Kaart van het aandeel huishoudens in de doelgroep per {where} (gemiddeld "
        f"{fmt_pct(overall, 1)}). Het hoogst: "
        + "; ".join(
            f"{r['name']} {fmt_pct(as_float(r['share']), 1)}"
            for r in _ranked(frame, "share", TOP_SHARE)
        )
        + "."
        + (f" {hidden} {where}(en) zonder cijfer ({TOO_FEW})." if hidden else "")
        + f" De cijfers per {where} staan in de tabel bij de kaart."
    )
    return Chart(
        key=f"kaart-doelgroep-per-{where}", title=title, svg=wide, alt=alt, table=table,
        narrow_svg=narrow, print_svg=paper, inline=True, text=_share_key(lv),
    )  # fmt: skip


def _buurt_subsection(areas: AreaFigures) -> Section | None:
    """The target share per buurt, when the run published buurt figures (``--niveau
    buurt``): where in a wijk to start."""
    buurt = areas.levels.get("buurt")
    if buurt is None:
        return None
    if areas.plan_level != "buurt":
        # Asked for, and refused: say so, rather than leave the buurten out without a word.
        return Section(
            "doelgroep-per-buurt-sectie",
            "Per buurt",
            (
                Paragraph(
                    "De aantallen per buurt konden niet worden gepubliceerd: met zo weinig "
                    "huishoudens per buurt zouden ze, naast de cijfers per wijk, kleine aantallen "
                    "verraden (onthullingscontrole). Het bereikplan gebruikt daarom de wijken. "
                    "Met --kleine-buurten-samenvoegen worden kleine buurten per wijk "
                    "samengenomen; bij een groter bestand lukt het vaak wel."
                ),
            ),
        )
    hidden = int(buurt.target["share"].isna().sum())
    lead = (
        "Binnen een wijk verschilt het per buurt. Buurten zijn klein: "
        f"{hidden} van de {len(buurt.target)} buurten hebben te weinig huishoudens om een "
        "cijfer te tonen (gearceerd); hun huishoudens tellen wel mee in de cijfers per wijk."
        if hidden
        else "Binnen een wijk verschilt het per buurt."
    )
    return Section(
        "doelgroep-per-buurt-sectie",
        "Per buurt",
        (Paragraph(lead), _share_map(areas, buurt)),
    )


def top_text(own: pd.DataFrame, *, numbered: bool = False, where: str = "wijk") -> str:
    """Where a group lives, in two sentences: the wijken where it lives relatively often
    (index from :data:`OVER_REPRESENTED` on, the maps' "vaker"), and those where most of its
    households live (expected counts: an index says nothing about how many). ``numbered``:
    the first wijken numbered as on the report's map."""
    top = _over_represented(own)
    if top:
        parts = [
            f"{f'{i}. ' if numbered else ''}{r['name']} ({'≥ ' if r['band'] else ''}"
            f"{fmt_num(as_float(r['index']), 2)} keer zo vaak"
            + (f", ongeveer {fmt_int(as_float(r['reach']))} huishoudens)" if not r["band"] else ")")
            for i, r in enumerate(top, 1)
        ]
        text = f"Relatief vaak (geschat) in {join_nl(parts)}."
    else:
        text = (
            f"In geen enkele {where} met ten minste {MIN_TOP_REACH} huishoudens van deze groep "
            "woont de groep duidelijk vaker dan gemiddeld."
        )
    most = _ranked(own[own["band"] == ""], "reach", TOP_WIJKEN)
    if most:
        text += (
            " De meeste huishoudens van deze groep wonen naar verwachting in "
            + join_nl([f"{r['name']} (ongeveer {fmt_int(as_float(r['reach']))})" for r in most])
            + "."
        )
    return text


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
    areas: AreaFigures,
    own: pd.DataFrame,
    title: str,
    *,
    small: bool = False,
    legend: Literal["bottom", "right"] = "right",
) -> str:
    """The map of one group's index per wijk (``own``: its rows of :func:`group_figures`),
    its top wijken outlined; ``small``: the thumbnail of a persona card (no title, a legend of
    words beside the map, or below it with ``legend="bottom"``)."""
    return maps.map_svg(
        maps.choropleth(
            areas.catalog, "wijk", _values(own, "index"), measure="index", title=title,
            value_label=INDEX_LABEL, small=small, small_legend=legend,
            highlight=_top_codes(own),
        )
    )  # fmt: skip


def _index_table(
    own: pd.DataFrame,
    *,
    key: str,
    title: str,
    where: str,
    sources: Sequence[str],
    collapsed: bool = True,
) -> Table:
    """One group's share and index per area, as published (bands as their text)."""
    return Table(
        key=key,
        title=title,
        columns=(where.capitalize(), "Aandeel deze groep", "Index"),
        rows=tuple(
            (
                Cell(code_label(r["name"], r["code"])),
                Cell(str(r["band"])) if r["band"] else Cell(as_float(r["share"]), "pct"),
                Cell("≥ " + fmt_num(as_float(r["index"]), 2))
                if r["band"] and not math.isnan(as_float(r["index"]))
                else Cell(as_float(r["index"]), "num2"),
            )
            for r in own.to_dict("records")
        ),
        sources=tuple(sources),
        narrow=True,
        kind="estimate",
        note=f"Aandeel: van de doelgroep in de {where}. Index: dat aandeel gedeeld door het "
        f"aandeel van de groep in de hele doelgroep; 1 = even vaak. {HIDDEN_NOTE}",
        collapsed=collapsed,
    )


def _groups_subsection(
    result: AnalysisResult, areas: AreaFigures, wijk: AreaLevel
) -> Section | None:
    groups = group_figures(areas)
    if groups is None or areas.model_check is None or wijk.target_table is None:
        return None  # the estimates (or the counts they rest on) were not released
    sources = [areas.model_check.name, wijk.target_table.name]
    mapped = areas.catalog.has_geometry("wijk")
    blocks: list[Block] = []
    drawn: list[tuple[Chart, PaperMap]] = []
    for g in result.profiles.groups:
        own = groups[groups["groep"] == g.key]
        if own.empty:
            continue
        if not mapped:
            table = _index_table(
                own, key=f"kaart-index-{g.number}",
                title=f"{g.key}: oververtegenwoordiging per wijk", where="wijk", sources=sources,
                collapsed=False,
            )  # fmt: skip
            blocks += [table, Paragraph(top_text(own))]
            continue
        drawn.append(_group_chart(areas, own, g.key, g.number, g.name, sources, "wijk"))
        per_buurt = _group_buurt_chart(areas, g.key, g.number, g.name, sources)
        if per_buurt is not None:
            drawn.append(per_buurt)
    if drawn:
        blocks += _on_paper(areas, drawn)
    return Section(
        "waar-wonen-de-groepen",
        "Waar wonen de groepen?",
        tuple(blocks),
        lead=(
            "Per groep: in welke wijken de groep vaker (paars) of minder vaak (groen) voorkomt "
            "dan in de hele doelgroep. De dik omlijnde, genummerde wijken zijn die waar de groep "
            "het vaakst voorkomt (de nummers staan in de tekst onder de kaart)."
            if mapped
            else "Per groep: in welke wijken de groep vaker of minder vaak voorkomt dan in de "
            "hele doelgroep (index; 1 = even vaak)."
        ),
    )


#: A group's map for paper: drawn without a legend (True: one key for all) or with it.
PaperMap = Callable[[bool], maps.MapChart]


def _on_paper(areas: AreaFigures, drawn: Sequence[tuple[Chart, PaperMap]]) -> list[Block]:
    """The group maps with their maps for paper, four in a row with one key under them
    (eight legends at 2 pt before): the maps share their classes
    (:data:`~bestaanszekerheid.areas.maps.INDEX_BREAKS`) and greys. Each with its own legend
    if they do not (a grey for another status on one map)."""
    sheet = [paper(True) for _, paper in drawn]
    entries = maps.shared_legend(sheet)
    if entries is None:
        sheet = [paper(False) for _, paper in drawn]
    blocks: list[Block] = [
        dataclasses.replace(chart, print_svg=maps.map_svg(m))
        for (chart, _), m in zip(drawn, sheet, strict=True)
    ]
    if entries is not None:
        blocks.append(
            MapKey(
                title=INDEX_LABEL.replace("\n", " "),
                entries=tuple(
                    (maps.swatch_svg(colour, f"groepen-{i}"), label)
                    for i, (label, colour) in enumerate(entries)
                ),
                note=maps.boundary_attribution(areas.catalog) + ".",
            )
        )
    return blocks


def _group_buurt_chart(
    areas: AreaFigures, key: str, number: int, name: str, sources: Sequence[str]
) -> tuple[Chart, PaperMap] | None:
    """One group's index per buurt, when the run published buurt estimates with polygons."""
    buurt = areas.levels.get("buurt")
    if buurt is None or buurt.target_table is None or not areas.catalog.has_geometry("buurt"):
        return None
    own = buurt.groups[buurt.groups["groep"] == key] if not buurt.groups.empty else buurt.groups
    if own.empty:
        return None
    sources = (*sources[:1], buurt.target_table.name)
    return _group_chart(areas, own, key, number, name, sources, "buurt")


def _group_chart(
    areas: AreaFigures,
    own: pd.DataFrame,
    key: str,
    number: int,
    name: str,
    sources: Sequence[str],
    level: Level,
) -> tuple[Chart, PaperMap]:
    """One group's index per wijk or buurt as a map, with its table and the key in words
    (wijken numbered as on the map; buurten outlined only, see :func:`_map_svgs`); and its
    map for paper, to draw (:func:`_on_paper`)."""
    where = "wijk" if level == "wijk" else "buurt"
    suffix = f"{number}" if level == "wijk" else f"buurt-{number}"
    title = f"{key}: {name}" if level == "wijk" else f"{key} per buurt"
    table = _index_table(
        own, key=f"kaart-index-{suffix}", title=f"{key}: oververtegenwoordiging per {where}",
        where=where, sources=sources,
    )  # fmt: skip
    values, marked = _values(own, "index"), _top_codes(own)
    wide, narrow = _map_svgs(
        areas, values, measure="index", title=title, label=INDEX_LABEL, marked=marked,
        level=level,
    )  # fmt: skip

    def paper(shared: bool) -> maps.MapChart:
        return _paper_map(
            areas, values, measure="index", title=title, label=INDEX_LABEL, marked=marked,
            level=level, legend="none" if shared else "below",
        )  # fmt: skip

    chart = Chart(
        key=f"kaart-groep-{suffix}",
        title=title,
        svg=wide,
        narrow_svg=narrow,
        inline=True,
        alt=f"Kaart van de oververtegenwoordiging van {key} ({name}) per {where}. "
        f"{top_text(own, where=where)} De cijfers per {where} staan in de tabel bij de kaart.",
        table=table,
        text=(top_text(own, numbered=level == "wijk", where=where),),
    )
    return chart, paper


def _over_represented(own: pd.DataFrame) -> list[dict[str, Any]]:
    """The areas where the group lives relatively often (index from :data:`OVER`), highest
    first, among those where it has at least :data:`MIN_TOP_REACH` expected households (a
    high index over a dozen households is no place to start); a banded row counts (its
    lower bound is published, its reach is not)."""
    big = own[(own["band"] != "") | (own["reach"].astype(float) >= MIN_TOP_REACH)]
    return [r for r in _ranked(big, "index", TOP_WIJKEN) if as_float(r["index"]) >= OVER]


def _top_codes(own: pd.DataFrame) -> list[str]:
    """The wijken :func:`top_text` names as "relatief vaak", in its order."""
    return [str(r["code"]) for r in _over_represented(own)]


#: The municipality's share of households "onder of rond het sociaal minimum" in the
#: catalogue (KWB 2022, gemeente row), CBS's nearest indicator to our target group.
CBS_LOW_INCOME = "kwb2022_pct_huish_onder_of_rond_sociaal_minimum"


def _cbs_subsection(result: AnalysisResult, areas: AreaFigures, wijk: AreaLevel) -> Section:
    figures = areas.catalog.figures("wijk")
    column = "kwb2022_huishoudens"
    blocks: list[Block] = []
    if column in figures.columns:
        ours = wijk.target.set_index("code")["households"].astype(float)
        cbs = figures[column].astype(float).reindex(ours.index)
        both = pd.DataFrame({"ours": ours, "cbs": cbs}).dropna()
        if not both.empty:
            blocks.append(Paragraph(_households_text(areas, wijk, both)))
    blocks.append(_definitions(result, areas))
    blocks.append(
        Paragraph(
            "Onze doelgroep is dus ruimer dan CBS' huishoudens onder of rond het sociaal "
            "minimum: vergelijk de aandelen niet één op één, en niet met andere armoedecijfers. "
            "Per wijk publiceert CBS deze inkomenscijfers voor deze gemeente niet in de "
            "meegeleverde gegevens; een vergelijking per wijk is er daarom niet."
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


def _households_text(areas: AreaFigures, wijk: AreaLevel, both: pd.DataFrame) -> str:
    """Our households per wijk against CBS's count: the totals (and why ours over the
    published wijken is less than the file's), then the largest gap in the spread."""
    all_table = wijk.households_table
    total = all_table.published(TOTAL) if all_table is not None else math.nan
    ours = wijk.target["households"].astype(float)
    text = f"Ons bestand telt {fmt_int(total)} huishoudens" if not math.isnan(total) else ""
    hidden = int(ours.isna().sum())
    if hidden:
        text += (
            f"; {fmt_int(ours.sum())} daarvan wonen in de {int(ours.notna().sum())} wijken met "
            f"een gepubliceerd aantal. De rest woont in {hidden} wijk(en) met te weinig "
            "huishoudens om apart te tonen"
        )
    text = (text + ". ") if text else ""
    # Shares of the city's households, not counts: a synthetic or partial file has fewer
    # households than the city, and what matters is whether the spread matches.
    ours_share = 100 * both["ours"] / both["ours"].sum()
    cbs_share = 100 * both["cbs"] / both["cbs"].sum()
    gap = (ours_share - cbs_share).abs()
    worst = str(gap.idxmax())
    name = areas.catalog.names("wijk").get(worst, worst)
    text += (
        f"CBS telde in 2022 {fmt_int(both['cbs'].sum())} huishoudens in dezelfde "
        f"{len(both)} wijken (Kerncijfers Wijken en Buurten 2022, wijkindeling "
        f"{areas.catalog.year}). "
    )
    if float(gap.max()) < 0.05:
        # Both would round to the same share: say so rather than "4,7% tegen 4,7%".
        return text + (
            "Over de wijken verdeeld komt ons bestand overeen met CBS: in geen wijk scheelt "
            "het aandeel 0,1 procentpunt of meer."
        )
    return text + (
        f"Over de wijken verdeeld wijkt ons bestand het meest af in {name}: "
        f"{fmt_pct(float(ours_share[worst]), 1)} van onze huishoudens tegen "
        f"{fmt_pct(float(cbs_share[worst]), 1)} bij CBS."
    )


def _definitions(result: AnalysisResult, areas: AreaFigures) -> Table:
    """Our target group and CBS's nearest indicator side by side: what is counted, among
    whom, when, and the share for the whole municipality."""
    cbs = areas.catalog.municipality_figures.get(CBS_LOW_INCOME, math.nan)
    cbs_share = "niet in de gegevens" if math.isnan(cbs) else fmt_pct(cbs, 0)
    wijk = areas.levels["wijk"]
    sources = tuple(t.name for t in (wijk.households_table, wijk.target_table) if t is not None)
    rows = (
        (
            "Wie telt mee",
            "huishoudens met een besteedbaar inkomen tot en met "
            f"{fmt_num(result.target.max_pct, 0)}% van het sociaal minimum voor hun "
            "huishoudtype (de norm van deze analyse)",
            "huishoudens met een inkomen onder of rond het sociaal minimum (CBS-definitie)",
        ),
        (
            "Onder wie",
            "alle huishoudens in het bestand",
            "particuliere huishoudens met een inkomen over het hele jaar, zonder "
            "studentenhuishoudens",
        ),
        ("Jaar", f"peildatum {date_nl(result.target.on)}", "2022"),
        ("Per wijk", "ja (deze pagina)", "niet in de meegeleverde gegevens"),
        (
            f"Aandeel in {areas.catalog.municipality_name}",
            fmt_pct(areas.overall_share, 1),
            cbs_share,
        ),
    )
    return Table(
        key="definities-cbs",
        title="Onze doelgroep en het CBS-cijfer naast elkaar",
        columns=("", "Onze doelgroep", "CBS (Kerncijfers Wijken en Buurten 2022)"),
        rows=tuple(tuple(Cell(c) for c in row) for row in rows),
        sources=sources,
        narrow=True,
        kind="checked",
    )
