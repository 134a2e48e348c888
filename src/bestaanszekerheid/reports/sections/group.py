"""'De groepen één voor één': one page per group (size, features, wijken, recognisability)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.areas.distribution import MODEL_CHECK, TARGET_TABLE
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.profiles import MIN_AREA_INDEX, MIN_EFFECT
from bestaanszekerheid.profiles.rule_text import rule_text
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.sections.common import (
    as_float,
    effect_cell,
    estimate_sources,
    index_text,
    share_cell,
)
from bestaanszekerheid.reports.sections.support import support_blocks
from bestaanszekerheid.reports.tree import (
    Block,
    Bullets,
    Callout,
    Cell,
    Chart,
    KeyFigures,
    Paragraph,
    Section,
    Table,
)

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import Feature, GroupProfile, ProfileSet


#: Features in a group's chart on paper: the strongest, at a readable size (8 pt).
PRINTED_FEATURES = 6


def per_group_section(result: AnalysisResult) -> Section:
    """The container section with one subsection per group."""
    return Section(
        "per-groep",
        "De groepen één voor één",
        (
            Paragraph(
                "Per groep: de omvang, een korte beschrijving, de kenmerken die de groep "
                "het meest onderscheiden van de hele doelgroep (▲ vaker, ▼ minder vaak), "
                "de wijken waar de groep relatief vaak woont, de aanknopingspunten voor "
                "ondersteuning (routes, preventie en regelingen) en hoe herkenbaar de groep "
                "is. Elke groep staat ook op een persona-kaart (persona-kaarten.pdf)."
            ),
        ),
        tuple(group_section(result.profiles, g) for g in result.profiles.groups),
    )


def group_section(profiles: ProfileSet, g: GroupProfile) -> Section:
    """One group's page."""
    blocks: list[Block] = [_key_figures(g), Paragraph(g.description)]
    if g.overridden:
        blocks.append(Callout("Naam en beschrijving zijn door de analist aangepast.", "info"))
    features = _features_chart(profiles, g)
    if features is not None:
        blocks.append(features)
    areas = _areas_chart(profiles, g)
    if areas is not None:
        blocks.append(areas)
    blocks.extend(support_blocks(profiles, g))
    blocks.append(group_distribution(profiles, g))
    blocks.append(_recognition(g))
    return Section(f"groep-{g.number}", f"{g.key}: {g.name}", tuple(blocks))


def _key_figures(g: GroupProfile) -> KeyFigures:
    rec = g.recognition
    regel = "de regel" if len(rec.rules) == 1 else "de regels"
    recognised: tuple[tuple[str, str], ...] = (
        (
            (rec.recall.text(), f"van de groep vindt {regel} (beslisboom)"),
            (rec.precision.text(), f"van wie {regel} vindt, hoort bij de groep"),
        )
        if rec.rules and not math.isnan(rec.recall.value)
        else (("–", "niet met drie vragen te herkennen"),)
    )
    return KeyFigures(
        (
            (fmt_int(g.size) if not math.isnan(g.size) else "x", "huishoudens (ongeveer)"),
            (fmt_pct(g.share, 1), "van de doelgroep"),
            *recognised,
        )
    )


def feature_rows(features: Sequence[Feature]) -> list[tuple[Cell, ...]]:
    """Distinguishing features as table rows: share (or band), whole group, h, interval."""
    return [
        (
            Cell(f"{f.label}: {f.level}"),
            Cell(f.band) if f.band else Cell(f.share_group, "pct"),
            Cell(f.share_all, "pct"),
            effect_cell(f.effect, f.band),
            Cell("–" if f.band else f"{fmt_num(f.low, 2)} tot {fmt_num(f.high, 2)}"),
        )
        for f in features
    ]


def _features_chart(profiles: ProfileSet, g: GroupProfile) -> Chart | None:
    """More and less often than in the whole target group: a dot chart and its table.

    On paper the chart shows the strongest features only, drawn at the size it prints (text
    8 pt): all of them would have to shrink to about 4 pt to fit the group's page."""
    feats = [*g.more_often, *g.less_often]
    if not feats:
        return None
    strongest = sorted(feats, key=lambda f: -abs(f.effect))[:PRINTED_FEATURES]
    on_paper = [f for f in feats if f in strongest]
    return Chart(
        key=f"kenmerken-grafiek-{g.number}",
        title="Vaker en minder vaak dan in de hele doelgroep",
        svg=charts.features_chart(_feature_points(feats)),
        print_svg=charts.features_chart(_feature_points(on_paper), paper=True),
        print_note="de sterkste kenmerken" if on_paper != feats else "",
        alt=f"Puntgrafiek: per kenmerk het aandeel in {g.key} naast de hele doelgroep. "
        + "; ".join(
            f"{f.label} {f.level}: {f.share_text()} tegen {fmt_pct(f.share_all, 1)}" for f in feats
        ),
        table=_features_table(profiles, g, feats),
    )


def _feature_points(feats: Sequence[Feature]) -> pd.DataFrame:
    """The chart's data: a point for the group and one for the whole target group."""
    data = []
    for i, f in enumerate(feats):
        label = f"{'▲' if f.effect > 0 else '▼'} {f.label}: {f.level}"
        data.append(
            {
                "kenmerk": label,
                "wie": "deze groep",
                "aandeel": f.share_group,
                "tekst": f.share_text(),
                "order": i,
            }
        )
        data.append(
            {
                "kenmerk": label,
                "wie": "hele doelgroep",
                "aandeel": f.share_all,
                "tekst": fmt_pct(f.share_all, 1),
                "order": i,
            }
        )
    return pd.DataFrame(data)


def _features_table(profiles: ProfileSet, g: GroupProfile, feats: Sequence[Feature]) -> Table:
    return Table(
        key=f"kenmerken-{g.number}",
        title=f"{g.key}: onderscheidende kenmerken",
        columns=("Kenmerk", "In deze groep", "Hele doelgroep", "Effect (h)", "95%-interval"),
        rows=tuple(feature_rows(feats)),
        sources=(
            profiles.estimates_check.name,
            *(profiles.characteristic_tables[f.column].name for f in feats),
        ),
        kind="estimate",
        note="▲ vaker, ▼ minder vaak dan in de hele doelgroep. Effect h (Cohen): vanaf "
        f"{fmt_num(MIN_EFFECT, 1)} een klein verschil, 0,5 middelgroot, 0,8 groot; alleen "
        "verschillen waarvan het 95%-interval 0 niet bevat staan erin.",
    )


def _areas_chart(profiles: ProfileSet, g: GroupProfile) -> Chart | None:
    """The six wijken with the highest index for this group: a bar chart and its table."""
    areas = profiles.areas
    own = areas[(areas["groep"] == g.key)].dropna(subset=["index"])
    own = own.sort_values(["index", "wijk_code"], ascending=[False, True]).head(6)
    if own.empty:
        return None
    records = own.to_dict("records")
    chart_data = pd.DataFrame(
        {
            "wijk": own["wijk_name"],
            "index": own["index"],
            "tekst": [index_text(i, b) for i, b in zip(own["index"], own["band"], strict=True)],
        }
    )
    area_table = Table(
        key=f"wijken-{g.number}",
        title=f"{g.key}: wijken met relatief veel huishoudens uit deze groep",
        columns=("Wijk", "Doelgroep in de wijk", "Aandeel deze groep", "Index"),
        rows=tuple(
            (
                Cell(f"{r['wijk_name']} ({r['wijk_code']})"),
                Cell(as_float(r["households"]), "int"),
                Cell(str(r["band"])) if r["band"] else Cell(as_float(r["share"]), "pct"),
                Cell(index_text(as_float(r["index"]), str(r["band"] or "")))
                if r["band"]
                else Cell(as_float(r["index"]), "num2"),
            )
            for r in records
        ),
        sources=(
            TARGET_TABLE.format(level="wijk"),
            MODEL_CHECK,
        ),
        kind="estimate",
        note="Index: aandeel van deze groep onder de doelgroep in de wijk, gedeeld door het "
        f"aandeel in de hele doelgroep (1 = gemiddeld; vanaf {fmt_num(MIN_AREA_INDEX, 2)} "
        "noemen we de groep oververtegenwoordigd).",
    )
    return Chart(
        key=f"wijken-grafiek-{g.number}",
        title="Waar wonen ze? De zes wijken met de hoogste index",
        svg=charts.areas_chart(chart_data),
        alt="Staafdiagram van de oververtegenwoordiging per wijk: "
        + "; ".join(f"{r['wijk_name']} {fmt_num(as_float(r['index']), 1)}" for r in records),
        table=area_table,
    )


def group_distribution(profiles: ProfileSet, g: GroupProfile) -> Table:
    """Every characteristic of one group next to the whole target group (folded)."""
    comp = profiles.comparison[profiles.comparison["groep"] == g.key]
    rows: list[tuple[Cell, ...]] = []
    for r in comp.to_dict("records"):
        share, se = as_float(r["share_group"]), as_float(r["se"])
        interval = (
            f"{fmt_num(max(share - 1.96 * se, 0), 1)} - {fmt_num(min(share + 1.96 * se, 100), 1)}"
            if not (math.isnan(share) or math.isnan(se) or r["band"])
            else "x"
        )
        rows.append(
            (
                Cell(str(r["label"])),
                Cell(str(r["level"])),
                share_cell(r),
                Cell(interval),
                Cell(as_float(r["share_all"]), "pct"),
                effect_cell(as_float(r["effect"]), str(r["band"] or "")),
            )
        )
    return Table(
        key=f"verdeling-{g.number}",
        title=f"{g.key}: alle kenmerken naast de hele doelgroep",
        columns=("Kenmerk", "Waarde", "Deze groep", "95%-interval", "Hele doelgroep", "Effect (h)"),
        rows=tuple(rows),
        sources=estimate_sources(profiles),
        kind="estimate",
        header_columns=2,
        collapsed=True,
        note="Deze groep: geschat aandeel (drie-stappenmethode) met 95%-interval uit de "
        "bootstrap-standaardfout. 'minder dan …%' of 'meer dan …%' (een band): de schatting "
        "rust op te weinig huishoudens voor een getal; het effect is dan berekend op die grens en "
        "dus een ondergrens van het verschil (≥, ≤). x: niet gepubliceerd.",
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _recognition(g: GroupProfile) -> Block:
    """How to recognise the group (the decision tree's rules), or why it cannot be."""
    rules = g.recognition.rules
    if rules:
        items = tuple(
            _capital(rule_text(r.conditions)) + f": van de groep vindt deze regel "
            f"{r.coverage.text()}; van wie de regel vindt, hoort {r.precision.text()} bij de "
            "groep."
            for r in rules
        )
        return Bullets(
            items,
            title="Zo is de groep te herkennen (beslisboom): " + g.recognition.summary(),
        )
    return Paragraph(
        "Een eenvoudige beslisboom (drie vragen) vindt geen regel die vooral deze groep "
        "aanwijst: de groep verschilt op meerdere kenmerken tegelijk."
    )
