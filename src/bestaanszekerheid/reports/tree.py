"""The report tree: what a report says, independent of how it is rendered.

``build_report`` (in :mod:`.build`) computes nothing: it arranges checked results into a tree
of sections and blocks. Renderers (HTML, persona-card PDF, XLSX, JSON) walk the tree. Table
cells keep raw numbers plus a format, so HTML shows Dutch number formats while XLSX keeps
numbers, and every table names the checked outputs (tables and model checks in the run's
release register) its figures come from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct

Format = Literal["int", "pct", "num", "num2", "text"]
HIDDEN_MARK = "x"


@dataclass(frozen=True)
class Cell:
    """One table cell: a raw value and how to show it. NaN/None numbers are hidden ('x')."""

    value: float | str | None
    fmt: Format = "text"

    @property
    def hidden(self) -> bool:
        """True for a number that may not be shown (suppressed or not estimable)."""
        if self.fmt == "text":
            return False
        return self.value is None or (isinstance(self.value, float) and math.isnan(self.value))

    @property
    def number(self) -> float | None:
        """The value as published: rounded as :meth:`text` shows it (half away from zero),
        so a workbook, a bundle and the page carry the same number. None when hidden."""
        if self.fmt == "text" or self.hidden:
            return None
        assert isinstance(self.value, int | float)
        decimals = {"int": 0, "pct": 1, "num2": 2}.get(self.fmt, 1)
        scale = 10.0**decimals
        value = float(self.value)
        return math.copysign(math.floor(abs(value) * scale + 0.5) / scale, value)

    def text(self, lang: str = "nl") -> str:
        """The value as a reader sees it."""
        if self.fmt == "text":
            return "" if self.value is None else str(self.value)
        if self.hidden:
            return HIDDEN_MARK
        value = self.number
        assert value is not None
        if self.fmt == "int":
            return fmt_int(value, lang)
        if self.fmt == "pct":
            return fmt_pct(value, 1, lang)
        if self.fmt == "num2":
            return fmt_num(value, 2, lang)
        return fmt_num(value, 1, lang)


@dataclass(frozen=True)
class Table:
    """A table for readers; ``sources`` names the checked outputs behind its figures."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sources: tuple[str, ...] = ()
    #: "checked": counts/percentages of checked tables; "estimate": model estimates released
    #: as a checked model output; "model": fit statistics of a checked model; "plan": sums
    #: and quotients of published figures (an outreach plan), which say nothing new.
    kind: Literal["checked", "estimate", "model", "plan"] = "checked"
    note: str = ""
    #: Number of leading columns that label the row (rendered as row headers).
    header_columns: int = 1
    #: Long reference tables start folded in HTML (still printed in full).
    collapsed: bool = False
    #: Laid out for a phone too: on a narrow screen smaller type, tighter cells and headers
    #: that wrap, so that every column fits 390 px (for tables with short headers and a
    #: label column whose names may wrap).
    narrow: bool = False

    def __post_init__(self) -> None:
        # Each source once, in order of first mention.
        object.__setattr__(self, "sources", tuple(dict.fromkeys(self.sources)))

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Per column: does it hold numbers (right-aligned, header too)? A label column or
        a column of text cells does not, so its header aligns with its cells."""
        return tuple(
            j >= self.header_columns and any(r[j].fmt != "text" for r in self.rows if j < len(r))
            for j in range(len(self.columns))
        )


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class KeyFigures:
    """Large figures with a label (summary cards)."""

    items: tuple[tuple[str, str], ...]  # (value as text, label)


@dataclass(frozen=True)
class Chart:
    """A static chart (SVG) with a text alternative and, if useful, the data as a table."""

    key: str
    title: str
    svg: str
    alt: str
    table: Table | None = None
    #: The same chart drawn for a narrow screen (a phone), if the wide one would be
    #: unreadable scaled down (a map with its legend beside it).
    narrow_svg: str = ""
    #: The chart drawn for paper, if the screen's would print too small to read: drawn at
    #: the size it is printed (a page per group leaves room for the strongest features
    #: only; maps side by side share one printed :class:`MapKey`).
    print_svg: str = ""
    #: Said after the caption on paper: what the chart drawn for paper leaves out.
    print_note: str = ""
    #: Put the SVG in the page itself, not in an ``<img>``: a map's areas then show their
    #: name and figure on hover (the SVG's ``<title>`` elements).
    inline: bool = False
    #: Paragraphs that belong to the picture (what a map says in words, the key to its
    #: numbers): printed on the same page as it.
    text: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapKey:
    """The legend the maps around it share on paper, printed once beside them (each map
    drawn for paper leaves its own out; on screen every map has its own and this is not
    shown)."""

    title: str
    #: (swatch as a small inline SVG, label), as the maps' legends list them.
    entries: tuple[tuple[str, str], ...]
    #: Below the legend: the maps' source line, which the maps on paper leave out too.
    note: str = ""


@dataclass(frozen=True)
class Callout:
    """A highlighted remark (a caution, or a note for the reader)."""

    text: str
    tone: Literal["info", "warning"] = "info"


Block = Paragraph | Bullets | KeyFigures | Chart | Table | Callout | MapKey


@dataclass(frozen=True)
class Section:
    """A titled part of the report."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()
    lead: str = ""


@dataclass(frozen=True)
class Report:
    """The whole report."""

    title: str
    subtitle: str
    lang: str
    synthetic: bool
    created: str
    sections: tuple[Section, ...]
    meta: dict[str, str] = field(default_factory=dict)

    def walk(self) -> list[tuple[Section, Block]]:
        """Every block with its section, depth first, in reading order."""
        out: list[tuple[Section, Block]] = []

        def visit(section: Section) -> None:
            out.extend((section, b) for b in section.blocks)
            for sub in section.subsections:
                visit(sub)

        for s in self.sections:
            visit(s)
        return out

    def tables(self) -> list[Table]:
        """Every table, including the data tables behind charts."""
        found: list[Table] = []
        for _, block in self.walk():
            if isinstance(block, Table):
                found.append(block)
            elif isinstance(block, Chart) and block.table is not None:
                found.append(block.table)
        return found


SYNTHETIC_BANNER = {
    "nl": "Synthetische gegevens: dit rapport is gemaakt van een verzonnen populatie en zegt "
    "niets over echte huishoudens.",
    "en": "Synthetic data: this report was made from an invented population and says nothing "
    "about real households.",
}
