"""Read what one run publishes into a neutral structure for the attacker.

Only published files are read: ``tabellen.xlsx``, ``bundel.json``, ``rapport.html`` (tables
with their ``data-waarde`` attributes and visible text, alt texts, the chart data inside the
inline SVGs: ``aria-label``s and ``<title>``s) and any CSV. The output checker's log
(``onthullingscontrole*.json``) is read only in worst-case mode, and kept apart
(:attr:`Published.hidden_log`).

Every number keeps where it was read and at which precision (:class:`Num`): a figure shown as
``39,5%`` lies in [39,45; 39,55], a bundle value rounded to 4 decimals within 0,00005, a
spreadsheet or ``data-waarde`` float is exact. One quantity seen in several places is a
:class:`Figure` whose interval is the intersection of what each place says, so the attacker
can be restricted to what a reader sees (``DISPLAY_SOURCES``) or use everything. This is the
precision of each *place*; the attacker widens it to what the run's rules say a model
share is known to (``attacker.model_nums``): a float written for a share rounded to one
decimal is not exact.

Nothing here imports the package: the structure is rebuilt from the files alone, so the
attacker cannot lean on the code it attacks.
"""

from __future__ import annotations

import base64
import csv
import json
import math
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

INF = math.inf
TOTAL_LABELS = ("Totaal", "Total")
HIDDEN_MARKS = ("x", "X")

# Where a number was read.
XLSX = "xlsx"
BUNDLE = "bundle"
HTML_DATA = "html-data"  # data-waarde attribute of a table cell
HTML_TEXT = "html-text"  # visible text of a table cell
ARIA = "aria"  # aria-label / <title> of a chart mark inside an SVG
ALT = "alt"  # alt text of a chart
TEXT = "text"  # paragraphs, bullets, key figures, descriptions
CLI = "cli"  # console output of a command
LOG = "log"  # the output checker's log (worst case only)

#: Machine floats written without rounding.
FULL_PRECISION_SOURCES = frozenset({XLSX, HTML_DATA})
#: What a reader of the report sees; the rest is "more decimals than the report shows".
DISPLAY_SOURCES = frozenset({HTML_TEXT, ALT, TEXT, CLI})
#: The bundle rounds to this many decimals (``reports/bundle.py``: ``_num``).
BUNDLE_DECIMALS = 4

CellRef = tuple[str, str, str]  # (table name, row label, column label; "" for one-way tables)


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A number as published in one place: its value and the interval the truth lies in."""

    value: float
    lo: float
    hi: float
    source: str
    decimals: int | None = None  # digits after the decimal point; None: an unrounded float
    band: bool = False  # "minder dan 5%", "meer dan 94%", "1-9": only the interval is known

    @property
    def width(self) -> float:
        return self.hi - self.lo


def _half_width(decimals: int, exponent: int = 0) -> float:
    return 0.5 * 10.0 ** (exponent - decimals)


def machine_num(value: float, source: str) -> Num:
    """A float written by a program: exact for xlsx/data-waarde, 4 decimals in the bundle."""
    v = float(value)
    decimals = _repr_decimals(v)
    if source in FULL_PRECISION_SOURCES or (source == BUNDLE and decimals > BUNDLE_DECIMALS):
        eps = max(abs(v) * 1e-9, 1e-9)
        return Num(v, v - eps, v + eps, source, None)
    if source == BUNDLE:
        if float(v).is_integer() and isinstance(value, int):
            return Num(v, v, v, source, 0)
        hw = _half_width(BUNDLE_DECIMALS)
        return Num(v, v - hw, v + hw, source, BUNDLE_DECIMALS)
    hw = _half_width(decimals)
    return Num(v, v - hw, v + hw, source, decimals)


def _repr_decimals(v: float) -> int:
    text = repr(float(v))
    if "e" in text or "E" in text:
        mantissa, exp = text.lower().split("e")
        frac = mantissa.split(".")[1] if "." in mantissa else ""
        frac = frac.rstrip("0")
        return max(len(frac) - int(exp), 0)
    frac = text.split(".")[1] if "." in text else ""
    frac = frac.rstrip("0")
    return len(frac)


_NL_NUMBER = re.compile(
    r"(?P<sign>[-−]?)(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<frac>\d+))?"
    r"(?:[eE](?P<exp>[-+−]?\d+))?"
)


def parse_nl_number(text: str) -> tuple[float, int, int] | None:
    """A Dutch number: (value, decimals, exponent). '1.234' is 1234, '12,5' is 12.5."""
    m = _NL_NUMBER.fullmatch(text.strip().replace("\u00a0", ""))
    if not m:
        return None
    int_part = m.group("int").replace(".", "")
    frac = m.group("frac") or ""
    exp = int((m.group("exp") or "0").replace("−", "-"))
    value = float(f"{int_part}.{frac or '0'}") * 10.0**exp
    if m.group("sign"):
        value = -value
    return value, len(frac), exp


_BAND = re.compile(
    r"(?P<op>meer dan|minder dan|ten minste|minstens|hoogstens|ten hoogste|tot en met|"
    r"<=|>=|≤|≥|<|>)\s*(?P<num>[-−]?[\d.,]+)\s*(?P<pct>%)?"
)
_RANGE = re.compile(r"(?P<a>[\d.,]+)\s*(?P<pa>%)?\s*(?:-|–|tot)\s*(?P<b>[\d.,]+)\s*(?P<pb>%)?")


def parse_band(text: str, source: str) -> Num | None:
    """'minder dan 5%' -> [0, 5]; 'meer dan 94%' -> [94, 100]; '1-9' -> [1, 9] (closed)."""
    t = text.strip().replace("\u00a0", " ")
    m = _BAND.fullmatch(t)
    if m:
        parsed = parse_nl_number(m.group("num"))
        if parsed is None:
            return None
        v = parsed[0]
        pct = bool(m.group("pct"))
        op = m.group("op")
        if op in ("meer dan", "ten minste", "minstens", ">", ">=", "≥"):
            lo, hi = v, (100.0 if pct else INF)
        else:
            lo, hi = (0.0, v)
        mid = (lo + hi) / 2 if math.isfinite(hi) else lo
        return Num(mid, lo, hi, source, None, band=True)
    m = _RANGE.fullmatch(t)
    if m:
        a, b = parse_nl_number(m.group("a")), parse_nl_number(m.group("b"))
        if a is None or b is None or a[0] > b[0]:
            return None
        return Num((a[0] + b[0]) / 2, a[0], b[0], source, None, band=True)
    return None


def parse_display(text: str, source: str, *, percent_ok: bool = True) -> Num | None:
    """A number or band as a reader sees it ('2.508', '39,5%', '0,98', 'meer dan 94%')."""
    t = text.strip().replace("\u00a0", " ")
    if not t:
        return None
    band = parse_band(t, source)
    if band is not None:
        return band
    if percent_ok and t.endswith("%"):
        t = t[:-1].strip()
    parsed = parse_nl_number(t)
    if parsed is None:
        return None
    value, decimals, exp = parsed
    hw = _half_width(decimals, exp)
    return Num(value, value - hw, value + hw, source, decimals - exp)


def is_hidden_text(text: str | None) -> bool:
    return text is not None and text.strip() in HIDDEN_MARKS


def band_from_json(obj: Any, source: str = BUNDLE) -> Num | None:
    """A number, band or hidden value as the bundle writes it (None when hidden/absent).

    Pct objects ({"waarde": 94, "ondergrens": true} means 'meer dan 94%'), bounds objects
    ({"ondergrens": 0, "bovengrens": 5}, {"van":, "tot":}, {"min":, "max":}, {"interval": [a,
    b]}), band strings ('minder dan 5%') and plain numbers are understood.
    """
    if obj is None or isinstance(obj, bool):
        return None
    if isinstance(obj, int | float):
        if isinstance(obj, float) and math.isnan(obj):
            return None
        return machine_num(obj, source)
    if isinstance(obj, str):
        return parse_display(obj, source)
    if isinstance(obj, list) and len(obj) == 2 and all(isinstance(v, int | float) for v in obj):
        lo, hi = float(obj[0]), float(obj[1])
        return Num((lo + hi) / 2, lo, hi, source, None, band=True)
    if isinstance(obj, dict):
        if "waarde" in obj and isinstance(obj.get("ondergrens"), bool):
            base = band_from_json(obj["waarde"], source)
            if base is None:
                return None
            # a band's limit is a number from a list, not a rounded value
            if obj["ondergrens"]:  # 'meer dan x%'
                return Num(base.value, base.value, 100.0, source, None, band=True)
            if obj.get("bovengrens") is True:  # 'minder dan x%'
                return Num(base.value, 0.0, base.value, source, None, band=True)
            return base
        for lo_key, hi_key in (
            ("ondergrens", "bovengrens"),
            ("van", "tot"),
            ("min", "max"),
            ("laag", "hoog"),
            ("low", "high"),
        ):
            if lo_key in obj or hi_key in obj:
                lo = obj.get(lo_key)
                hi = obj.get(hi_key)
                lo_v = 0.0 if lo is None else float(lo)
                hi_v = INF if hi is None else float(hi)
                mid = (lo_v + hi_v) / 2 if math.isfinite(hi_v) else lo_v
                return Num(mid, lo_v, hi_v, source, None, band=True)
        if "interval" in obj:
            return band_from_json(obj["interval"], source)
        if "band" in obj:
            return band_from_json(obj["band"], source)
        if "waarde" in obj:
            return band_from_json(obj["waarde"], source)
    return None


@dataclass
class Figure:
    """One published quantity, possibly seen in several places at different precisions."""

    reps: list[Num] = field(default_factory=list)
    hidden: bool = False  # some place shows it as hidden ('x' / null)

    def add(self, num: Num | None) -> None:
        if num is not None:
            self.reps.append(num)

    def nums(self, sources: Collection[str] | None = None) -> list[Num]:
        return [r for r in self.reps if sources is None or r.source in sources]

    def interval(self, sources: Collection[str] | None = None) -> tuple[float, float] | None:
        """Intersection of the intervals of every place (within ``sources``)."""
        nums = self.nums(sources)
        if not nums:
            return None
        lo = max(n.lo for n in nums)
        hi = min(n.hi for n in nums)
        if lo > hi:  # places disagree (e.g. different rounding rules): trust the narrowest
            best = min(nums, key=lambda n: n.width)
            return best.lo, best.hi
        return lo, hi

    def point(self, sources: Collection[str] | None = None) -> float | None:
        nums = self.nums(sources)
        if not nums:
            return None
        return min(nums, key=lambda n: n.width).value

    def exact_value(self, sources: Collection[str] | None = None) -> float | None:
        """The value of an unrounded place, if there is one."""
        for n in self.nums(sources):
            if n.decimals is None and not n.band:
                return n.value
        return None

    def banded(self, sources: Collection[str] | None = None) -> bool:
        nums = self.nums(sources)
        return bool(nums) and all(n.band for n in nums)


# ---------------------------------------------------------------------------------------------
# A small DOM for the report and its SVGs (html.parser only)
# ---------------------------------------------------------------------------------------------


class Node:
    """An element: tag, attributes, children (nodes and strings) and parent."""

    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []
        self.parent = parent

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag:
                yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def text(self) -> str:
        parts: list[str] = []

        def visit(n: Node) -> None:
            if n.tag in ("script", "style"):
                return
            for c in n.children:
                if isinstance(c, str):
                    parts.append(c)
                else:
                    visit(c)

        visit(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _Builder(HTMLParser):
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.cur.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.cur))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def parse_dom(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


# ---------------------------------------------------------------------------------------------
# The neutral structure
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenInfo:
    """What is known about a hidden cell: its status and the reasons given for hiding it."""

    status: str | None  # "primary" | "secondary" | None
    reasons: tuple[str, ...]
    origin: str  # the file it was read from


@dataclass
class CountTable:
    """A table of unit counts with its totals (a row/column labelled 'Totaal')."""

    name: str
    source: str
    population: str
    row_labels: list[str]
    col_labels: list[str]  # one-way tables: a single column
    values: list[list[tuple[float, float] | None]]  # None: hidden
    one_way: bool = True

    def _total_index(self, labels: list[str]) -> int | None:
        for i, label in enumerate(labels):
            if label in TOTAL_LABELS:
                return i
        return None

    @property
    def total_row(self) -> int | None:
        return self._total_index(self.row_labels)

    @property
    def total_col(self) -> int | None:
        return None if self.one_way else self._total_index(self.col_labels)

    def col_key(self, c: int) -> str:
        return "" if self.one_way else self.col_labels[c]

    def ref(self, r: int, c: int) -> CellRef:
        return (self.name, self.row_labels[r], self.col_key(c))

    def index_of(self, row: str, col: str = "") -> tuple[int, int] | None:
        if row not in self.row_labels:
            return None
        c = 0 if self.one_way else (self.col_labels.index(col) if col in self.col_labels else -1)
        if c < 0:
            return None
        return self.row_labels.index(row), c

    def lines(self) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
        """(parts, total) for every row and column that has a total."""
        out: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
        tr, tc = self.total_row, self.total_col
        n_r, n_c = len(self.row_labels), len(self.col_labels)
        if tr is not None:
            for c in range(n_c):
                out.append(([(r, c) for r in range(n_r) if r != tr], (tr, c)))
        if tc is not None:
            for r in range(n_r):
                out.append(([(r, c) for c in range(n_c) if c != tc], (r, tc)))
        return out

    def cells(self) -> Iterator[tuple[int, int, tuple[float, float] | None]]:
        for r, row in enumerate(self.values):
            for c, v in enumerate(row):
                yield r, c, v

    def is_margin(self, r: int, c: int) -> bool:
        return r == self.total_row or c == self.total_col


@dataclass
class RCell:
    """A cell of a report table: its text as shown, and its number (None for text cells)."""

    text: str | None
    fig: Figure | None = None


@dataclass
class ReportTable:
    """A table of the report (bundle 'tabellen', HTML tables, XLSX estimate/model sheets)."""

    key: str
    title: str
    kind: str
    columns: list[str]
    rows: list[list[RCell]]
    sources: list[str] = field(default_factory=list)
    note: str = ""

    def column(self, name: str) -> int | None:
        return self.columns.index(name) if name in self.columns else None


@dataclass
class Group:
    """A latent class as published: key, name, size (rounded to tens) and share (%)."""

    key: str
    name: str
    size: Figure = field(default_factory=Figure)
    share: Figure = field(default_factory=Figure)


@dataclass
class TreeRule:
    conditions: tuple[str, ...]
    coverage: Figure = field(default_factory=Figure)
    precision: Figure = field(default_factory=Figure)


@dataclass
class GroupTree:
    """The decision tree's recognisability of one group (percentages, some as bands)."""

    key: str
    recall: Figure = field(default_factory=Figure)
    rules: list[TreeRule] = field(default_factory=list)


@dataclass
class WijkShare:
    """The share of one group among the target households of one wijk."""

    group: str
    code: str
    name: str
    households: Figure = field(default_factory=Figure)
    share: Figure = field(default_factory=Figure)
    index: Figure = field(default_factory=Figure)


@dataclass
class FitRow:
    classes: int
    bic: Figure = field(default_factory=Figure)
    entropy: Figure = field(default_factory=Figure)
    smallest: Figure = field(default_factory=Figure)  # % of the households
    stability: Figure = field(default_factory=Figure)


@dataclass(frozen=True)
class ChartDatum:
    """One chart mark's accessible description, split into fields and numbers."""

    chart: str
    title: str
    text: str
    fields: tuple[tuple[str, str], ...]
    numbers: tuple[tuple[str, Num], ...]

    def field(self, name: str) -> str | None:
        for k, v in self.fields:
            if k == name:
                return v
        return None

    def number(self, name: str) -> Num | None:
        for k, v in self.numbers:
            if k == name:
                return v
        return None


@dataclass(frozen=True)
class TextItem:
    source: str  # html / bundle / cli name
    where: str
    text: str


@dataclass(frozen=True)
class StatedCount:
    """A count stated in running text ('492 huishoudens in de doelgroep')."""

    source: str
    where: str
    value: float
    context: str


@dataclass(frozen=True)
class Link:
    """A relation between count cells of different tables that the attacker knows."""

    kind: str  # "eq" | "le"  (a == b, a <= b)
    a: CellRef
    b: CellRef
    why: str


@dataclass
class Published:
    """Everything one run publishes, parsed."""

    run_dir: Path | None = None
    files: list[str] = field(default_factory=list)
    count_tables: dict[str, CountTable] = field(default_factory=dict)
    report_tables: dict[str, ReportTable] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    #: (characteristic label, level, group key) -> % of the group with that level
    class_shares: dict[tuple[str, str, str], Figure] = field(default_factory=dict)
    #: (characteristic label, level) -> % of the whole target group
    level_shares: dict[tuple[str, str], Figure] = field(default_factory=dict)
    #: (group key, wijk code) -> the group's share among the wijk's target households
    wijk_shares: dict[tuple[str, str], WijkShare] = field(default_factory=dict)
    trees: dict[str, GroupTree] = field(default_factory=dict)
    fit: dict[int, FitRow] = field(default_factory=dict)
    charts: list[ChartDatum] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    stated_counts: list[StatedCount] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    target_size: Figure = field(default_factory=Figure)
    #: hidden-cell status/reasons printed in published files (report appendix, bundle)
    hidden_published: dict[CellRef, HiddenInfo] = field(default_factory=dict)
    #: the same from the output checker's log: filled only in worst-case mode
    hidden_log: dict[CellRef, HiddenInfo] = field(default_factory=dict)
    #: rule values printed in the bundle (min_count, protection_width_counts, ...)
    rules: dict[str, Any] = field(default_factory=dict)
    #: statistic per table name, from the bundle's copy of the checks ('count', 'mean', ...)
    table_statistic: dict[str, str] = field(default_factory=dict)
    csv_tables: dict[str, list[list[str]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add_console_output(self, name: str, text: str, *, link_to_run: bool = False) -> None:
        """Console output of a command is published too: its lines are texts, and the count
        tables ``bsz doelgroep`` prints are count tables.

        The console output of ``bsz analyse`` belongs to the run's publication. ``bsz
        doelgroep`` is a publication of its own, checked with a register of its own: attack it
        on its own (:meth:`console_publication`). ``link_to_run=True`` links its tables to the
        run's tables over the same households (when the target sizes agree): the
        cross-publication attack, which per-publication control does not cover."""
        for line in text.splitlines():
            if line.strip():
                self.texts.append(TextItem(f"{CLI}:{name}", name, line.strip()))
        _add_stated_counts(self, f"{CLI}:{name}", name, text)
        _read_console_tables(self, name, text, link_to_run=link_to_run)

    @classmethod
    def console_publication(cls, name: str, text: str) -> Published:
        """A publication that is only the console output of one command (``bsz doelgroep``)."""
        pub = cls()
        pub.files.append(name)
        pub.add_console_output(name, text)
        return pub

    def hidden_info(self, ref: CellRef, *, worst_case: bool) -> list[HiddenInfo]:
        out = []
        if ref in self.hidden_published:
            out.append(self.hidden_published[ref])
        if worst_case and ref in self.hidden_log:
            out.append(self.hidden_log[ref])
        return out


# ---------------------------------------------------------------------------------------------
# Reading a run directory
# ---------------------------------------------------------------------------------------------


def read_run(run_dir: str | Path, *, worst_case: bool = False) -> Published:
    """Parse the published files of ``run_dir`` (and, for ``worst_case``, the checker's log)."""
    run = Path(run_dir)
    pub = Published(run_dir=run)
    bundle: dict[str, Any] | None = None
    if (run / "bundel.json").exists():
        bundle = json.loads((run / "bundel.json").read_text(encoding="utf-8"))
        pub.files.append("bundel.json")
        _read_bundle_meta(pub, bundle)
    xlsx_sheets: dict[str, list[tuple[Any, ...]]] = {}
    xlsx_index: list[tuple[str, str, str]] = []
    if (run / "tabellen.xlsx").exists():
        xlsx_index, xlsx_sheets = _load_xlsx(run / "tabellen.xlsx")
        pub.files.append("tabellen.xlsx")
        _read_xlsx_counts(pub, xlsx_index, xlsx_sheets)
    dom: Node | None = None
    if (run / "rapport.html").exists():
        dom = parse_dom((run / "rapport.html").read_text(encoding="utf-8"))
        pub.files.append("rapport.html")
    _read_report_tables(pub, bundle, dom, xlsx_index, xlsx_sheets)
    if dom is not None:
        _read_html_texts(pub, dom)
        _read_charts(pub, dom)
        _read_html_hidden(pub, dom)
    if bundle is not None:
        _read_bundle_texts(pub, bundle)
    for path in sorted(run.glob("*.csv")):
        pub.files.append(path.name)
        pub.csv_tables[path.name] = _read_csv(path)
    _fallback_counts(pub)
    _derive(pub, bundle, dom)
    if worst_case:
        for name in sorted(run.glob("onthullingscontrole*.json")):
            doc = json.loads(name.read_text(encoding="utf-8"))
            _read_log_hidden(pub, doc, pub.hidden_log, f"{LOG}:{name.name}")
    return pub


# -- XLSX -------------------------------------------------------------------------------------


def _load_xlsx(
    path: Path,
) -> tuple[list[tuple[str, str, str]], dict[str, list[tuple[Any, ...]]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    sheets: dict[str, list[tuple[Any, ...]]] = {}
    for ws in wb.worksheets:
        sheets[ws.title] = [tuple(_shown(c) for c in r) for r in ws.iter_rows()]
    wb.close()
    index: list[tuple[str, str, str]] = []
    rows = sheets.get("Inhoud", [])
    started = False
    for r in rows:
        if r and r[0] == "Blad":
            started = True
            continue
        if started and r and r[0]:
            index.append((str(r[0]), str(r[1] or ""), str(r[2] or "")))
    return index, sheets


def _shown(cell: Any) -> Any:
    """A cell's value as a reader sees it: a percentage-formatted 0.453 is 45.3 (%)."""
    value = cell.value
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and "%" in str(getattr(cell, "number_format", "") or ""):
        return round(value * 100, 10)
    return value


def _data_rows(rows: list[tuple[Any, ...]], start: int) -> list[tuple[Any, ...]]:
    out = []
    for r in rows[start:]:
        if all(v is None for v in r):
            break
        out.append(r)
    return out


_NON_COUNT_PREFIXES = ("gemiddelde", "som ", "percentage", "mediaan", "percentiel", "p50")


_AREA_NAME_COLUMNS = ("Wijk", "Buurt")


def _read_xlsx_counts(
    pub: Published,
    index: list[tuple[str, str, str]],
    sheets: dict[str, list[tuple[Any, ...]]],
) -> None:
    for sheet, title, kind in index:
        if kind != "gecontroleerde tabel" or sheet not in sheets:
            continue
        rows = sheets[sheet]
        if len(rows) < 6:
            continue
        name = str(rows[0][0] or title)
        population = str(rows[1][0] or "")
        population = population.removeprefix("Populatie: ").split(" – SYNTHETISCHE")[0]
        header = [("" if v is None else str(v)) for v in rows[4]]
        data = _data_rows(rows, 5)
        if not data:
            continue
        n_label = 0
        for c in range(len(header)):
            if all(isinstance(r[c], str) and r[c] not in HIDDEN_MARKS for r in data):
                n_label = c + 1
            else:
                break
        n_label = max(n_label, 1)
        value_cols = header[n_label:]
        statistic = pub.table_statistic.get(name)
        lowered = [h.lower() for h in value_cols]
        if statistic is not None and statistic != "count":
            continue
        if statistic is None and (
            name.lower().startswith(_NON_COUNT_PREFIXES)
            or any(h.startswith(_NON_COUNT_PREFIXES) for h in lowered)
        ):
            continue
        values: list[list[tuple[float, float] | None]] = []
        integral = True
        for r in data:
            row: list[tuple[float, float] | None] = []
            for v in r[n_label : len(header)]:
                if isinstance(v, str) and v.strip() in HIDDEN_MARKS:
                    row.append(None)
                elif isinstance(v, int | float):
                    integral &= float(v).is_integer()
                    row.append((float(v), float(v)))
                else:
                    row.append(None)
            values.append(row)
        if not integral:
            continue
        # an area table carries the area's name beside its code: the code names the row
        first = 1 if n_label > 1 and header[0] in _AREA_NAME_COLUMNS else 0
        labels = [" / ".join(str(v) for v in r[first:n_label]) for r in data]
        one_way = len(value_cols) == 1 and value_cols[0].lower() in ("aantal", "count", "")
        pub.count_tables[name] = CountTable(
            name=name,
            source=f"{XLSX}:{sheet}",
            population=population,
            row_labels=labels,
            col_labels=value_cols,
            values=values,
            one_way=one_way,
        )


# -- report tables (bundle + HTML + XLSX) -----------------------------------------------------


def _cell_from_bundle(value: Any) -> RCell:
    if value is None:
        return RCell("x", Figure(hidden=True))
    if isinstance(value, str):
        if is_hidden_text(value):
            return RCell(value, Figure(hidden=True))
        band = parse_band(value, BUNDLE)
        if band is not None:
            return RCell(value, Figure([band]))
        return RCell(value, None)
    if isinstance(value, dict | list):
        num = band_from_json(value, BUNDLE)
        return RCell(json.dumps(value, ensure_ascii=False), Figure([num]) if num else None)
    return RCell(None, Figure([machine_num(value, BUNDLE)]))


def _read_report_tables(
    pub: Published,
    bundle: dict[str, Any] | None,
    dom: Node | None,
    xlsx_index: list[tuple[str, str, str]],
    xlsx_sheets: dict[str, list[tuple[Any, ...]]],
) -> None:
    tables = pub.report_tables
    if bundle is not None:
        for t in bundle.get("tabellen", []):
            rows = [[_cell_from_bundle(v) for v in row] for row in t.get("rijen", [])]
            tables[t["sleutel"]] = ReportTable(
                key=t["sleutel"],
                title=t.get("titel", ""),
                kind=t.get("soort", ""),
                columns=[str(c) for c in t.get("kolommen", [])],
                rows=rows,
                sources=list(t.get("bronnen", [])),
            )
    if dom is not None:
        for node in dom.iter("table"):
            key = node.attrs.get("data-tabel")
            if not key:
                continue
            _merge_html_table(pub, key, node)
    # XLSX estimate/model sheets: matched to a report table by title, in order.
    by_title: dict[str, list[str]] = {}
    for key, t in tables.items():
        by_title.setdefault(t.title, []).append(key)
    used: dict[str, int] = {}
    for sheet, title, kind in xlsx_index:
        if kind == "gecontroleerde tabel" or sheet not in xlsx_sheets:
            continue
        keys = by_title.get(title, [])
        i = used.get(title, 0)
        used[title] = i + 1
        rows = xlsx_sheets[sheet]
        header = [("" if v is None else str(v)) for v in rows[4]] if len(rows) > 4 else []
        data = _data_rows(rows, 5)
        if i < len(keys):
            _merge_xlsx_table(pub, tables[keys[i]], header, data)
        else:
            key = f"xlsx:{sheet}"
            table = ReportTable(key=key, title=title, kind=kind, columns=header, rows=[])
            table.rows = [[RCell(None, None) for _ in header] for _ in data]
            _merge_xlsx_table(pub, table, header, data)
            tables[key] = table


def _merge_html_table(pub: Published, key: str, node: Node) -> None:
    caption = next(node.iter("caption"), None)
    title = caption.text() if caption else key
    columns = [th.text() for th in next(node.iter("thead"), node).iter("th")]
    columns = ["" if c == "Categorie" else c for c in columns]
    body = next(node.iter("tbody"), None)
    html_rows: list[list[Node]] = []
    if body is not None:
        for tr in body.iter("tr"):
            html_rows.append(
                [c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")]
            )
    table = pub.report_tables.get(key)
    if table is None:
        table = ReportTable(
            key=key,
            title=title,
            kind=node.attrs.get("data-soort", ""),
            columns=columns,
            rows=[[RCell(None, None) for _ in r] for r in html_rows],
            sources=[s for s in node.attrs.get("data-bron", "").split(" | ") if s],
        )
        pub.report_tables[key] = table
    if len(table.rows) != len(html_rows):
        pub.warnings.append(f"HTML table {key}: {len(html_rows)} rows, bundle {len(table.rows)}")
        return
    for row, cells in zip(table.rows, html_rows, strict=True):
        if len(row) != len(cells):
            pub.warnings.append(f"HTML table {key}: row length differs")
            continue
        for i, (cell, td) in enumerate(zip(row, cells, strict=True)):
            text = td.text()
            if cell.text is None:
                cell.text = text
            data = td.attrs.get("data-waarde")
            if td.tag == "td" and data is not None:
                fig = cell.fig if cell.fig is not None else Figure()
                if data.strip() in HIDDEN_MARKS:
                    fig.hidden = True
                else:
                    try:
                        fig.add(machine_num(float(data), HTML_DATA))
                    except ValueError:
                        fig.add(parse_band(data, HTML_DATA))
                if is_hidden_text(text):
                    fig.hidden = True
                else:
                    fig.add(parse_display(text, HTML_TEXT))
                cell.fig = fig
            elif td.tag == "td" and not _is_interval_column(table.columns, i):
                band = parse_band(text, HTML_TEXT)
                if band is not None:
                    fig = cell.fig if cell.fig is not None else Figure()
                    fig.add(band)
                    cell.fig = fig


def _is_interval_column(columns: list[str], i: int) -> bool:
    return i < len(columns) and "interval" in columns[i].lower()


def _merge_xlsx_table(
    pub: Published, table: ReportTable, header: list[str], data: list[tuple[Any, ...]]
) -> None:
    if len(header) > 1 and header[1] == "Code" and "Code" not in table.columns:
        # The workbook splits "Binnenstad (WK085510)" into a name and a code column; the
        # attacker joins them again to line the sheet up with the report's table.
        data = [(f"{r[0]} ({r[1]})", *r[2:]) for r in data]
        header = header[:1] + header[2:]
    if len(data) != len(table.rows):
        pub.warnings.append(f"XLSX table {table.key}: {len(data)} rows, report {len(table.rows)}")
        return
    for row, values in zip(table.rows, data, strict=True):
        for i, v in enumerate(values[: len(row)]):
            cell = row[i]
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, int | float):
                fig = cell.fig if cell.fig is not None else Figure()
                fig.add(machine_num(v, XLSX))
                cell.fig = fig
            elif isinstance(v, str):
                if cell.text is None:
                    cell.text = v
                if is_hidden_text(v):
                    fig = cell.fig if cell.fig is not None else Figure()
                    fig.hidden = True
                    cell.fig = fig
                elif not _is_interval_column(table.columns, i):
                    band = parse_band(v, XLSX)
                    if band is not None:
                        fig = cell.fig if cell.fig is not None else Figure()
                        fig.add(band)
                        cell.fig = fig


# -- HTML texts, charts, appendix ---------------------------------------------------------------

_TEXT_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "caption", "figcaption", "summary")


def _section_of(node: Node) -> str:
    sec = node.ancestor("section")
    return sec.attrs.get("id", "") if sec is not None else ""


def _read_html_texts(pub: Published, dom: Node) -> None:
    for node in dom.iter():
        if node.tag in _TEXT_TAGS:
            if node.ancestor("table") is not None and node.tag != "caption":
                continue
            text = node.text()
            if text:
                where = _section_of(node)
                pub.texts.append(TextItem("rapport.html", where, text))
                _add_stated_counts(pub, "rapport.html", where, text)
        elif node.tag == "img" and node.attrs.get("alt"):
            where = _section_of(node)
            pub.texts.append(TextItem("rapport.html:alt", where, node.attrs["alt"]))
            _add_stated_counts(pub, "rapport.html:alt", where, node.attrs["alt"])
        elif node.attrs.get("role") == "img" and node.attrs.get("aria-label"):
            # An inline map's text alternative (its <div role="img">), as an <img>'s alt.
            where = _section_of(node)
            pub.texts.append(TextItem("rapport.html:alt", where, node.attrs["aria-label"]))
            _add_stated_counts(pub, "rapport.html:alt", where, node.attrs["aria-label"])


_AXIS_PREFIXES = ("X-axis", "Y-axis", "Symbol legend", "Color legend", "Size legend", "Gradient")


def _split_fields(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split("; "):
        if ": " in part:
            k, v = part.split(": ", 1)
            out.append((k.strip(), v.strip()))
        else:
            out.append(("", part.strip()))
    return out


def _read_charts(pub: Published, dom: Node) -> None:
    for fig in dom.iter("figure"):
        key = fig.attrs.get("id", "")
        cap = next(fig.iter("figcaption"), None)
        title = cap.text() if cap else ""
        svgs: list[Node] = []
        for img in fig.iter("img"):
            src = img.attrs.get("src", "")
            if src.startswith("data:image/svg+xml;base64,"):
                svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8", errors="replace")
                svgs.append(parse_dom(svg))
        svgs += list(fig.iter("svg"))  # maps are inline (hover texts)
        for svg_dom in svgs:
            seen: set[str] = set()
            labels = [n.attrs["aria-label"] for n in svg_dom.iter() if "aria-label" in n.attrs]
            labels += [n.text() for n in svg_dom.iter("title")]
            for label in labels:
                if not label or label in seen or label.startswith(_AXIS_PREFIXES):
                    continue
                seen.add(label)
                fields = _split_fields(label)
                numbers = []
                for k, v in fields:
                    num = parse_display(v, ARIA)
                    if num is not None:
                        numbers.append((k, num))
                pub.charts.append(ChartDatum(key, title, label, tuple(fields), tuple(numbers)))
                pub.texts.append(TextItem("rapport.html:aria", key, label))


_REASON_PATTERNS = (
    ("secundair", "secondary"),
    ("minder dan", "min_count"),
    ("lege cel", "zeros"),
    ("iedereen in de groep", "group_all"),
    ("dominantie", "dominance"),
    ("p%-regel", "p_percent"),
    ("percentiel", "percentile"),
    ("verschil met een eerder", "differencing"),
)


def reasons_from_text(why: str) -> tuple[str, ...]:
    out = []
    for part in why.split("; "):
        for needle, reason in _REASON_PATTERNS:
            if needle in part:
                out.append(reason)
                break
    return tuple(out)


def _status_of(reasons: tuple[str, ...]) -> str | None:
    if not reasons:
        return None
    return "secondary" if set(reasons) == {"secondary"} else "primary"


def _read_html_hidden(pub: Published, dom: Node) -> None:
    """The report's appendix lists hidden cells with the reason: 'name: where – reason'."""
    for li in dom.iter("li"):
        if not _section_of(li).startswith("bijlage-onthullingscontrole"):
            continue
        text = li.text()
        if ": " not in text or " – " not in text:
            continue
        name, rest = text.split(": ", 1)
        where, why = rest.rsplit(" – ", 1)
        reasons = reasons_from_text(why)
        if not reasons:
            continue
        row, _, col = where.partition(" × ")
        ref = (name, row, col)
        if ref not in pub.hidden_published:
            pub.hidden_published[ref] = HiddenInfo(_status_of(reasons), reasons, "rapport.html")


def _read_log_hidden(
    pub: Published, doc: dict[str, Any], into: dict[CellRef, HiddenInfo], origin: str
) -> None:
    for out in doc.get("outputs", []):
        if out.get("type") != "table":
            continue
        one_way = not out.get("cols")
        for cell in out.get("suppressed_cells", []):
            row = " / ".join(cell.get("row", []))
            col = "" if one_way else " / ".join(cell.get("col", []))
            into[(out["name"], row, col)] = HiddenInfo(
                cell.get("status"), tuple(cell.get("reasons", [])), origin
            )


# -- bundle -------------------------------------------------------------------------------------


def _read_bundle_meta(pub: Published, bundle: dict[str, Any]) -> None:
    log = bundle.get("onthullingscontrole")
    if isinstance(log, dict):
        pub.rules = dict(log.get("rules", {}).get("values", {}))
        for out in log.get("outputs", []):
            if out.get("type") == "table" and out.get("statistic"):
                pub.table_statistic[out["name"]] = str(out["statistic"])
        # Older bundles carried the checker's cell list with statuses and reasons: published,
        # so the attacker may use it. Current bundles carry a summary (cells, hidden counts).
        _read_log_hidden(pub, log, pub.hidden_published, "bundel.json")


def _walk_strings(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_strings(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_strings(v, f"{path}[{i}]")


def _read_bundle_texts(pub: Published, bundle: dict[str, Any]) -> None:
    for path, text in _walk_strings(bundle, "bundel"):
        if len(text) < 3 or path.endswith((".schema", ".created", ".sha256", "population_hash")):
            continue
        pub.texts.append(TextItem("bundel.json", path, text))
        _add_stated_counts(pub, "bundel.json", path, text)


def _read_csv(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    sep = ";" if text.count(";") >= text.count(",") else ","
    return [row for row in csv.reader(text.splitlines(), delimiter=sep)]


# -- counts stated in text --------------------------------------------------------------------

COUNT_NOUNS = (
    "huishoudens",
    "huishouden",
    "eenheden",
    "eenheid",
    "personen",
    "persoon",
    "deelnemers",
    "deelnemer",
    "inwoners",
    "waarnemingen",
    "households",
    "household",
    "units",
    "participants",
)
_COUNT_IN_TEXT = re.compile(
    r"(?<![\w.,%-])(?P<num>\d{1,3}(?:\.\d{3})+|\d+)(?![.,]\d)\s+"
    r"(?:(?:ongeveer|bekende|synthetische|verzonnen|geschatte|extra)\s+)?"
    r"(?P<noun>" + "|".join(COUNT_NOUNS) + r")\b",
    re.IGNORECASE,
)
# Rule texts and thresholds ('minstens 10 eenheden', '1 tot 10 - 1 eenheden') are not counts.
_NOT_A_COUNT_BEFORE = re.compile(
    r"(minstens|ten minste|minder dan|meer dan|tot|van|-|–|at least|fewer than|than|to)\s*$",
    re.IGNORECASE,
)


def _add_stated_counts(pub: Published, source: str, where: str, text: str) -> None:
    for m in _COUNT_IN_TEXT.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if _NOT_A_COUNT_BEFORE.search(before):
            continue
        parsed = parse_nl_number(m.group("num"))
        if parsed is None:
            continue
        context = text[max(0, m.start() - 60) : m.end() + 40]
        pub.stated_counts.append(StatedCount(source, where, parsed[0], context))


# ---------------------------------------------------------------------------------------------
# Derived structures
# ---------------------------------------------------------------------------------------------


def _fallback_counts(pub: Published) -> None:
    """Count tables that only the report shows (no XLSX): the two checked report tables."""
    t = pub.report_tables.get("doelgroep")
    if t is not None and "Huishoudens naar doelgroep" not in pub.count_tables:
        labels, values = [], []
        for row in t.rows:
            label = row[0].text or ""
            label = re.sub(r" \(.*\)$", "", label)
            label = {"Inkomen boven de grens": "Boven de grens"}.get(label, label)
            labels.append(label)
            values.append([_exact_count(row[1].fig)])
        pub.count_tables["Huishoudens naar doelgroep"] = CountTable(
            "Huishoudens naar doelgroep", "report:doelgroep", "alle huishoudens", labels,
            ["aantal"], values,
        )  # fmt: skip
    w = pub.report_tables.get("doelgroep-per-wijk")
    if w is not None:
        codes = [_code_of(r[0].text or "") for r in w.rows]
        for name, col in (("Alle huishoudens per wijk", 1), ("Doelgroep per wijk", 2)):
            if name in pub.count_tables:
                continue
            values = [[_exact_count(r[col].fig)] for r in w.rows]
            pub.count_tables[name] = CountTable(
                name, "report:doelgroep-per-wijk", "", list(codes), ["aantal"], values
            )


def _exact_count(fig: Figure | None) -> tuple[float, float] | None:
    if fig is None or fig.hidden:
        return None
    iv = fig.interval()
    if iv is None:
        return None
    lo, hi = math.ceil(iv[0] - 1e-9), math.floor(iv[1] + 1e-9)
    return (float(lo), float(hi)) if lo <= hi else (iv[0], iv[1])


_CODE = re.compile(r"\(([A-Za-z]{2}\d+)\)\s*$")


def _code_of(label: str) -> str:
    m = _CODE.search(label)
    return m.group(1) if m else label


def _derive(pub: Published, bundle: dict[str, Any] | None, dom: Node | None) -> None:
    _target_size(pub, bundle)
    _groups(pub, bundle, dom)
    _class_shares(pub, bundle)
    _wijk_shares(pub, bundle)
    _trees(pub, bundle, dom)
    _fit(pub, bundle)
    _links(pub)


def _target_size(pub: Published, bundle: dict[str, Any] | None) -> None:
    t = pub.count_tables.get("Huishoudens naar doelgroep")
    if t is not None:
        pos = t.index_of("In de doelgroep")
        if pos is not None and t.values[pos[0]][pos[1]] is not None:
            lo, hi = t.values[pos[0]][pos[1]]  # type: ignore[misc]
            pub.target_size.add(Num((lo + hi) / 2, lo, hi, XLSX, 0))
    if bundle is not None:
        n = bundle.get("doelgroep", {}).get("huishoudens")
        if isinstance(n, int | float):
            pub.target_size.add(Num(float(n), float(n), float(n), BUNDLE, 0))
    for s in pub.stated_counts:
        if "in de doelgroep" in s.context and s.source.startswith("rapport.html"):
            pub.target_size.add(Num(s.value, s.value, s.value, TEXT, 0))
            break


def _groups(pub: Published, bundle: dict[str, Any] | None, dom: Node | None) -> None:
    t = pub.report_tables.get("groepsgrootte")
    if t is not None:
        c_size = t.column("Huishoudens (ongeveer)")
        c_share = t.column("Aandeel van de doelgroep")
        for row in t.rows:
            key = row[0].text or ""
            g = pub.groups.setdefault(key, Group(key, row[1].text or ""))
            if c_size is not None and row[c_size].fig is not None:
                for num in row[c_size].fig.reps:  # type: ignore[union-attr]
                    g.size.add(rounded_size(num))
            if c_share is not None and row[c_share].fig is not None:
                g.share.reps.extend(row[c_share].fig.reps)  # type: ignore[union-attr]
    if bundle is not None:
        for b in bundle.get("groepen", []):
            key = b["sleutel"]
            g = pub.groups.setdefault(key, Group(key, b.get("naam", "")))
            if isinstance(b.get("huishoudens"), int | float):
                g.size.add(rounded_size(Num(float(b["huishoudens"]), 0, 0, BUNDLE, 0)))
            for k in ("aandeel", "aandeel_model"):
                g.share.add(band_from_json(b.get(k)))
            m = re.search(
                r"telt ongeveer ([\d.]+) huishoudens: (\d+(?:,\d+)?)% van",
                b.get("beschrijving", ""),
            )
            if m:
                size = parse_display(m.group(1), TEXT)
                if size is not None:
                    g.size.add(rounded_size(size))
                g.share.add(parse_display(m.group(2) + "%", TEXT))
    for d in pub.charts:
        if d.chart == "groepsgrootte-grafiek":
            name = d.field("naam") or ""
            key = name.split(":", 1)[0]
            num = d.number("Aandeel van de doelgroep (%)")
            if key in pub.groups and num is not None:
                pub.groups[key].share.add(num)
    if dom is not None:
        for sec in dom.iter("section"):
            m = re.fullmatch(r"groep-(\d+)", sec.attrs.get("id", ""))
            if not m:
                continue
            key = f"Groep {m.group(1)}"
            if key not in pub.groups:
                continue
            for fig in sec.iter("p"):
                if "figure" not in fig.classes():
                    continue
                spans = {(s.attrs.get("class") or ""): s.text() for s in fig.iter("span")}
                label, value = spans.get("label", ""), spans.get("value", "")
                if label.startswith("huishoudens (ongeveer)"):
                    num = parse_display(value, TEXT)
                    if num is not None:
                        pub.groups[key].size.add(rounded_size(num))
                elif label == "van de doelgroep":
                    pub.groups[key].share.add(parse_display(value, TEXT))


def rounded_size(num: Num) -> Num:
    """A group size is rounded to tens: the estimate lies within 5 of what is shown (the
    attacker reads it within half the rules' ``estimate_size_base`` when the run publishes
    one)."""
    return Num(num.value, num.value - 5, num.value + 5, num.source, num.decimals, band=True)


def _split_feature(label: str) -> tuple[str, str]:
    label = label.lstrip("▲▼ ").strip()
    if ": " in label:
        a, b = label.split(": ", 1)
        return a, b
    return label, ""


def _add_share(pub: Published, key: tuple[str, str, str], cell: RCell | None) -> None:
    if cell is None or cell.fig is None:
        return
    fig = pub.class_shares.setdefault(key, Figure())
    fig.reps.extend(cell.fig.reps)
    fig.hidden |= cell.fig.hidden


def _add_level(pub: Published, key: tuple[str, str], cell: RCell | None) -> None:
    if cell is None or cell.fig is None:
        return
    fig = pub.level_shares.setdefault(key, Figure())
    fig.reps.extend(cell.fig.reps)
    fig.hidden |= cell.fig.hidden


def _group_of_title(title: str) -> str:
    return title.split(":", 1)[0].strip()


def _class_shares(pub: Published, bundle: dict[str, Any] | None) -> None:
    for key, t in pub.report_tables.items():
        if key == "verdelingen":
            groups = [c for c in t.columns if c.startswith("Groep ")]
            c_all = t.column("Hele doelgroep")
            for row in t.rows:
                label, level = row[0].text or "", row[1].text or ""
                _add_level(pub, (label, level), row[c_all] if c_all is not None else None)
                for g in groups:
                    c = t.column(g)
                    _add_share(pub, (label, level, g), row[c] if c is not None else None)
        elif key == "heatmap-data":
            groups = [c for c in t.columns if c.startswith("Groep ")]
            c_all = t.column("Hele doelgroep")
            for row in t.rows:
                label, level = _split_feature(row[0].text or "")
                _add_level(pub, (label, level), row[c_all] if c_all is not None else None)
                for g in groups:
                    c = t.column(g)
                    _add_share(pub, (label, level, g), row[c] if c is not None else None)
        elif re.fullmatch(r"verdeling-\d+", key):
            g = _group_of_title(t.title)
            c_own, c_all = t.column("Deze groep"), t.column("Hele doelgroep")
            for row in t.rows:
                label, level = row[0].text or "", row[1].text or ""
                _add_share(pub, (label, level, g), row[c_own] if c_own is not None else None)
                _add_level(pub, (label, level), row[c_all] if c_all is not None else None)
        elif re.fullmatch(r"kenmerken-\d+", key):
            g = _group_of_title(t.title)
            c_own, c_all = t.column("In deze groep"), t.column("Hele doelgroep")
            for row in t.rows:
                label, level = _split_feature(row[0].text or "")
                _add_share(pub, (label, level, g), row[c_own] if c_own is not None else None)
                _add_level(pub, (label, level), row[c_all] if c_all is not None else None)
    if bundle is not None:
        for b in bundle.get("groepen", []):
            for f in [*b.get("vaker", []), *b.get("minder_vaak", [])]:
                key3 = (f.get("label", ""), f.get("waarde", ""), b["sleutel"])
                pub.class_shares.setdefault(key3, Figure()).add(
                    _share_or_band(f.get("aandeel_groep"), f.get("band"))
                )
                pub.level_shares.setdefault(key3[:2], Figure()).add(
                    band_from_json(f.get("aandeel_doelgroep"))
                )
    for d in pub.charts:
        m = re.fullmatch(r"kenmerken-grafiek-(\d+)", d.chart)
        if not m:
            continue
        g = f"Groep {m.group(1)}"
        feature = d.field("kenmerk") or ""
        label, level = _split_feature(feature)
        up = feature.startswith("▲")
        low, high = d.number("Min of aandeel"), d.number("Max of aandeel")
        if low is not None and high is not None:
            own, whole = (high, low) if up else (low, high)
            pub.class_shares.setdefault((label, level, g), Figure()).add(own)
            pub.level_shares.setdefault((label, level), Figure()).add(whole)
        share = d.number("Aandeel (%)")
        who = d.field("wie")
        if share is not None and who == "deze groep":
            pub.class_shares.setdefault((label, level, g), Figure()).add(share)
        elif share is not None and who == "hele doelgroep":
            pub.level_shares.setdefault((label, level), Figure()).add(share)


def _share_or_band(value: Any, band: Any) -> Num | None:
    """A bundle share, or (current bundles: the share null) its band text."""
    num = band_from_json(value)
    if num is None and isinstance(band, str):
        num = parse_band(band, BUNDLE)
    return num


def _wijk_shares(pub: Published, bundle: dict[str, Any] | None) -> None:
    for key, t in pub.report_tables.items():
        if not re.fullmatch(r"wijken-\d+", key):
            continue
        g = _group_of_title(t.title)
        c_n, c_share, c_index = (
            t.column("Doelgroep in de wijk"),
            t.column("Aandeel deze groep"),
            t.column("Index"),
        )
        for row in t.rows:
            label = row[0].text or ""
            code = _code_of(label)
            name = re.sub(r"\s*\([A-Za-z]{2}\d+\)\s*$", "", label)
            w = pub.wijk_shares.setdefault((g, code), WijkShare(g, code, name))
            for col, target in ((c_n, w.households), (c_share, w.share), (c_index, w.index)):
                if col is not None and row[col].fig is not None:
                    target.reps.extend(row[col].fig.reps)  # type: ignore[union-attr]
                    target.hidden |= row[col].fig.hidden  # type: ignore[union-attr]
    if bundle is not None:
        for b in bundle.get("groepen", []):
            for wb in b.get("wijken", []):
                w = pub.wijk_shares.setdefault(
                    (b["sleutel"], wb["code"]), WijkShare(b["sleutel"], wb["code"], wb["naam"])
                )
                w.share.add(_share_or_band(wb.get("aandeel"), wb.get("band")))
                w.index.add(band_from_json(wb.get("index")))
    names = {w.name: w.code for w in pub.wijk_shares.values()}
    for d in pub.charts:
        m = re.fullmatch(r"wijken-grafiek-(\d+)", d.chart)
        if not m:
            continue
        g = f"Groep {m.group(1)}"
        code = names.get(d.field("wijk") or "")
        num = d.number("Oververtegenwoordiging (1 = gemiddeld)")
        if code is not None and num is not None and (g, code) in pub.wijk_shares:
            pub.wijk_shares[(g, code)].index.add(num)
    # The target households of a wijk are also in the count table.
    t = pub.count_tables.get("Doelgroep per wijk")
    if t is not None:
        for w in pub.wijk_shares.values():
            pos = t.index_of(w.code)
            if pos is not None and t.values[pos[0]][pos[1]] is not None:
                lo, hi = t.values[pos[0]][pos[1]]  # type: ignore[misc]
                w.households.add(Num((lo + hi) / 2, lo, hi, XLSX, 0))


_PCT_HIDDEN = "niet te publiceren"


def _pct_text(text: str, source: str) -> tuple[Num | None, bool]:
    """A tree percentage as text: (number or band, hidden)."""
    if _PCT_HIDDEN in text or text.strip() in ("–", "-"):
        return None, _PCT_HIDDEN in text
    return parse_display(text, source), False


_RULE_TEXT = re.compile(
    r"^(?P<conds>.*) \(dekt (?P<cov>.+?) van de groep; (?P<prec>.+?) van wie zo is ingedeeld "
    r"hoort bij de groep\)$"
)


def _trees(pub: Published, bundle: dict[str, Any] | None, dom: Node | None) -> None:
    if bundle is not None:
        for b in bundle.get("groepen", []):
            key = b["sleutel"]
            tree = pub.trees.setdefault(key, GroupTree(key))
            h = b.get("herkenbaarheid", {})
            herkend = h.get("herkend")
            num = band_from_json(herkend)
            tree.recall.add(num)
            if isinstance(herkend, dict) and herkend.get("waarde") is None:
                tree.recall.hidden = True
            for r in h.get("regels", []):
                rule = TreeRule(tuple(r.get("voorwaarden", [])))
                for attr in ("dekking", "precisie"):
                    obj = r.get(attr)
                    target = rule.coverage if attr == "dekking" else rule.precision
                    target.add(band_from_json(obj))
                    if isinstance(obj, dict) and obj.get("waarde") is None:
                        target.hidden = True
                tree.rules.append(rule)
    if dom is None:
        return
    for sec in dom.iter("section"):
        m = re.fullmatch(r"groep-(\d+)", sec.attrs.get("id", ""))
        if not m:
            continue
        key = f"Groep {m.group(1)}"
        tree = pub.trees.setdefault(key, GroupTree(key))
        for fig in sec.iter("p"):
            if "figure" not in fig.classes():
                continue
            spans = {(s.attrs.get("class") or ""): s.text() for s in fig.iter("span")}
            if spans.get("label", "").startswith("herkend door"):
                num, hidden = _pct_text(spans.get("value", ""), TEXT)
                tree.recall.add(num)
                tree.recall.hidden |= hidden
        for li in sec.iter("li"):
            rm = _RULE_TEXT.match(li.text())
            if not rm:
                continue
            conds = tuple(rm.group("conds").split(" én "))
            rule = next((r for r in tree.rules if r.conditions == conds), None)
            if rule is None:
                rule = TreeRule(conds)
                tree.rules.append(rule)
            for text, target in (
                (rm.group("cov"), rule.coverage),
                (rm.group("prec"), rule.precision),
            ):
                num, hidden = _pct_text(text, TEXT)
                target.add(num)
                target.hidden |= hidden


def _fit(pub: Published, bundle: dict[str, Any] | None) -> None:
    t = pub.report_tables.get("fit")
    if t is not None:
        for row in t.rows:
            m = re.match(r"(\d+) groepen", row[0].text or "")
            if not m:
                continue
            fr = pub.fit.setdefault(int(m.group(1)), FitRow(int(m.group(1))))
            for col, target in (
                ("BIC", fr.bic),
                ("Entropie R²", fr.entropy),
                ("Kleinste groep", fr.smallest),
                ("Stabiliteit (ARI)", fr.stability),
            ):
                c = t.column(col)
                if c is not None and row[c].fig is not None:
                    target.reps.extend(row[c].fig.reps)  # type: ignore[union-attr]
    if bundle is not None:
        for f in bundle.get("model", {}).get("fit", []):
            fr = pub.fit.setdefault(int(f["klassen"]), FitRow(int(f["klassen"])))
            fr.bic.add(band_from_json(f.get("bic")))
            fr.entropy.add(band_from_json(f.get("entropie_r2")))
            small = band_from_json(f.get("kleinste_groep"))
            if small is not None:  # a fraction in the bundle, a percentage in the table
                fr.smallest.add(
                    Num(100 * small.value, 100 * small.lo, 100 * small.hi, small.source,
                        None if small.decimals is None else small.decimals - 2, small.band)
                )  # fmt: skip
            fr.stability.add(band_from_json(f.get("stabiliteit")))


_CONSOLE_TARGET = re.compile(
    r"^(?P<n>[\d.]+) van de (?P<known>[\d.]+) huishoudens \(.*\) horen tot de doelgroep"
)
_CONSOLE_UNKNOWN = re.compile(r"^(?P<n>[\d.]+) huishoudens zonder bekend inkomenspercentage")
_CONSOLE_ROW = re.compile(r"^  (?P<label>\S.*?)\s{2,}(?P<n>[\d.]+|x)\s+(?P<share>\S+)$")
#: ``bsz doelgroep``'s sections and the run's count table over the same households
CONSOLE_SECTIONS = {
    "Naar huishoudtype": "Doelgroep naar huishoudtype",
    "Naar belangrijkste inkomensbron": "Doelgroep naar belangrijkste inkomensbron",
    "Naar wijk": "Doelgroep per wijk",
}


def _console_count(text: str) -> tuple[float, float] | None:
    if text.strip() in HIDDEN_MARKS:
        return None
    parsed = parse_nl_number(text)
    return None if parsed is None else (parsed[0], parsed[0])


def _read_console_tables(pub: Published, name: str, text: str, *, link_to_run: bool) -> None:
    """The tables of ``bsz doelgroep``: rows 'label  count  share', total = the target size;
    linked to the run's tables only with ``link_to_run``."""
    n_target: float | None = None
    lines = text.splitlines()
    for line in lines:
        m = _CONSOLE_TARGET.match(line.strip())
        if m:
            n_parsed, known_parsed = (
                parse_nl_number(m.group("n")),
                parse_nl_number(m.group("known")),
            )
            if n_parsed is None or known_parsed is None:
                continue
            n_target, everyone = n_parsed[0], known_parsed[0]
            table_name = f"{name}: doelgroep"
            pub.count_tables[table_name] = CountTable(
                table_name,
                f"{CLI}:{name}",
                "alle huishoudens",
                ["In de doelgroep", "Totaal"],
                ["aantal"],
                [[(n_target, n_target)], [(everyone, everyone)]],
            )
            known_n = pub.target_size.interval()
            if not link_to_run:
                continue
            if known_n is not None and not known_n[0] - 0.5 <= n_target <= known_n[1] + 0.5:
                continue  # another target group (other threshold or date): not linked
            for row in ("In de doelgroep", "Totaal"):
                pub.links.append(
                    Link(
                        "eq",
                        (table_name, row, ""),
                        ("Huishoudens naar doelgroep", row, ""),
                        "dezelfde doelgroep in de console",
                    )
                )
    if n_target is None:
        return
    known_n = pub.target_size.interval()
    # the command's tables are over the run's households only if the target sizes agree
    same_target = known_n is None or known_n[0] - 0.5 <= n_target <= known_n[1] + 0.5
    section: str | None = None
    rows: list[tuple[str, tuple[float, float] | None]] = []

    def flush() -> None:
        if section is None or not rows:
            return
        table_name = f"{name}: {section}"
        labels = [r[0] for r in rows] + ["Totaal"]
        values = [[r[1]] for r in rows] + [[(n_target, n_target)]]
        pub.count_tables[table_name] = CountTable(
            table_name, f"{CLI}:{name}", "doelgroep (console)", labels, ["aantal"], values
        )
        other = CONSOLE_SECTIONS.get(section) if same_target and link_to_run else None
        for label in [*labels[:-1], "Totaal"]:
            if other is not None:
                pub.links.append(
                    Link("eq", (table_name, label, ""), (other, label, ""), "zelfde telling")
                )

    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("Naar ", "By ")) and not line.startswith("  "):
            flush()
            section, rows = stripped, []
            continue
        m = _CONSOLE_ROW.match(line)
        if section is not None and m:
            label = m.group("label").strip()
            code = label.split(" ", 1)[0]
            if section == "Naar wijk" and re.fullmatch(r"[A-Z]{2}\d+", code):
                label = code
            rows.append((label, _console_count(m.group("n"))))
        elif section is not None and not stripped:
            flush()
            section, rows = None, []
    flush()


def _links(pub: Published) -> None:
    """What the attacker knows about how the count tables of a run relate."""
    names = pub.count_tables
    inside: CellRef = ("Huishoudens naar doelgroep", "In de doelgroep", "")
    everyone: CellRef = ("Huishoudens naar doelgroep", "Totaal", "")
    has_target = "Huishoudens naar doelgroep" in names and (
        names["Huishoudens naar doelgroep"].index_of("In de doelgroep") is not None
    )
    for name, t in names.items():
        total = (name, "Totaal", "")
        if t.index_of("Totaal") is None:
            continue
        if name.startswith("Doelgroep naar ") and has_target:
            # every characteristic has a level 'Onbekend': the tables cover the target group
            pub.links.append(Link("eq", total, inside, "elk kenmerk telt de hele doelgroep"))
        if name == "Doelgroep per wijk" and has_target:
            pub.links.append(Link("le", total, inside, "de wijktabel telt de doelgroep met wijk"))
        if name == "Alle huishoudens per wijk" and "Huishoudens naar doelgroep" in names:
            pub.links.append(Link("le", total, everyone, "alle huishoudens met een wijk"))
    target, everyone_t = names.get("Doelgroep per wijk"), names.get("Alle huishoudens per wijk")
    if target is not None and everyone_t is not None:
        for label in target.row_labels:
            if label in TOTAL_LABELS or everyone_t.index_of(label) is None:
                continue
            pub.links.append(
                Link(
                    "le",
                    ("Doelgroep per wijk", label, ""),
                    ("Alle huishoudens per wijk", label, ""),
                    "de doelgroep in een wijk is een deel van alle huishoudens daar",
                )
            )


def precision_by_output(pub: Published) -> dict[str, dict[str, int | None]]:
    """Per published output, the most decimals found per source (None: unrounded floats)."""
    out: dict[str, dict[str, int | None]] = {}

    def note(output: str, num: Num) -> None:
        # bands carry no decimals; float noise such as 1,7e-15 would count as 26 decimals
        if num.band or (num.decimals is not None and 0 < abs(num.value) < 1e-6):
            return
        entry = out.setdefault(output, {})
        old = entry.get(num.source, -1)
        if num.decimals is None or old is None:
            entry[num.source] = None
        else:
            entry[num.source] = max(old, num.decimals)

    for key, t in pub.report_tables.items():
        for row in t.rows:
            for cell in row:
                if cell.fig is not None:
                    for num in cell.fig.reps:
                        note(f"tabel {key}", num)
    for d in pub.charts:
        for _, num in d.numbers:
            note(f"grafiek {d.chart}", num)
    for g in pub.groups.values():
        for num in g.share.reps:
            note("groepen: aandeel", num)
    for tree in pub.trees.values():
        for num in tree.recall.reps:
            note("herkenbaarheid", num)
        for r in tree.rules:
            for num in [*r.coverage.reps, *r.precision.reps]:
                note("herkenbaarheid", num)
    return out
