"""The HTML report: sections, banner, Dutch numbers; XLSX and JSON bundle; tagged PDF."""

from __future__ import annotations

import json
import math
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook

from bestaanszekerheid.disclosure import CheckedTable
from bestaanszekerheid.reports.bundle import SCHEMA_VERSION, schema
from bestaanszekerheid.reports.cards import render_cards_html
from bestaanszekerheid.reports.tree import Cell

from .conftest import Run

SECTIONS = (
    "samenvatting",
    "doelgroep",
    "modelkeuze",
    "groepen",
    "waar-wonen-ze",
    "per-groep",
    "methoden",
    "bijlage-onthullingscontrole",
)
DUTCH_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?%?$")


class TableCells(HTMLParser):
    """Collects every table with its attributes and the numeric cells (text, data-waarde)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, object]] = []
        self._cell: dict[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append({"attrs": a, "cells": []})
        elif tag == "td" and "data-waarde" in a:
            self._cell, self._text = a, ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            cells = self.tables[-1]["cells"]
            assert isinstance(cells, list)
            cells.append((self._text.strip(), self._cell["data-waarde"], self._cell["data-opmaak"]))
            self._cell = None


def parse_tables(html: str) -> list[dict[str, object]]:
    parser = TableCells()
    parser.feed(html)
    return parser.tables


def test_report_has_every_section_and_the_synthetic_banner(run: Run) -> None:
    html = run.html()
    for section in SECTIONS:
        assert f'<section id="{section}"' in html
    for g in run.result.profiles.groups:
        assert f'id="groep-{g.number}"' in html
        assert g.name in html
    assert html.count('data-banner="synthetisch"') == 1
    assert "@top-center" in html  # the banner on every printed page
    assert "Synthetische gegevens" in html
    assert '<html lang="nl">' in html


def test_report_is_self_contained(run: Run) -> None:
    html = run.html()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "@import" not in html
    assert "default-src 'none'" in html  # CSP: the page may load nothing


def test_numbers_are_in_dutch_format(run: Run) -> None:
    tables = parse_tables(run.html())
    numbers = [c for t in tables for c in t["cells"]]  # type: ignore[attr-defined]
    assert len(numbers) > 50
    for text, raw, fmt in numbers:
        if raw == "x":
            assert text == "x"
            continue
        assert DUTCH_NUMBER.match(text), text
        assert text == Cell(float(raw), fmt).text("nl")
    assert Cell(18271.0, "int").text() == "18.271"
    assert Cell(12.345, "pct").text() == "12,3%"


def test_every_html_table_names_released_outputs(run: Run) -> None:
    released = {r.name for r in run.result.register.releases}
    for table in parse_tables(run.html()):
        attrs = table["attrs"]
        assert isinstance(attrs, dict)
        if attrs.get("data-tabel") == "onthullingscontrole":
            continue
        sources = [s for s in attrs["data-bron"].split(" | ") if s]
        assert sources, attrs
        assert set(sources) <= released, attrs


def test_checked_html_tables_show_checked_figures(run: Run) -> None:
    """Every number in a 'checked' table is a count of its CheckedTable or count/total."""
    by_name = {
        r.output.name: r.output
        for r in run.result.register.releases
        if isinstance(r.output, CheckedTable)
    }
    seen = 0
    for table in parse_tables(run.html()):
        attrs = table["attrs"]
        assert isinstance(attrs, dict)
        if attrs["data-soort"] != "checked":
            continue
        sources = [by_name[name].frame for name in attrs["data-bron"].split(" | ")]
        counts = [float(v) for frame in sources for v in frame.to_numpy().ravel() if v == v]
        allowed = {round(c, 6) for c in counts}

        # shares: a count over the total of its own table, or (two tables) over the other's
        # count, rounded once to one decimal (half up) as published
        def pct(a: float, b: float) -> float:
            return round(math.floor(1000 * a / b + 0.5) / 10, 6)

        for frame in sources:
            values = [float(v) for v in frame.to_numpy().ravel() if v == v]
            allowed |= {pct(c, max(values)) for c in values}
        if len(sources) == 2:
            first = [float(v) for v in sources[0].to_numpy().ravel() if v == v]
            second = [float(v) for v in sources[1].to_numpy().ravel() if v == v]
            allowed |= {pct(a, b) for a in second for b in first if b > 0}
            # an index: a share over the share of the two tables' totals (two decimals)
            overall = max(second) / max(first)
            allowed |= {
                round(math.floor(100 * a / b / overall + 0.5) / 100, 6)
                for a in second
                for b in first
                if b > 0
            }
        for _, raw, _ in table["cells"]:  # type: ignore[attr-defined]
            if raw != "x":
                assert round(float(raw), 6) in allowed
                seen += 1
    assert seen >= 4


def test_published_counts_are_at_least_ten_recomputed_from_microdata(run: Run) -> None:
    """Each published count of each checked table equals the microdata count and is >= 10."""
    from bestaanszekerheid.profiles import characteristics_frame

    result = run.result
    target = result.target.households
    chars = characteristics_frame(target)
    n_checked = 0
    for table in result.profiles.checked_tables:
        column = table.rows[0]
        values = chars[column] if column in chars else target[column].astype(str)
        for level, value in table.frame.iloc[:, 0].items():
            if value != value:
                continue
            truth = len(values) if level == "Totaal" else int((values == level).sum())
            assert value == truth
            assert value >= 10
            n_checked += 1
    assert result.areas is not None
    wijk = result.areas.levels["wijk"]
    assert wijk.households_table is not None
    everyone = run.households["wijk_code"].astype(str)
    for code, value in wijk.households_table.frame.iloc[:, 0].items():
        if value == value:
            truth = len(everyone) if code == "Totaal" else int((everyone == code).sum())
            assert value == truth >= 10
            n_checked += 1
    status = result.target_table.frame.iloc[:, 0]
    assert status["In de doelgroep"] == len(target)
    assert (status.dropna() >= 10).all()
    assert n_checked > 40


def test_xlsx_has_a_sheet_per_checked_table(run: Run) -> None:
    wb = load_workbook(run.out / "tabellen.xlsx", read_only=True)
    titles = {}
    for ws in wb.worksheets:
        first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True))
        titles[first[0]] = ws
    checked = [r.output for r in run.result.register.releases if isinstance(r.output, CheckedTable)]
    assert len(checked) >= 10
    for table in checked:
        assert table.name in titles, table.name
        ws = titles[table.name]
        numbers = [
            v
            for row in ws.iter_rows(min_row=6, values_only=True)
            for v in row[1:]
            if isinstance(v, int | float)
        ]
        assert numbers and all(v >= 10 for v in numbers)
    assert "Inhoud" in wb.sheetnames


def test_json_bundle_validates_against_its_schema(run: Run) -> None:
    doc = json.loads((run.out / "bundel.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["synthetic"] is True
    assert len(doc["groepen"]) == run.result.selection.recommended
    # Schema 1 keeps "aandeel_model" for older readers: the same published estimate.
    assert all(g["aandeel_model"] == g["aandeel"] for g in doc["groepen"])
    broken = {**doc, "groepen": [{**doc["groepen"][0], "huishoudens": 3}]}
    assert not validator.is_valid(broken)  # a count below 10 is not a valid bundle
    del broken["model"]
    assert not validator.is_valid(broken)


def test_outputs_hold_no_household_ids(run: Run) -> None:
    some_id = str(run.households["household_id"].iloc[0])
    prefix = some_id[:4]
    for name in ("rapport.html", "bundel.json", "onthullingscontrole.json"):
        text = (run.out / name).read_text(encoding="utf-8")
        assert not re.search(re.escape(prefix) + r"\d{6,}", text), name


def _pdf_objects(path: Path) -> bytes:
    """Raw PDF bytes plus every decompressed (Flate) stream, for structure checks."""
    raw = path.read_bytes()
    parts = [raw]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_persona_cards_are_a_tagged_pdf_ua(run: Run) -> None:
    pdf = run.out / "persona-kaarten.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    content = _pdf_objects(pdf)
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", content)
    assert b"/StructTreeRoot" in content
    assert re.search(rb'pdfuaid:part="1"|<pdfuaid:part>1</pdfuaid:part>', content)
    assert re.search(rb"/Lang\s*\(nl", content)
    assert content.count(b"/Figure") >= 1 and b"/Alt" in content
    # one card per group: a front (who) and a back (the worksheet)
    pages = re.findall(rb"/Type\s*/Page\b", content)
    assert len(pages) == 2 * len(run.result.profiles.groups)


def test_every_persona_card_carries_the_synthetic_banner(run: Run) -> None:
    html = render_cards_html(run.result)
    cards = html.split('<article class="card">')[1:]
    assert len(cards) == len(run.result.profiles.groups)
    assert all("persona-kaart · synthetische gegevens" in card for card in cards)
    assert all("werkblad" in card for card in cards)
    assert html.count("SYNTHETISCHE GEGEVENS") == 1  # one banner, at the top of every page
    assert "@top-center" in html


def test_disclosure_log_is_written(run: Run) -> None:
    log = json.loads((run.out / "onthullingscontrole.json").read_text(encoding="utf-8"))
    names = {o["name"] for o in log["outputs"]}
    assert run.result.profiles.estimates_check.name in names
    assert all("rapport.html" in o["files"] for o in log["outputs"])
    assert (run.out / "onthullingscontrole.md").read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("name", ["groepsnamen.yaml"])
def test_names_template_is_written(run: Run, name: str) -> None:
    text = (run.out / name).read_text(encoding="utf-8")
    assert all(g.name in text for g in run.result.profiles.groups)


def test_bundle_figures_come_from_released_outputs(run: Run) -> None:
    """Checked tables: counts of their CheckedTable; estimates: the released profile estimates,
    null exactly where the level's checked count is hidden."""
    doc = json.loads((run.out / "bundel.json").read_text(encoding="utf-8"))
    profiles = run.result.profiles
    comp = profiles.comparison.set_index(["label", "level", "groep"])
    tables = {t["sleutel"]: t for t in doc["tabellen"]}
    dist = tables["verdelingen"]
    groups = dist["kolommen"][3:]
    by_label = {c.label: c.column for c in profiles.characteristics}
    checked = 0
    for row in dist["rijen"]:
        label, level, share_all, *shares = row
        count = profiles.characteristic_tables[by_label[label]].frame.loc[level].iloc[0]
        for key, value in zip(groups, shares, strict=True):
            if count != count:  # hidden level: no estimate may be shown
                assert value is None
                continue
            published = comp.loc[(label, level, key)]
            if published["band"]:  # a band is shown as its text, never as a number
                assert value == published["band"]
            elif published["share_group"] != published["share_group"]:
                assert value is None  # hidden to protect a band
            else:
                assert value == published["share_group"]  # the same rounded value
                assert value == round(value, 1) and 0 < value < 100
            checked += 1
        assert (share_all is None) == (count != count)
    assert checked > 100
    target = tables["doelgroep"]
    frame = run.result.target_table.frame.iloc[:, 0]
    for row in target["rijen"]:
        if row[1] is not None:
            assert row[1] in set(frame.dropna().tolist())
            assert row[1] >= 10


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    # up to the next top-level section
    end = html.find('<section id="', html.index("</h2>", start))
    while end != -1 and 'class="level-1"' not in html[end : end + 80]:
        end = html.find('<section id="', end + 1)
    return html[start : end if end != -1 else len(html)]


def test_areas_section_has_maps_tables_and_the_attribution(run: Run) -> None:
    html = run.html()
    part = _section(html, "waar-wonen-ze")
    assert "Waar wonen ze?" in part
    assert 'id="kaart-doelgroep-per-wijk"' in part
    # The maps are inline (names and figures on hover), each with a narrow one for phones.
    maps_shown = part.count('<div class="map map-wide" role="img"')
    assert maps_shown >= 1 + len(run.result.profiles.groups)
    assert part.count('<div class="map map-narrow" role="img"') == maps_shown
    assert part.count("<title>") > 59 * maps_shown  # an area's hover text, per map and size
    assert "Bron: CBS (wijk- en buurtindeling 2024; Kerncijfers Wijken en Buurten), CC BY 4.0" in (
        part
    )
    assert "generieke naam" not in part
    assert "synthetische gegevens" in part.lower()
    # the target section points here instead of repeating the wijk table
    assert "doelgroep-per-wijk" not in _section(html, "doelgroep")
    table = next(t for t in parse_tables(part) if t["attrs"]["data-tabel"] == "doelgroep-per-wijk")  # type: ignore[index]
    hidden = run.result.areas.levels["wijk"].target["share"].isna().sum()  # type: ignore[union-attr]
    cells = table["cells"]
    assert isinstance(cells, list)
    if hidden:
        assert any(text == "x" and raw == "x" for text, raw, _ in cells)
        assert "te weinig huishoudens" in part
    assert "Onze cijfers naast die van CBS" in part
    # Our definition beside CBS's nearest indicator, with its municipal share (KWB 2022).
    start = part.index('data-tabel="definities-cbs"')
    definitions = part[start : part.index("</table>", start)]
    assert "onder of rond het sociaal minimum" in definitions
    assert "<td>7%</td>" in definitions.replace(" ", "")


def test_outreach_plan_totals_match_the_plan(run: Run) -> None:
    plan = run.result.outreach["doelgroep"]
    part = _section(run.html(), "waar-wonen-ze")
    if not plan.naive.table.empty:
        assert plan.summary().replace("'", "&#39;") in part
    tables = {t["attrs"]["data-tabel"]: t for t in parse_tables(part)}  # type: ignore[index]
    for key, selection in (("bereikplan", plan.exact), ("bereikplan-naief", plan.naive)):
        if selection.table.empty:
            assert key not in tables  # no plan (or no naive list): no table of zeros
            continue
        if key == "bereikplan-naief" and plan.naive.codes == plan.exact.codes:
            assert key not in tables  # the same choice is not shown twice
            assert "kiest hoogste aandeel eerst dezelfde" in part
            continue
        cells = tables[key]["cells"]
        assert isinstance(cells, list)
        # per area deuren, bereik, aandeel and both cumulatives; the total has no cumulatives
        total = cells[-3:]
        assert float(total[0][1]) == Cell(selection.doors, "int").number
        assert float(total[1][1]) == Cell(selection.reach, "int").number
        assert len(cells) == 5 * len(selection.table) + 3
    doc = json.loads((run.out / "bundel.json").read_text(encoding="utf-8"))
    plans = {p["groep"]: p for p in doc["bereikplannen"]}
    assert plans["doelgroep"]["exact"]["gebieden"] == list(plan.exact.codes)
    assert plans["doelgroep"]["exact"]["verwacht_bereik"] == plan.reach
    wb = load_workbook(run.out / "tabellen.xlsx", read_only=True)
    titles = [row[1] for row in wb["Inhoud"].iter_rows(values_only=True)]
    assert any(str(t).startswith("Bereikplan: beste keuze") for t in titles)


def test_outreach_texts_say_whose_plan_where_the_budget_comes_from_and_what_next(
    run: Run,
) -> None:
    from dataclasses import replace

    from bestaanszekerheid.pipeline import _outreach
    from bestaanszekerheid.reports.sections.outreach import outreach_subsection
    from bestaanszekerheid.reports.tree import Paragraph

    part = _section(run.html(), "waar-wonen-ze")
    plan = part[part.index('<section id="bereikplan"') :]
    plan = plan[: plan.index("</section>")]
    assert "groep &#39;doelgroep&#39;" not in plan and "groep 'doelgroep'" not in plan
    assert "huishoudens uit de hele doelgroep (" in plan
    assert "van het gepubliceerde totaal" in plan
    # The default budget says so; a budget given with --deuren says that.
    assert run.result.options.doors == 2000
    assert "Het budget van 2.000 deuren is de standaardwaarde" in plan
    assert "Volgende stap voor het wijkteam: bel eerst aan bij de deuren van deze" in plan
    assert "consultatiebureaus" in plan and "partners in de wijk" in plan
    areas = run.result.areas
    assert areas is not None
    other = replace(run.result, outreach=_outreach(areas, 3500, ("doelgroep",)))
    section = outreach_subsection(other)
    assert section is not None
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert any("Het budget van 3.500 deuren is opgegeven met --deuren 3500." in t for t in texts)
    assert not any("standaardwaarde" in t for t in texts)


def test_outreach_plan_and_curve_fit_a_phone(run: Run) -> None:
    """390 px: the plan tables have short headers and the phone layout (class narrow); the
    curve has a phone version at most 320 px wide, with no text below 11 px, and every
    label for screen readers in Dutch."""
    from bestaanszekerheid.reports.sections.areas import areas_section
    from bestaanszekerheid.reports.tree import Chart, Report, Table

    section = areas_section(run.result)
    assert section is not None
    blocks = {
        b.key: b
        for _, b in Report("t", "", "nl", True, "", (section,)).walk()
        if isinstance(b, Chart | Table)
    }
    table = blocks["bereikplan"]
    assert isinstance(table, Table) and table.narrow
    assert len(table.columns) == 6 and all(len(c) <= 15 for c in table.columns)
    html = run.html()
    assert '<table class="narrow" data-tabel="bereikplan"' in html
    chart = blocks["bereik-curve-grafiek"]
    assert isinstance(chart, Chart) and chart.narrow_svg
    width = re.search(r'<svg[^>]* width="(\d+(?:\.\d+)?)"', chart.narrow_svg)
    assert width is not None and float(width[1]) <= 320
    for svg in (chart.svg, chart.narrow_svg):
        sizes = [float(v) for v in re.findall(r'font-size="(\d+(?:\.\d+)?)px"', svg)]
        assert sizes and min(sizes) >= 11
        labels = re.findall(r'aria-(?:label|roledescription)="([^"]*)"', svg)
        assert labels and "Horizontale as 'Deurenbudget (huishoudens)'" in " ".join(labels)
        english = re.compile(r"\b(axis|legend|mark|container|titled|scale|values?|point)\b", re.I)
        assert not [label for label in labels if english.search(label)]
        assert "hele doelgroep" in svg


def test_young_children_table_lists_every_wijk(run: Run) -> None:
    from bestaanszekerheid.disclosure import TOTAL
    from bestaanszekerheid.reports.sections.outreach import young_children_subsection

    areas = run.result.areas
    assert areas is not None and areas.young_children is not None
    wijk = areas.levels["wijk"]
    section = young_children_subsection(areas, wijk)
    assert section is not None
    (table,) = section.blocks
    assert table.narrow  # type: ignore[union-attr]
    rows = table.rows  # type: ignore[union-attr]
    assert len(rows) == len(wijk.target)
    counts = areas.young_children.frame.iloc[:, 0]
    shown = [r[1] for r in rows]
    known = [c for c in shown if not math.isnan(float(c.value))]  # type: ignore[arg-type]
    # Published counts first, most first; the hidden ones (x) last.
    numbers = [float(c.value) for c in known]  # type: ignore[arg-type]
    assert numbers == sorted(numbers, reverse=True)
    assert shown[: len(numbers)] == known
    assert len(numbers) == int(counts.drop(TOTAL, errors="ignore").notna().sum())
    assert "de tabel noemt elke wijk" in section.lead


def test_group_plans_only_when_the_area_model_check_was_released(run: Run) -> None:
    """A group's reach per area rests on its estimates: refused, no group plan is made (the
    bundle publishes every plan)."""
    from dataclasses import replace

    from bestaanszekerheid.pipeline import _outreach

    areas = run.result.areas
    assert areas is not None and areas.model_check is not None
    keys = [g.key for g in run.result.profiles.groups]
    assert list(run.result.outreach) == ["doelgroep", *keys]
    refused = _outreach(replace(areas, model_check=None), run.result.options.doors)
    assert list(refused) == ["doelgroep"]


def test_persona_cards_have_a_map_per_group_with_area_figures(run: Run) -> None:
    """One small map per group that has released figures per wijk (the report's condition),
    suppressed wijken hatched as on the report's maps; none when the check was refused."""
    import base64
    from dataclasses import replace

    from bestaanszekerheid.reports.cards import MAP_CAPTION
    from bestaanszekerheid.reports.sections.areas import group_figures

    result = run.result
    groups = group_figures(result.areas)
    assert groups is not None
    cards = render_cards_html(result).split('<article class="card">')[1:]
    assert len(cards) == len(result.profiles.groups)
    for g, card in zip(result.profiles.groups, cards, strict=True):
        own = groups[groups["groep"] == g.key]
        assert card.count('<img class="map"') == (0 if own.empty else 1), g.key
        if own.empty:
            continue
        assert card.count(MAP_CAPTION) == 1
        assert "Grenzen: CBS, wijk- en buurtindeling 2024 (CC BY 4.0)" in card
        uri = re.search(r'<img class="map" src="data:image/svg\+xml;base64,([^"]+)"', card)
        assert uri is not None
        svg = base64.b64decode(uri[1]).decode("utf-8")
        if own["index"].isna().any():
            assert "bsz-arcering" in svg and "te weinig huishoudens" in svg
    # Refused area model check: no group figure per wijk anywhere, so no map on any card.
    refused = replace(result, areas=replace(result.areas, model_check=None))
    html = render_cards_html(refused)
    assert '<img class="map"' not in html and MAP_CAPTION not in html
    assert html.count('<article class="card">') == len(result.profiles.groups)


def test_without_polygons_the_areas_section_shows_its_tables_and_no_map(run: Run) -> None:
    """A catalogue made from a StatLine table alone has no polygons (docs/gebieden.md): the
    figures per wijk as tables, no map in the report or on the cards (it crashed before)."""
    from dataclasses import replace

    from bestaanszekerheid.reports.sections.areas import areas_section
    from bestaanszekerheid.reports.tree import Chart, Report, Table

    areas = run.result.areas
    assert areas is not None
    flat = replace(run.result, areas=replace(areas, catalog=replace(areas.catalog, geometry={})))
    section = areas_section(flat)
    assert section is not None
    report = Report("t", "", "nl", True, "", (section,))
    blocks = [b for _, b in report.walk()]
    assert not any(isinstance(b, Chart) and b.key.startswith("kaart") for b in blocks)
    keys = {b.key for b in blocks if isinstance(b, Table)}
    assert "doelgroep-per-wijk" in keys
    assert {f"kaart-index-{g.number}" for g in run.result.profiles.groups} <= keys
    assert '<img class="map"' not in render_cards_html(flat)


def test_partners_per_wijk_of_the_plan_or_how_to_add_them(run: Run) -> None:
    """Without a partner file the section says how to add one; with one, every wijk of the
    plan is listed with the partners that work there, and city-wide partners once."""
    from bestaanszekerheid.areas.partners import Partner
    from bestaanszekerheid.reports.sections.partners import (
        NO_FILE,
        partners_subsection,
        plan_wijken,
    )
    from bestaanszekerheid.reports.tree import Bullets, Paragraph

    part = _section(run.html(), "waar-wonen-ze")
    assert "Ook buiten de voordeur" in part and "--partners partners.csv" in part
    areas, plan = run.result.areas, run.result.outreach["doelgroep"]
    assert areas is not None
    catalog = areas.catalog
    wijken = plan_wijken(plan, catalog)
    parent = catalog.parent()
    assert wijken and set(wijken) == {parent.get(c, c) for c in plan.exact.codes}
    partners = (
        Partner("Buurthuis", "buurthuis", "", (wijken[0],)),
        Partner("Werkplein", "werk", "", ()),
    )
    section = partners_subsection(plan, partners, catalog)
    assert section is not None
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert NO_FILE not in texts and "In de hele gemeente: Werkplein – werk." in texts
    (listed,) = [b for b in section.blocks if isinstance(b, Bullets)]
    names = catalog.names("wijk")
    assert listed.items[0] == f"{names[wijken[0]]}: Buurthuis – buurthuis"
    assert len(listed.items) == len(wijken)
    assert all("geen partner bekend: zoek er een" in item for item in listed.items[1:])
    # The wijken where most target households live come next, when not in the plan.
    outside = [b.code for b in catalog.wijken if b.code not in wijken][:2]
    more = partners_subsection(plan, partners, catalog, most=[wijken[0], *outside])
    assert more is not None
    extra = [b for b in more.blocks if isinstance(b, Bullets)][1]
    assert extra.items == tuple(f"{names[c]}: geen partner bekend: zoek er een" for c in outside)


def test_the_summary_is_five_key_messages_and_one_table_under_250_words(run: Run) -> None:
    from bestaanszekerheid.formatting import fmt_int
    from bestaanszekerheid.reports.sections.summary import summary_section
    from bestaanszekerheid.reports.tree import Bullets, Table

    section = summary_section(run.result)
    messages = next(b for b in section.blocks if isinstance(b, Bullets))
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert len(messages.items) == 5
    assert messages.items[3].startswith("Wat dit vraagt:")
    assert messages.items[4].startswith("Onzeker:")
    assert "synthetische gegevens" in messages.items[4]
    words = sum(len(m.split()) for m in messages.items) + sum(
        len(" ".join(c.text() for c in row).split()) for row in table.rows
    )
    assert words < 250, words
    groups = run.result.profiles.groups
    assert len(table.rows) == len(groups)
    for g, row in zip(groups, table.rows, strict=True):
        assert g.name in row[0].text()
        assert row[1].text() == fmt_int(g.size)
    html = run.html()
    start = html.index('<section id="samenvatting"')
    part = html[start : html.index("</section>", start)]
    for g in groups:
        assert fmt_int(g.size) in part


def test_every_group_page_has_its_aanknopingspunten(run: Run) -> None:
    from bestaanszekerheid.profiles.support import pointers_for

    html = run.html()
    for g in run.result.profiles.groups:
        start = html.index(f'id="groep-{g.number}"')
        part = html[start : html.index("</section>", start)]
        p = pointers_for(run.result.profiles.comparison, g.key)
        assert "Regelingen: gebruik en waarschijnlijk recht" in part
        for pointer in p.pointers:
            assert pointer.title in part
