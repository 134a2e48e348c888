"""Cells and phrases the experiment's report section shares between its parts."""

from __future__ import annotations

import math
from collections.abc import Sequence

from bestaanszekerheid.disclosure import CheckedTable
from bestaanszekerheid.experiments.results import ArmEffect, format_p
from bestaanszekerheid.formatting import fmt_int, fmt_num
from bestaanszekerheid.reports.tree import Cell, Table


def count_table(
    table: CheckedTable, *, key: str, title: str, row_label: str, note: str = ""
) -> Table:
    """A checked (one- or two-way) count table as a report table; hidden cells stay hidden.
    Its rows and columns are the checked table's labels (the checks label every code)."""
    frame = table.frame
    columns = [str(c[-1]) if isinstance(c, tuple) else str(c) for c in frame.columns]
    if len(columns) == 1:
        columns = ["Aantal deelnemers"]
    columns = ["Totaal" if c == "__total__" else c for c in columns]
    rows = []
    for idx, values in frame.iterrows():
        label = idx[-1] if isinstance(idx, tuple) else idx
        label = "Totaal" if str(label) == "__total__" else str(label)
        rows.append((Cell(label), *(Cell(float(v), "int") for v in values.tolist())))
    return Table(
        key=key,
        title=title,
        columns=(row_label, *columns),
        rows=tuple(rows),
        sources=(table.name,),
        kind="checked",
        narrow=True,
        note=note,
    )


def unit_name(binary: bool) -> str:
    return "procentpunten" if binary else "punten op de schaal"


def pct(value: float) -> str:
    """A confidence level in percent, e.g. 99,2 (one decimal unless whole)."""
    digits = 0 if abs(value - round(value)) < 1e-9 else 1
    return fmt_num(value, digits)


def adjusted(e: ArmEffect) -> tuple[float, float]:
    """The interval corrected for the family (the plain one when it was not computed)."""
    if e.ci_low_adjusted is None or e.ci_high_adjusted is None:
        return e.ci_low, e.ci_high
    return e.ci_low_adjusted, e.ci_high_adjusted


def num(value: float | None) -> Cell:
    return Cell(math.nan if value is None else float(value), "num2")


def p_cell(value: float | None) -> Cell:
    return Cell(format_p(value) if value is not None else "–")


def word(n: int) -> str:
    """A small number as a Dutch word."""
    words = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien")
    return words[n] if 0 <= n < len(words) else fmt_int(n)


def listing(items: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]
