"""'Waar wonen ze?': maps of the target share and each group's index per wijk, and our
figures beside CBS's; the outreach plan and young children per wijk come from
:mod:`bestaanszekerheid.reports.sections.outreach`.

Everything shown was published before the report (ADR 0040): the per-wijk figures of
:class:`~bestaanszekerheid.areas.distribution.AreaFigures`, the plans of
:mod:`bestaanszekerheid.areas.outreach`; :mod:`bestaanszekerheid.areas.maps` draws (ADR 0071).
This module only picks, orders and words them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.areas import maps
from bestaanszekerheid.areas.distribution import TOO_FEW, AreaFigures, AreaLevel
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.reports.sections.common import as_float, join_nl
from bestaanszekerheid.reports.sections.outreach import (
    HIDDEN_NOTE,
    TARGET_PLAN,
    code_label,
    outreach_subsection,
    young_children_subsection,
)
from bestaanszekerheid.reports.tree import Block, Callout, Cell, Chart, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

SECTION_ID = "waar-wonen-ze"
#: Always with the maps and the CBS comparison (CC BY 4.0 asks for the source).
ATTRIBUTION = "Bron: CBS (wijk- en buurtindeling 2024; Kerncijfers Wijken en Buurten), CC BY 4.0"
#: Width of the narrow map a phone gets (ADR 0071: a desktop map scaled down is unreadable).
NARROW_WIDTH = 340
GROUP_MAP_WIDTH = 340
TOP_WIJKEN = 3
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
            outreach_subsection(result, plan),
            young_children_subsection(areas, wijk),
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
                Cell(code_label(r["name"], r["code"])),
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
                    Cell(code_label(r["name"], r["code"])),
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
