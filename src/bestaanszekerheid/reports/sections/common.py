"""Helpers the report sections share: Dutch dates and lists, cells as published, sources."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from bestaanszekerheid.disclosure import TOTAL, CheckedTable
from bestaanszekerheid.formatting import fmt_num
from bestaanszekerheid.reports.tree import Cell, Table

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import ProfileSet

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


def as_float(value: Any) -> float:
    """A pandas scalar as a float (NaN for missing)."""
    return math.nan if value is None or value is pd.NA else float(value)


def date_nl(value: date) -> str:
    """1 januari 2025."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def join_nl(items: list[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def source_phrase(result: AnalysisResult) -> str:
    """Where the households come from, as a phrase ('het bestand x.csv')."""
    if result.synthetic:
        return "de synthetische populatie"
    return f"het bestand {result.options.source}" if result.options.source else "het bestand"


def estimate_sources(profiles: ProfileSet) -> tuple[str, ...]:
    """The checked outputs behind a table of estimated shares: the model check and every
    characteristic table of the whole target group."""
    return (
        profiles.estimates_check.name,
        *(t.name for t in profiles.characteristic_tables.values()),
    )


def share_cell(row: Mapping[Any, Any]) -> Cell:
    """A group's share as published: the number, or its band ("meer dan 95%")."""
    band = str(row.get("band") or "")
    return Cell(band) if band else Cell(as_float(row["share_group"]), "pct")


def index_text(index: float, band: str) -> str:
    """The index as shown; at a band's limit ("meer dan 50%") it is a lower bound."""
    return ("≥ " if band else "") + fmt_num(index, 2)


def effect_cell(effect: float, band: str) -> Cell:
    """Cohen's h; for a band, computed at the band's limit, so a bound: '≥ 1,24'."""
    if band and not math.isnan(effect):
        return Cell(("≥ " if effect > 0 else "≤ ") + fmt_num(effect, 2))
    return Cell(effect, "num2")


def checked_table_block(
    table: CheckedTable,
    *,
    key: str,
    title: str,
    labels: Mapping[str, str] | None = None,
    share: bool = True,
    note: str = "",
    collapsed: bool = False,
) -> Table:
    """A one-way checked count table as a report table (count and share of the total)."""
    frame = table.frame
    column = frame.columns[0]
    total = as_float(frame.loc[TOTAL, column]) if TOTAL in frame.index else math.nan
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
