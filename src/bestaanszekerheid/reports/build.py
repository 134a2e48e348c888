"""Arrange a run's checked results into the report tree (Dutch text, no new numbers).

Every figure placed in the tree comes from an output released in the run's register: counts
from checked tables (``CheckedTable.frame``), group-specific shares from the profile
estimates released as a checked model output, fit statistics from the checked model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from bestaanszekerheid.disclosure import TOTAL, CheckedTable, publication_summary
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.profiles import GroupProfile, ProfileSet, heatmap_frame
from bestaanszekerheid.profiles.compute import MIN_AREA_INDEX, MIN_EFFECT
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.tree import (
    Bullets,
    Callout,
    Cell,
    Chart,
    KeyFigures,
    Paragraph,
    Report,
    Section,
    Table,
)
from bestaanszekerheid.target import IN_TARGET

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

INDICATOR_LABELS = {
    "household_type": "huishoudtype",
    "income_source": "belangrijkste inkomensbron",
    "age_main_earner": "leeftijd van de hoofdkostwinner",
    "low_income_years": "aantal jaren met een laag inkomen",
    "problematic_debts": "problematische schulden",
    "high_care_costs": "hoge zorgkosten",
    "tenure": "woonsituatie",
}


def _f(value: Any) -> float:
    """A pandas scalar as a float (NaN for missing)."""
    return math.nan if value is None or value is pd.NA else float(value)


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def _estimate_sources(profiles: ProfileSet) -> tuple[str, ...]:
    """The checked outputs behind a table of estimated shares: the model check and every
    characteristic table of the whole target group."""
    return (
        profiles.estimates_check.name,
        *(t.name for t in profiles.characteristic_tables.values()),
    )


def _date_nl(value: date) -> str:
    """1 januari 2025."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def checked_table_block(
    table: CheckedTable,
    *,
    key: str,
    title: str,
    labels: dict[str, str] | None = None,
    share: bool = True,
    note: str = "",
    collapsed: bool = False,
) -> Table:
    """A one-way checked count table as a report table (count and share of the total)."""
    frame = table.frame
    column = frame.columns[0]
    total = _f(frame.loc[TOTAL, column]) if TOTAL in frame.index else math.nan
    rows = []
    for idx, value in frame[column].items():
        label = "Totaal" if idx == TOTAL else (labels or {}).get(str(idx), str(idx))
        cells = [Cell(label), Cell(float(value), "int")]
        if share:
            pct = 100 * float(value) / total if total > 0 else math.nan
            cells.append(Cell(pct, "pct"))
        rows.append(tuple(cells))
    columns = ("", "Aantal huishoudens", "Aandeel") if share else ("", "Aantal huishoudens")
    return Table(
        key=key,
        title=title,
        columns=columns,
        rows=tuple(rows),
        sources=(table.name,),
        kind="checked",
        note=note,
        collapsed=collapsed,
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def _source_phrase(result: AnalysisResult) -> str:
    if result.synthetic:
        return "de synthetische populatie"
    return f"het bestand {result.options.source}" if result.options.source else "het bestand"


def _summary(result: AnalysisResult) -> Section:
    target = result.target
    profiles = result.profiles
    groups = profiles.groups
    tt = result.target_table.frame
    col = tt.columns[0]
    n_target = _f(tt.loc[IN_TARGET, col])
    n_all = _f(tt.loc[TOTAL, col])
    share = 100 * n_target / n_all if n_all > 0 else math.nan
    largest = max(groups, key=lambda g: -1 if math.isnan(g.share) else g.share)
    figures = KeyFigures(
        (
            (fmt_int(n_target), "huishoudens in de doelgroep"),
            (fmt_pct(share, 1), "van alle huishoudens"),
            (str(len(groups)), "groepen met een eigen profiel"),
            (fmt_pct(largest.share, 1), f"in de grootste groep ({largest.key})"),
        )
    )
    intro = Paragraph(
        f"In {_source_phrase(result)} hebben {fmt_int(n_target)} huishoudens "
        f"een inkomen tot en met {fmt_num(target.max_pct, 0)}% van het sociaal minimum "
        f"(peildatum {_date_nl(target.on)}). Een latente-klassenanalyse deelt hen in "
        f"{len(groups)} groepen die elk een eigen combinatie van huishoudsituatie, inkomen en "
        "problemen hebben."
    )
    wijken, overall = _wijk_rows(result)
    top = [r for r in wijken if not math.isnan(r[4])][:3]
    where = ""
    if top:
        where = (
            " Het aandeel huishoudens in de doelgroep is het hoogst in "
            + _join([f"{r[1]} ({fmt_pct(r[4], 1)})" for r in top])
            + f"; gemiddeld is dat {fmt_pct(overall, 1)}."
        )
    intro = Paragraph(
        intro.text
        + where
        + " Hieronder staan de groepen in één zin; verderop heeft elke groep een eigen pagina "
        "met kenmerken en wijken."
    )
    items = tuple(
        f"{g.key} – {g.name} ({fmt_pct(g.share, 1)} van de doelgroep"
        + (f"; vooral in {', '.join(w.wijk_name for w in g.wijken[:2])}" if g.wijken else "")
        + ")"
        for g in groups
    )
    use = Callout(
        "Gebruik: deze groepen zijn bedoeld om ondersteuning en regelingen te ontwerpen en om "
        "wijken te kiezen voor een wijkgerichte aanpak. Ze zijn niet bedoeld om individuele "
        "inwoners in te delen, te beoordelen of te controleren.",
        "info",
    )
    return Section(
        "samenvatting",
        "Samenvatting voor beleid",
        (figures, intro, Bullets(items, title="De groepen"), use),
    )


def _target_section(result: AnalysisResult) -> Section:
    target = result.target
    labels = {
        "In de doelgroep": f"In de doelgroep (tot en met {fmt_num(target.max_pct, 0)}%)",
        "Boven de grens": "Inkomen boven de grens",
        "Inkomen onbekend": "Inkomen onbekend (niet in de doelgroep)",
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
    norm_text = ", ".join(_date_nl(d) for d in norm_dates) if norm_dates else _date_nl(target.on)
    blocks: list[object] = [
        Paragraph(
            f"De doelgroep zijn huishoudens met een inkomen tot en met "
            f"{fmt_num(target.max_pct, 0)}% van het sociaal minimum op peildatum "
            f"{_date_nl(target.on)} (normen geldig vanaf {norm_text})."
        ),
        Paragraph(target.definition),
        table,
    ]
    blocks.extend(_wijk_blocks(result))
    if target.norm_table_version:
        blocks.append(Paragraph(f"Versie van de normtabel: {target.norm_table_version}."))
    for warning in target.warnings:
        blocks.append(Callout(warning, "warning"))
    return Section("doelgroep", "Hoe de doelgroep is bepaald", tuple(blocks))  # type: ignore[arg-type]


def _wijk_rows(result: AnalysisResult) -> tuple[list[tuple[str, str, float, float, float]], float]:
    """(code, name, target households, all households, share) per wijk, highest share first,
    from the two checked count tables; and the overall share."""
    area, all_wijk = result.profiles.area_table, result.wijk_table
    if area is None or all_wijk is None:
        return [], math.nan
    names = result.profiles.areas.drop_duplicates("wijk_code").set_index("wijk_code")["wijk_name"]
    target_n = area.frame.iloc[:, 0]
    all_n = all_wijk.frame.iloc[:, 0]
    rows = []
    for code, n in target_n.items():
        if code == TOTAL:
            continue
        total = _f(all_n.get(code))
        share = 100 * _f(n) / total if total > 0 else math.nan
        rows.append((str(code), str(names.get(code, code)), _f(n), total, share))
    rows.sort(key=lambda r: (-(r[4] if not math.isnan(r[4]) else -1.0), r[0]))
    overall = 100 * _f(target_n.get(TOTAL)) / _f(all_n.get(TOTAL))
    return rows, overall


def _wijk_blocks(result: AnalysisResult) -> list[object]:
    """Share of the target group per wijk (two checked count tables), chart and table."""
    rows, overall = _wijk_rows(result)
    if not rows:
        return []
    area, all_wijk = result.profiles.area_table, result.wijk_table
    assert area is not None and all_wijk is not None
    table = Table(
        key="doelgroep-per-wijk",
        title="Doelgroep per wijk",
        columns=("Wijk", "Alle huishoudens", "In de doelgroep", "Aandeel doelgroep"),
        rows=tuple(
            (Cell(f"{name} ({code})"), Cell(total, "int"), Cell(n, "int"), Cell(share, "pct"))
            for code, name, n, total, share in rows
        ),
        sources=(all_wijk.name, area.name),
        kind="checked",
        collapsed=False,
        note=f"Gemiddeld over alle wijken: {fmt_pct(overall, 1)}. x: niet gepubliceerd.",
    )
    top = [r for r in rows if not math.isnan(r[4])][:10]
    chart = Chart(
        key="doelgroep-per-wijk-grafiek",
        title="Aandeel huishoudens in de doelgroep: de tien wijken met het hoogste aandeel",
        svg=charts.share_by_area_chart(
            pd.DataFrame({"wijk": [r[1] for r in top], "aandeel": [r[4] for r in top]}), overall
        ),
        alt="Staafdiagram van het aandeel huishoudens in de doelgroep per wijk: "
        + "; ".join(f"{r[1]} {fmt_pct(r[4], 1)}" for r in top)
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


def _model_section(result: AnalysisResult) -> Section:
    sel = result.selection
    table = result.fit_table
    rows = []
    for k, r in table.iterrows():
        rows.append(
            (
                Cell(f"{k} groepen" + (" (gekozen)" if k == sel.recommended else "")),
                Cell(float(r["bic"]), "int"),
                Cell(float(r["entropy_r2"]), "num2"),
                Cell(100 * float(r["smallest_class"]), "pct"),
                Cell(float(r["stability"]), "num2"),
                Cell("ja" if bool(r["converged"]) else "nee"),
            )
        )
    fit = Table(
        key="fit",
        title="Modellen met 2 of meer groepen vergeleken",
        columns=(
            "Model",
            "BIC",
            "Entropie R²",
            "Kleinste groep",
            "Stabiliteit (ARI)",
            "Geconvergeerd",
        ),
        rows=tuple(rows),
        sources=(result.model_check.name,),
        kind="model",
        note="BIC: hoe lager, hoe beter het model de gegevens beschrijft, met een straf voor "
        "meer groepen. Entropie R² (0-1): hoe duidelijk huishoudens bij één groep horen. "
        "Stabiliteit: gemiddelde overeenkomst (ARI, 0-1) met modellen op bootstrapsteekproeven.",
    )
    chart = Chart(
        key="fit-grafiek",
        title="Modelfit (BIC) naar aantal groepen",
        svg=charts.fit_chart(table, sel.recommended),
        alt=f"Lijngrafiek van de BIC voor {min(table.index)} tot {max(table.index)} groepen; "
        f"het gekozen model met {sel.recommended} groepen is gemarkeerd.",
    )
    indicators = ", ".join(INDICATOR_LABELS.get(k, k) for k in result.indicators)
    return Section(
        "modelkeuze",
        "Modelkeuze: hoeveel groepen?",
        (
            Paragraph(
                "De groepen zijn gevonden met latente-klassenanalyse op deze kenmerken "
                f"(indicatoren): {indicators}. Herkomst en opleiding zijn bewust geen "
                "indicator: de groepen gaan over de situatie van huishoudens, niet over wie "
                "ze zijn. Ze worden wel beschreven."
            ),
            chart,
            fit,
            Paragraph(sel.explanation),
        ),
    )


def _groups_section(result: AnalysisResult) -> Section:
    profiles = result.profiles
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
        by_group = {r["groep"]: _share_cell(r) for r in rows_all.to_dict("records")}
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
        sources=_estimate_sources(profiles),
        kind="estimate",
    )
    heat_chart = Chart(
        key="heatmap",
        title="Wat de groepen onderscheidt",
        svg=charts.heatmap(heat),
        alt="Heatmap: per groep (kolommen) het aandeel huishoudens met elk kenmerk (rijen). "
        "Blauw: vaker dan in de hele doelgroep, rood: minder vaak. De cijfers staan ook in "
        "de tabel bij de grafiek.",
        table=heat_table,
    )
    full = _distribution_table(profiles)
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
            heat_chart,
            full,
        ),
    )


def _share_cell(row: Mapping[Any, Any]) -> Cell:
    """A group's share as published: the number, or its band ("meer dan 95%")."""
    band = str(row.get("band") or "")
    return Cell(band) if band else Cell(_f(row["share_group"]), "pct")


def _index_text(index: float, band: str) -> str:
    """The index as shown; at a band's limit ("meer dan 50%") it is a lower bound."""
    return ("≥ " if band else "") + fmt_num(index, 2)


def _effect_cell(effect: float, band: str) -> Cell:
    """Cohen's h; for a band, computed at the band's limit, so a bound: '≥ 1,24'."""
    if band and not math.isnan(effect):
        return Cell(("≥ " if effect > 0 else "≤ ") + fmt_num(effect, 2))
    return Cell(effect, "num2")


def _distribution_table(profiles: ProfileSet) -> Table:
    comp = profiles.comparison
    groups = profiles.groups
    rows = []
    for char in profiles.characteristics:
        part = comp[comp["column"] == char.column]
        for level, sub in part.groupby("level", sort=False):
            by_group = {r["groep"]: _share_cell(r) for r in sub.to_dict("records")}
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
        sources=_estimate_sources(profiles),
        kind="estimate",
        header_columns=2,
        collapsed=True,
        note="Per groep: geschatte verdeling met de drie-stappenmethode (BCH-correctie). "
        "'minder dan …%' of 'meer dan …%' (een band): de schatting rust op te weinig "
        "huishoudens voor een preciezer getal. x: niet gepubliceerd (onthullingscontrole).",
    )


def _group_distribution(profiles: ProfileSet, g: GroupProfile) -> Table:
    """Every characteristic of one group next to the whole target group (folded)."""
    comp = profiles.comparison[profiles.comparison["groep"] == g.key]
    rows: list[tuple[Cell, ...]] = []
    for r in comp.to_dict("records"):
        share, se = _f(r["share_group"]), _f(r["se"])
        interval = (
            f"{fmt_num(max(share - 1.96 * se, 0), 1)} - {fmt_num(min(share + 1.96 * se, 100), 1)}"
            if not (math.isnan(share) or math.isnan(se) or r["band"])
            else "x"
        )
        rows.append(
            (
                Cell(str(r["label"])),
                Cell(str(r["level"])),
                _share_cell(r),
                Cell(interval),
                Cell(_f(r["share_all"]), "pct"),
                _effect_cell(_f(r["effect"]), str(r["band"] or "")),
            )
        )
    return Table(
        key=f"verdeling-{g.number}",
        title=f"{g.key}: alle kenmerken naast de hele doelgroep",
        columns=("Kenmerk", "Waarde", "Deze groep", "95%-interval", "Hele doelgroep", "Effect (h)"),
        rows=tuple(rows),
        sources=_estimate_sources(profiles),
        kind="estimate",
        header_columns=2,
        collapsed=True,
        note="Deze groep: geschat aandeel (drie-stappenmethode) met 95%-interval uit de "
        "bootstrap-standaardfout. 'minder dan …%' of 'meer dan …%' (een band): de schatting "
        "rust op te weinig huishoudens voor een getal; het effect is dan berekend op die grens en "
        "dus een ondergrens van het verschil (≥, ≤). x: niet gepubliceerd.",
    )


def _feature_rows(features: tuple[object, ...]) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for f in features:
        rows.append(
            (
                Cell(f"{f.label}: {f.level}"),  # type: ignore[attr-defined]
                Cell(f.band) if f.band else Cell(f.share_group, "pct"),  # type: ignore[attr-defined]
                Cell(f.share_all, "pct"),  # type: ignore[attr-defined]
                _effect_cell(f.effect, f.band),  # type: ignore[attr-defined]
                Cell(
                    "–"
                    if f.band  # type: ignore[attr-defined]
                    else f"{fmt_num(f.low, 2)} tot {fmt_num(f.high, 2)}"  # type: ignore[attr-defined]
                ),
            )
        )
    return rows


def _group_section(result: AnalysisResult, g: GroupProfile) -> Section:
    profiles = result.profiles
    blocks: list[object] = []
    recognised = (
        (g.recognition.recall.text(), "herkend door een eenvoudige beslisboom")
        if g.recognition.rules and not math.isnan(g.recognition.recall.value)
        else ("–", "niet met drie vragen te herkennen")
    )
    blocks.append(
        KeyFigures(
            (
                (fmt_int(g.size) if not math.isnan(g.size) else "x", "huishoudens (ongeveer)"),
                (fmt_pct(g.share, 1), "van de doelgroep"),
                recognised,
            )
        )
    )
    blocks.append(Paragraph(g.description))
    if g.overridden:
        blocks.append(Callout("Naam en beschrijving zijn door de analist aangepast.", "info"))
    feats = [*g.more_often, *g.less_often]
    if feats:
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
        table = Table(
            key=f"kenmerken-{g.number}",
            title=f"{g.key}: onderscheidende kenmerken",
            columns=("Kenmerk", "In deze groep", "Hele doelgroep", "Effect (h)", "95%-interval"),
            rows=tuple(_feature_rows(tuple(feats))),
            sources=(
                profiles.estimates_check.name,
                *(profiles.characteristic_tables[f.column].name for f in feats),
            ),
            kind="estimate",
            note="▲ vaker, ▼ minder vaak dan in de hele doelgroep. Effect h (Cohen): vanaf "
            f"{fmt_num(MIN_EFFECT, 1)} een klein verschil, 0,5 middelgroot, 0,8 groot; alleen "
            "verschillen waarvan het 95%-interval 0 niet bevat staan erin.",
        )
        blocks.append(
            Chart(
                key=f"kenmerken-grafiek-{g.number}",
                title="Vaker en minder vaak dan in de hele doelgroep",
                svg=charts.features_chart(pd.DataFrame(data)),
                alt=f"Puntgrafiek: per kenmerk het aandeel in {g.key} naast de hele doelgroep. "
                + "; ".join(
                    f"{f.label} {f.level}: {f.share_text()} tegen {fmt_pct(f.share_all, 1)}"
                    for f in feats
                ),
                table=table,
            )
        )
    areas = profiles.areas
    own = areas[(areas["groep"] == g.key)].dropna(subset=["index"])
    own = own.sort_values(["index", "wijk_code"], ascending=[False, True]).head(6)
    if not own.empty:
        chart_data = pd.DataFrame(
            {
                "wijk": own["wijk_name"],
                "index": own["index"],
                "tekst": [
                    _index_text(i, b) for i, b in zip(own["index"], own["band"], strict=True)
                ],
            }
        )
        area_table = Table(
            key=f"wijken-{g.number}",
            title=f"{g.key}: wijken met relatief veel huishoudens uit deze groep",
            columns=("Wijk", "Doelgroep in de wijk", "Aandeel deze groep", "Index"),
            rows=tuple(
                (
                    Cell(f"{r['wijk_name']} ({r['wijk_code']})"),
                    Cell(_f(r["households"]), "int"),
                    Cell(str(r["band"])) if r["band"] else Cell(_f(r["share"]), "pct"),
                    Cell(_index_text(_f(r["index"]), str(r["band"] or "")))
                    if r["band"]
                    else Cell(_f(r["index"]), "num2"),
                )
                for r in own.to_dict("records")
            ),
            sources=(
                profiles.area_table.name if profiles.area_table else "",
                profiles.estimates_check.name,
            ),
            kind="estimate",
            note="Index: aandeel van deze groep onder de doelgroep in de wijk, gedeeld door het "
            f"aandeel in de hele doelgroep (1 = gemiddeld; vanaf {fmt_num(MIN_AREA_INDEX, 1)} "
            "noemen we de groep oververtegenwoordigd).",
        )
        blocks.append(
            Chart(
                key=f"wijken-grafiek-{g.number}",
                title="Waar wonen ze? De zes wijken met de hoogste index",
                svg=charts.areas_chart(chart_data),
                alt="Staafdiagram van de oververtegenwoordiging per wijk: "
                + "; ".join(
                    f"{r['wijk_name']} {fmt_num(_f(r['index']), 1)}" for r in own.to_dict("records")
                ),
                table=area_table,
            )
        )
    blocks.append(_group_distribution(profiles, g))
    rules = g.recognition.rules
    if rules:
        items = tuple(
            " én ".join(r.conditions) + f" (dekt {r.coverage.text()} van de groep; "
            f"{r.precision.text()} van wie zo is ingedeeld hoort bij de groep)"
            for r in rules
        )
        blocks.append(Bullets(items, title="Zo is de groep te herkennen (beslisboom)"))
    else:
        blocks.append(
            Paragraph(
                "Een eenvoudige beslisboom (drie vragen) vindt geen regel die vooral deze groep "
                "aanwijst: de groep verschilt op meerdere kenmerken tegelijk."
            )
        )
    return Section(f"groep-{g.number}", f"{g.key}: {g.name}", tuple(blocks))  # type: ignore[arg-type]


def _methods(result: AnalysisResult) -> Section:
    opts = result.options
    values_min = result.register.rules.min_count
    items = (
        "Latente-klassenanalyse met gemengde indicatoren (categorisch, binair, continu); "
        f"{min(result.fit_table.index)} tot {max(result.fit_table.index)} groepen geprobeerd, "
        f"{opts.n_init} willekeurige starts per model, {opts.n_bootstrap_stability} "
        "bootstrapherhalingen voor de stabiliteit.",
        "Het aantal groepen volgt uit de BIC (elleboog), een minimale groepsgrootte en de "
        "stabiliteit; of de groepen inhoudelijk te duiden zijn blijft een oordeel van mensen.",
        "Groepsprofielen zijn geschat met de drie-stappenmethode met BCH-correctie: huishoudens "
        "worden niet hard bij één groep ingedeeld, zodat verschillen niet worden afgezwakt. "
        f"Standaardfouten uit {opts.n_bootstrap_bch} bootstrapherhalingen van stap 3; de "
        "onzekerheid van het model zelf zit daar niet in, dus ze zijn iets te klein.",
        "Onderscheidende kenmerken zijn gerangschikt op effectgrootte (Cohen's h) tussen het "
        "aandeel in de groep en in de hele doelgroep, met een 95%-interval.",
        "Wijken: de geschatte samenstelling van de doelgroep per wijk, vergeleken met de hele "
        "doelgroep. Een index zegt iets over de wijk, niet over individuele bewoners.",
        "Herkenbaarheid: een beslisboom met hoogstens drie vragen en bladeren van minstens "
        f"{values_min} huishoudens en 1% van de doelgroep. De boom beschrijft groepen; hij is "
        "niet bedoeld en niet geschikt om inwoners in te delen.",
        "Namen en beschrijvingen zijn met vaste sjablonen uit de kenmerken gemaakt (geen "
        "taalmodel); dezelfde gegevens geven dezelfde tekst.",
    )
    limits = (
        "De groepen zijn een vereenvoudiging: binnen elke groep verschillen huishoudens.",
        "Inkomen en regelingen zijn gemeten op één peildatum; wie net boven de grens zit, "
        "valt buiten de doelgroep.",
        "Percentages per groep zijn schattingen met onzekerheid; kleine verschillen "
        "(h onder 0,2) worden niet als onderscheidend genoemd.",
        "Alle cijfers zijn gecontroleerd op onthulling (bijlage): cellen met te weinig "
        "huishoudens zijn weggelaten (x).",
    )
    notes = tuple(Callout(n, "warning") for n in result.profiles.notes)
    return Section(
        "methoden",
        "Methoden en beperkingen",
        (Bullets(items, title="Methoden"), Bullets(limits, title="Beperkingen"), *notes),
    )


def _disclosure(result: AnalysisResult) -> Section:
    doc = publication_summary(result.register)
    rows = []
    for out in doc["outputs"]:
        if out["type"] == "table":
            rows.append(
                (
                    Cell(out["name"]),
                    Cell("tabel"),
                    Cell(str(out["cells"])),
                    Cell(str(out["hidden"])),
                    Cell("in orde"),
                )
            )
        else:
            rows.append(
                (
                    Cell(out["name"]),
                    Cell(f"model ({out['kind']})"),
                    Cell("–"),
                    Cell("–"),
                    Cell("in orde" if out["passed"] else "geweigerd"),
                )
            )
    table = Table(
        key="onthullingscontrole",
        title="Gecontroleerde uitvoer van deze analyse",
        columns=("Uitvoer", "Soort", "Cellen", "Weggelaten cellen", "Controle"),
        rows=tuple(rows),
        sources=(),
        kind="model",
    )
    rules = doc["rules"]
    values = rules["values"]
    rule_items = tuple(
        f"{text['nl']} (bron: {text['source']})"
        for text in rules["descriptions"].values()
        if text.get("nl")
    )
    blocks: list[object] = [
        Paragraph(
            f"Alle cijfers in dit rapport zijn gecontroleerd met de regels "
            f"'{rules['name']}' (versie {rules['version']}, sha256 {rules['sha256'][:12]}…): "
            f"minimaal {values['min_count']} huishoudens per cel, geen groepsonthulling, "
            "secundaire onderdrukking en een controle op verschillen tussen tabellen. "
            "Groepsprofielen zijn schattingen van een model, gecontroleerd als tabellen van "
            f"geschatte aantallen: elke groep telt minstens {values['min_count']} huishoudens, "
            f"een aandeel dat op minder dan {values['min_count']} geschatte huishoudens rust "
            "(met of zonder het kenmerk) staat als band ('minder dan 5%', 'meer dan 90%' en "
            "dergelijke), "
            "nooit als 0% of 100%, en groepsgroottes en aandelen zijn één keer afgerond "
            f"(op {values['estimate_size_base']} huishoudens en "
            f"{values['estimate_share_decimals']} decimaal) en overal hetzelfde."
        ),
        Paragraph(
            "Een weggelaten cel staat als x in de tabellen, zonder reden: een reden als "
            f"'minder dan {values['min_count']}' of 'lege cel' zou iets over de verborgen "
            "waarde verraden. De redenen staan in het log voor de outputcontroleur "
            "(onthullingscontrole.md en onthullingscontrole.json); dat log is niet voor "
            "publicatie."
        ),
        table,
        Bullets(rule_items, title="Toegepaste regels"),
    ]
    return Section(
        "bijlage-onthullingscontrole",
        "Bijlage: onthullingscontrole",
        tuple(blocks),  # type: ignore[arg-type]
    )


def build_report(result: AnalysisResult) -> Report:
    """The report tree of a run."""
    groups = result.profiles.groups
    group_sections = tuple(_group_section(result, g) for g in groups)
    target = result.target
    title = "Wie zijn de huishoudens rond het sociaal minimum?"
    subtitle = (
        f"Doelgroep, groepen en wijken – {result.options.source or 'analyse'}, peildatum "
        f"{_date_nl(target.on)}"
    )
    return Report(
        title=title,
        subtitle=subtitle,
        lang="nl",
        synthetic=result.synthetic,
        created=result.created,
        sections=(
            _summary(result),
            _target_section(result),
            _model_section(result),
            _groups_section(result),
            Section(
                "per-groep",
                "De groepen één voor één",
                (
                    Paragraph(
                        "Per groep: de omvang, een korte beschrijving, de kenmerken die de groep "
                        "het meest onderscheiden van de hele doelgroep (▲ vaker, ▼ minder vaak), "
                        "de wijken waar de groep relatief vaak woont en hoe herkenbaar de groep "
                        "is. Elke groep staat ook op een persona-kaart (persona-kaarten.pdf)."
                    ),
                ),
                group_sections,
            ),
            *(() if result.experiment is None else (result.experiment.section,)),
            _methods(result),
            _disclosure(result),
            *(
                ()
                if result.experiment is None
                else (
                    result.experiment.disclosure_section(
                        "bijlage-onthullingscontrole-experiment",
                        "Bijlage: onthullingscontrole van het experiment",
                        log="onthullingscontrole_experiment",
                    ),
                )
            ),
        ),
        meta={
            "regels": result.register.rules.version,
            "bron": result.options.source,
        },
    )
