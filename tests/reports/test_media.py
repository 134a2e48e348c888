"""The report on every medium, the workbook an analyst can use, and the cards without Pango.

No raw code in what a reader sees (report and cards); links only to files the run wrote; the
workbook with readable sheet names, links, frozen headers, filters and numbers as numbers;
persona cards as print-ready HTML where WeasyPrint cannot load its system libraries.
"""

from __future__ import annotations

import base64
import builtins
import html as html_lib
import re
import types
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bestaanszekerheid.reports.cards import render_cards_html, write_cards
from bestaanszekerheid.reports.tree import Cell, Table
from bestaanszekerheid.reports.xlsx import HEADER_ROW, _write_report_table, dutch_number

from .conftest import Run

#: A raw identifier: lower-case words joined by underscores (``min_count``, ``wijk_code``).
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
#: File names a reader is pointed to (``onthullingscontrole_experiment.md``) are not code.
FILE_NAME = re.compile(r"\b[\w.-]+\.(?:md|json|csv|yaml|xlsx|pdf|html|parquet|sav)\b")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: everything but styles and scripts (SVG text and
    titles count: they are labels and tooltips)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "aria-label", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def raw_code(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = FILE_NAME.sub(" ", " ".join(parser.parts))
    return sorted(set(SNAKE.findall(text)))


def test_raw_code_finder_is_not_vacuous() -> None:
    page = '<p>Regel min_count, zie <a href="x">onthullingscontrole_experiment.md</a>.</p>'
    assert raw_code(page) == ["min_count"]
    assert raw_code("<style>.a_b { }</style><p>geen code</p>") == []


def test_no_raw_code_in_the_report_or_the_cards(run: Run) -> None:
    assert raw_code(run.html()) == []
    assert raw_code(render_cards_html(run.result)) == []


def test_leftovers_are_gone_and_age_bands_have_one_form(run: Run) -> None:
    parser = VisibleText()
    parser.feed(run.html())
    text = " ".join(parser.parts)
    assert "Versie van de normtabel" not in text
    assert " - 1 eenheden" not in text
    assert "Guidelines" not in text and "guidelines" not in text and "ACRO safe_" not in text
    assert not re.search(r"\b\d{2}-\d{2} jaar\b", text)
    assert "45 tot 67 jaar" in text
    assert "90.0%" not in text


def test_technical_model_choice_comes_after_the_groups(run: Run) -> None:
    html = run.html()
    groups = html.index('<section id="per-groep"')
    methods = html.index('<section id="methoden"')
    assert groups < methods < html.index('<section id="modelkeuze"')
    assert html.index('<section id="modelkeuze"') < html.index(
        '<section id="bijlage-onthullingscontrole"'
    )
    before = html[:groups]
    assert "BIC" not in re.sub(r"<[^>]+>", " ", before)


def test_the_report_links_to_the_outputs_the_run_wrote(run: Run) -> None:
    html = run.html()
    nav = html[html.index('<nav class="outputs"') : html.index("</nav>", html.index("outputs"))]
    links = re.findall(r'<a href="([^"]+)"', nav)
    assert "persona-kaarten.pdf" in links and "tabellen.xlsx" in links
    for link in links:
        assert "/" not in link and ":" not in link  # relative, beside the report
        assert (run.out / link).is_file()
        # Nothing marked "niet publiceren" (the checker's logs name a reason per hidden cell).
        if link.endswith((".md", ".html", ".txt")):
            assert "niet publiceren" not in (run.out / link).read_text(encoding="utf-8").lower()
    assert not any(link.startswith("onthullingscontrole") for link in links)
    assert "bundel.json" not in links  # for the web app, not a reader


def test_xlsx_is_usable_by_an_analyst(run: Run) -> None:
    wb = load_workbook(run.out / "tabellen.xlsx")
    names = wb.sheetnames
    assert names[0] == "Inhoud"
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31 and "…" not in name, name
    assert all(re.match(r"^[TSBD]\d{2} \S", n) for n in names[1:]), names
    index = wb["Inhoud"]
    linked = {}
    for row in index.iter_rows():
        if row[0].hyperlink is not None:
            assert row[1].hyperlink is not None  # the title links too
            linked[row[0].value] = row[0].hyperlink.location
    assert all(location == f"'{name}'!A1" for name, location in linked.items())
    assert set(linked) == set(names[1:])
    assert index.freeze_panes is not None and index.auto_filter.ref
    text_numbers = []
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == f"B{HEADER_ROW + 1}", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
        back = ws.cell(row=HEADER_ROW - 1, column=1)
        assert back.hyperlink is not None and "Inhoud" in str(back.hyperlink.location)
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            for cell in row[1:]:
                if isinstance(cell.value, str) and dutch_number(cell.value) is not None:
                    text_numbers.append((ws.title, cell.coordinate, cell.value))
    assert text_numbers == []


def test_xlsx_area_sheets_name_the_area_beside_its_code(run: Run) -> None:
    wb = load_workbook(run.out / "tabellen.xlsx", read_only=True)
    sheet = next(ws for ws in wb.worksheets if ws["A1"].value == "Doelgroep per wijk")
    header = next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    assert header[:2] == ("Wijk", "Wijk (code)")
    first = next(sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 1, values_only=True))
    assert isinstance(first[0], str) and not first[0].startswith("WK")
    assert str(first[1]).startswith("WK")


def test_a_report_table_of_areas_gets_a_code_column() -> None:
    table = Table(
        key="groep-wijk",
        title="Groep 1 per wijk",
        columns=("Wijk", "Aandeel", "Index"),
        rows=(
            (Cell("Binnenstad (WK085510)"), Cell(12.5, "pct"), Cell(1.3, "num2")),
            (Cell("Het Zand (WK085524)"), Cell(None), Cell(0.8, "num2")),
        ),
    )
    ws = Workbook().active
    _write_report_table(ws, table, synthetic=False)
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(("Wijk", "Code", "Aandeel", "Index"))
    assert rows[header + 1] == ("Binnenstad", "WK085510", 0.125, 1.3)
    assert rows[header + 2][:2] == ("Het Zand", "WK085524")
    assert ws.cell(row=header + 2, column=3).number_format.endswith("%")


def test_p_values_written_as_text_become_numbers_with_their_format() -> None:
    table = Table(
        key="p",
        title="Effecten",
        columns=("Arm", "p", "p (Holm)", "Aantal"),
        rows=(
            (Cell("A"), Cell("0,379"), Cell("<0,001"), Cell("1.234")),
            (Cell("B"), Cell("0,041"), Cell("1,000"), Cell(12.0, "int")),
        ),
    )
    ws = Workbook().active
    _write_report_table(ws, table, synthetic=False)
    a, b = ws[HEADER_ROW + 1], ws[HEADER_ROW + 2]
    assert (a[1].value, a[1].number_format) == (0.379, "0.000")
    assert a[2].value == "<0,001"  # a bound, not a number: stays as the report says it
    assert (a[3].value, a[3].number_format) == (1234, "#,##0")
    assert (b[2].value, b[3].value, b[3].number_format) == (1.0, 12, "#,##0")
    assert dutch_number("45,3%") == (0.453, "0.0%")
    assert dutch_number("0855") is None and dutch_number("WK085510") is None


def test_cards_fall_back_to_print_ready_html_without_pango(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint raises OSError when it cannot load Pango (a Windows desktop in CBS Remote
    Access); the cards then come out as HTML and the run says so."""
    real_import = builtins.__import__

    def no_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': error 0x7e")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    written = write_cards(run.result, tmp_path / "persona-kaarten.pdf")
    monkeypatch.setattr(builtins, "__import__", real_import)
    assert written == tmp_path / "persona-kaarten.html"
    assert not (tmp_path / "persona-kaarten.pdf").exists()
    html = written.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "@page" in html
    assert html.count('class="card"') == len(run.result.profiles.groups)
    assert "http://" not in html and "https://" not in html  # self-contained

    from bestaanszekerheid.cli import analyse

    printed: list[str] = []
    monkeypatch.setattr(
        analyse.console, "print", lambda *a, **k: printed.append(str(a[0]) if a else "")
    )
    fake = types.SimpleNamespace(profiles=run.result.profiles, files={"kaarten": written})
    analyse.print_paths(fake, tmp_path)  # type: ignore[arg-type]
    said = "\n".join(printed)
    assert "persona-kaarten.html" in said and "(HTML: open in een browser" in said
    assert "WeasyPrint kon zijn systeembibliotheken (Pango) niet laden" in said


@pytest.mark.slow
def test_report_prints_short_and_holds_on_a_phone(run: Run, tmp_path: Path) -> None:
    """Chromium's print to PDF: at most 15 A4 pages (details stay folded, a page per group).
    A heading reached from the contents lands below the sticky banner. On a 390 px phone
    the title comes before the folded contents, and charts keep their own size (12 px
    labels, never scaled below 11 px) inside a strip that scrolls sideways."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    from tests.browser import launch_chromium

    uri = (run.out / "rapport.html").as_uri()
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 800})
            page.goto(uri + "#groep-1", wait_until="load")
            page.wait_for_timeout(200)
            heading, banner = page.evaluate(
                """() => [document.getElementById('groep-1-titel').getBoundingClientRect().top,
                    document.querySelector('.banner').getBoundingClientRect().bottom]"""
            )
            page.pdf(path=str(tmp_path / "rapport.pdf"), format="A4")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(uri, wait_until="load")
            layout = phone.evaluate(
                """() => ({
                    title: document.querySelector('h1').getBoundingClientRect().top,
                    toc: document.querySelector('nav.toc').getBoundingClientRect().top,
                    tocOpen: document.querySelector('nav.toc details').open,
                    tocHeight: document.querySelector('nav.toc').getBoundingClientRect().height,
                    pageWidth: document.documentElement.scrollWidth,
                    printOnly: [...document.querySelectorAll(
                        'img.print-only, .map-print, figure.map-key, span.print-only')].map(
                        i => i.getBoundingClientRect().width),
                    charts: [...document.querySelectorAll('figure.chart img:not(.print-only)')].map(
                        i => [i.closest('figure').id, i.naturalWidth,
                              i.getBoundingClientRect().width]),
                })"""
            )
        finally:
            browser.close()
    assert len(PdfReader(tmp_path / "rapport.pdf").pages) <= 15
    # The charts drawn for paper stay off the screen.
    assert layout["printOnly"] and set(layout["printOnly"]) == {0}
    assert heading >= banner
    assert layout["title"] < layout["toc"] and not layout["tocOpen"]
    assert layout["tocHeight"] < 100 and layout["pageWidth"] <= 390
    small = [(key, n, w) for key, n, w in layout["charts"] if w < n * 11 / 12 - 0.5]
    assert layout["charts"] and small == []


#: The smallest text of a chart on paper (pt): labels, legends, axes, the numbers on a map.
MIN_CHART_PT = 8.0
#: The smallest of any text on paper (pt): the key figures' labels and the words beside the
#: group maps are 7.5 pt.
MIN_PAPER_PT = 7.5

_FIGURE = re.compile(r'<figure class="chart" id="([^"]+)">(.*?)</figure>', re.DOTALL)
_IMG = re.compile(r'<img src="data:image/svg\+xml;base64,([^"]+)"[^>]*?(class="print-only")?>')
_INLINE = re.compile(r'<div class="map( map-wide| map-print)?" role="img"[^>]*>(<svg.*?</svg>)')
_SVG_TEXT = re.compile(r"<(?:text|tspan)\b[^>]*>([^<]+)<")


def _printed_chart_texts(page: str) -> dict[str, set[str]]:
    """Per chart (its figure's id): the texts of the SVG that goes on paper (the one drawn
    for paper, or else the screen's) that the page's own text never has, so that a run of
    that text in the printed PDF is that chart's."""
    own = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<script>.*?</script>", "", page, flags=re.S)
    page_text = {html_lib.unescape(t).strip() for t in re.findall(r">([^<]+)<", own)}
    out: dict[str, set[str]] = {}
    for key, body in _FIGURE.findall(page):
        imgs = {bool(paper): src for src, paper in _IMG.findall(body)}
        inline = {kind.strip(): svg for kind, svg in _INLINE.findall(body)}
        if imgs:
            svg = base64.b64decode(imgs.get(True) or imgs[False]).decode("utf-8")
        elif inline:
            svg = inline.get("map-print") or inline.get("map-wide") or inline[""]
        else:
            continue
        texts = {html_lib.unescape(t).strip() for t in _SVG_TEXT.findall(svg)}
        out[key] = {t for t in texts if t and t not in page_text}
    return out


def test_the_chart_texts_finder_reads_the_printed_svg() -> None:
    def svg(*texts: str) -> str:
        return "<svg>" + "".join(f'<text x="1">{t}</text>' for t in texts) + "</svg>"

    def img(body: str, paper: bool = False) -> str:
        data = base64.b64encode(body.encode()).decode()
        extra = ' class="print-only"' if paper else ""
        return f'<img src="data:image/svg+xml;base64,{data}"{extra}>'

    page = (
        f'<figure class="chart" id="a"><figcaption>As</figcaption>{img(svg("scherm", "As"))}'
        f"{img(svg('papier', '1 &amp; 2'), paper=True)}</figure>"
        f'<figure class="chart" id="b"><div class="map map-wide" role="img">{svg("breed")}</div>'
        f'<div class="map map-print" role="img">{svg("kaart")}</div></figure>'
        f'<figure class="chart" id="c">{img(svg("alleen", "As"))}</figure>'
    )
    assert _printed_chart_texts(page) == {"a": {"papier", "1 & 2"}, "b": {"kaart"}, "c": {"alleen"}}


@pytest.mark.slow
def test_report_prints_on_at_most_15_pages(run: Run, tmp_path: Path) -> None:
    """A page per group, and every chart readable on paper: each chart's text (labels,
    legends, axes, the numbers on a map) at :data:`MIN_CHART_PT` or more, the maps' shared
    key too, nothing on paper under :data:`MIN_PAPER_PT`. The screen's charts, shrunk to
    fit, printed at 1.9 pt (the group maps' legends and numbers) to 6.2 pt (the heatmap)."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    from tests.browser import launch_chromium
    from tests.reports.test_cards import _text_sizes

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            page.goto((run.out / "rapport.html").as_uri(), wait_until="load")
            page.pdf(path=str(tmp_path / "rapport.pdf"), format="A4")
        finally:
            browser.close()
    assert len(PdfReader(tmp_path / "rapport.pdf").pages) <= 15
    sizes = _text_sizes(tmp_path / "rapport.pdf")
    chart_text = [s for _, s, t in sizes if t.strip() in {"deze groep", "hele doelgroep"}]
    # Each group's chart has its legend's two entries on paper.
    assert len(chart_text) >= 2 * len(run.result.profiles.groups)
    texts = _printed_chart_texts(run.html())
    # A run of a chart's text is that chart's (or, for a text two charts have, one of theirs).
    printed: set[str] = set()
    too_small = set()
    for number, size, text in sizes:
        charts = tuple(key for key, own in texts.items() if text.strip() in own)
        printed.update(charts)
        if charts and size < MIN_CHART_PT - 0.01:
            too_small.add((round(size, 2), number, text.strip(), " of ".join(charts[:3])))
    groups = [g.number for g in run.result.profiles.groups]
    on_paper = {
        "groepsgrootte-grafiek", "heatmap", "kaart-doelgroep-per-wijk", "bereik-curve-grafiek",
        *(f"kenmerken-grafiek-{n}" for n in groups), *(f"kaart-groep-{n}" for n in groups),
    }  # fmt: skip
    # Every one of them on paper (a group's map without numbered wijken has no text).
    assert on_paper <= set(texts)
    with_text = {k for k in on_paper if texts[k]}
    assert len(with_text) > len(on_paper) / 2 and with_text <= printed, sorted(with_text - printed)
    # (pt, page, text, chart) of the smallest.
    assert not too_small, sorted(too_small)[:8]
    small = sorted((round(s, 2), p, t.strip()[:30]) for p, s, t in sizes if s < MIN_PAPER_PT - 0.01)
    assert not small, small[:10]
    # The group maps' one key on paper, at the size of the charts' text.
    key = re.search(r'<figure class="map-key">(.*?)</figure>', run.html(), re.DOTALL)
    assert key is not None
    entries = {html_lib.unescape(t).strip() for t in re.findall(r"</svg>([^<]+)</li>", key[1])}
    key_sizes = [s for _, s, t in sizes if t.strip() in entries]
    assert len(key_sizes) >= len(entries) >= 5 and min(key_sizes) >= MIN_CHART_PT - 0.01


def test_cards_are_written_here_when_the_second_process_cannot_start(
    run: Run, tmp_path: Path
) -> None:
    """``write_all`` writes the PDF in a second process; when that process cannot start
    (a main module it cannot import, such as a script on stdin) the PDF is written here, the
    same file."""
    from concurrent.futures import Executor, Future
    from concurrent.futures.process import BrokenProcessPool

    from bestaanszekerheid.reports.cards import start_cards

    class Broken(Executor):
        def submit(self, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_exception(BrokenProcessPool("no second process"))
            return future

    written = start_cards(run.result, tmp_path / "persona-kaarten.pdf", Broken())()
    assert written == tmp_path / "persona-kaarten.pdf"
    direct = write_cards(run.result, tmp_path / "direct.pdf")
    assert written.read_bytes() == direct.read_bytes()
