"""Every checked table of a run in one XLSX workbook (one sheet per table)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bestaanszekerheid.disclosure import CheckedTable, ReleaseRegister
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.reports.tree import Report, Table


class Run(Protocol):
    """What the workbook needs of a run: its release register and whether it is synthetic
    (an :class:`~bestaanszekerheid.pipeline.AnalysisResult`, or an experiment's section)."""

    @property
    def register(self) -> ReleaseRegister: ...

    @property
    def synthetic(self) -> bool: ...


_FORMATS = {"int": "#,##0", "pct": "0.0", "num": "0.0", "num2": "0.00"}


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", title).strip() or "Tabel"
    base = base[:31]
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.casefold())
    return name


def checked_tables(result: Run) -> list[CheckedTable]:
    """Every checked table released in the run's register, in release order (then those of
    the run's experiment, which has its own register)."""
    registers = [result.register]
    experiment = getattr(result, "experiment", None)
    if experiment is not None:
        registers.append(experiment.register)
    return [
        r.output for reg in registers for r in reg.releases if isinstance(r.output, CheckedTable)
    ]


def _label(column: Any) -> str:
    """Dutch label of a table dimension (the column name when there is none)."""
    from bestaanszekerheid.profiles.features import CHARACTERISTICS_BY_COLUMN

    if column is None:
        return ""
    char = CHARACTERISTICS_BY_COLUMN.get(str(column))
    labels = {"wijk_code": "Wijk (code)", "doelgroep": "Doelgroep", "groep": "Groep"}
    return char.label if char else labels.get(str(column), str(column))


def _autosize(ws: Any) -> None:
    for i, column in enumerate(ws.columns, start=1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)


def _write_checked(ws: Any, table: CheckedTable, synthetic: bool) -> None:
    frame = table.to_frame("nl")
    ws.append([table.name])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(
        [f"Populatie: {table.population}" + (" – SYNTHETISCHE GEGEVENS" if synthetic else "")]
    )
    ws.append(["x = niet gepubliceerd (onthullingscontrole, regels " + table.rules_version + ")"])
    ws.append([])
    index_names = [_label(n) for n in frame.index.names]
    ws.append([*index_names, *(str(c) for c in frame.columns)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for idx, row in frame.iterrows():
        keys = list(idx) if isinstance(idx, tuple) else [idx]
        ws.append([*(str(k) for k in keys), *row.tolist()])
    _autosize(ws)


def _write_report_table(ws: Any, table: Table, synthetic: bool) -> None:
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=12)
    kind = {
        "estimate": "Schatting, gecontroleerd als modeluitvoer",
        "model": "Modeluitvoer, gecontroleerd",
        "checked": "Gecontroleerde tabel",
        "plan": "Bereikplan: sommen van gepubliceerde aantallen",
    }[table.kind]
    ws.append([kind + (" – SYNTHETISCHE GEGEVENS" if synthetic else "")])
    ws.append(["Bron: " + "; ".join(s for s in table.sources if s)])
    ws.append([])
    ws.append(list(table.columns))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values: list[Any] = []
        for c in row:
            values.append(c.text() if c.fmt == "text" else ("x" if c.hidden else c.number))
        ws.append(values)
        for c, cell in zip(row, ws[ws.max_row], strict=False):
            if c.fmt in _FORMATS and not c.hidden:
                cell.number_format = _FORMATS[c.fmt]
    if table.note:
        ws.append([])
        ws.append([table.note])
    _autosize(ws)


def write_xlsx(
    result: Run, report: Report, path: Path, *, tables: Sequence[CheckedTable] | None = None
) -> Path:
    """Sheet 'Inhoud', one sheet per checked table, then the estimate tables of the report.

    ``tables``: the checked tables to include (``bsz wijken``: those its page shows); None:
    every checked table of the run (:func:`checked_tables`)."""
    wb = Workbook()
    index = wb.active
    index.title = "Inhoud"
    used = {"inhoud"}
    index.append([report.title])
    index["A1"].font = Font(bold=True, size=13)
    if result.synthetic:
        index.append(["SYNTHETISCHE GEGEVENS: verzonnen huishoudens, geen echte personen."])
    index.append([])
    index.append(["Blad", "Tabel", "Soort"])
    for cell in index[index.max_row]:
        cell.font = Font(bold=True)
    for table in checked_tables(result) if tables is None else tables:
        name = sheet_name(table.name, used)
        _write_checked(wb.create_sheet(name), table, result.synthetic)
        index.append([name, table.name, "gecontroleerde tabel"])
    for block in report.tables():
        if block.kind == "checked":
            continue  # the same figures as a checked table above
        name = sheet_name(block.title, used)
        _write_report_table(wb.create_sheet(name), block, result.synthetic)
        kind = {"estimate": "schatting", "plan": "bereikplan"}.get(block.kind, "model")
        index.append([name, block.title, kind])
    _autosize(index)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
