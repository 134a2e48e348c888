"""Every checked table of a run in one XLSX workbook (one sheet per table)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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


_FORMATS = {"int": "#,##0", "pct": "0.0%", "num": "0.0", "num2": "0.00"}
#: Area code columns of checked tables, and the heading of the name column put beside them.
_AREA_COLUMNS = {"wijk_code": ("wijk", "Wijk"), "buurt_code": ("buurt", "Buurt")}


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, no []:*?/\\); a longer title
    is cut at a word and ends in "…", never mid-word (the contents sheet has it in full)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", title).strip() or "Tabel"
    if len(base) > 31:
        cut = base[:30]
        if " " in cut and base[30] != " ":
            cut = cut[: cut.rindex(" ")]
        base = cut.rstrip(" -–,") + "…"
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


def _write_checked(
    ws: Any, table: CheckedTable, synthetic: bool, names: Mapping[str, Mapping[str, str]]
) -> None:
    """One checked table; ``names``: area names by level, written beside an area code."""
    frame = table.to_frame("nl")
    ws.append([table.name])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(
        [f"Populatie: {table.population}" + (" – SYNTHETISCHE GEGEVENS" if synthetic else "")]
    )
    ws.append(["x = niet gepubliceerd (onthullingscontrole, regels " + table.rules_version + ")"])
    ws.append([])
    area = _AREA_COLUMNS.get(str(frame.index.names[0])) if frame.index.nlevels == 1 else None
    level_names = names.get(area[0], {}) if area else {}
    index_names = [_label(n) for n in frame.index.names]
    name_column = [area[1]] if area and level_names else []
    ws.append([*name_column, *index_names, *(str(c) for c in frame.columns)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for idx, row in frame.iterrows():
        keys = list(idx) if isinstance(idx, tuple) else [idx]
        name = [level_names.get(str(keys[0]), str(keys[0]))] if name_column else []
        ws.append([*name, *(str(k) for k in keys), *row.tolist()])
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
            if c.fmt in _FORMATS and not c.hidden and isinstance(cell.value, int | float):
                cell.number_format = _FORMATS[c.fmt]
                if c.fmt == "pct":
                    cell.value = cell.value / 100  # a real percentage: 45,3% reads as such
    if table.note:
        ws.append([])
        ws.append([table.note])
    _autosize(ws)


def _index_row(index: Any, sheet: str, title: str, kind: str) -> None:
    """A row of the contents sheet whose sheet name links to the sheet."""
    index.append([sheet, title, kind])
    cell = index.cell(row=index.max_row, column=1)
    quoted = sheet.replace("'", "''")
    cell.hyperlink = f"#'{quoted}'!A1"
    cell.style = "Hyperlink"


def _area_names(result: Run) -> dict[str, Mapping[str, str]]:
    """Wijk and buurt names of the run's area catalogue (none when the run has no areas)."""
    areas = getattr(result, "areas", None)
    if areas is None:
        return {}
    return {level: areas.catalog.names(level) for level in ("wijk", "buurt")}


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
    names = _area_names(result)
    for table in checked_tables(result) if tables is None else tables:
        name = sheet_name(table.name, used)
        _write_checked(wb.create_sheet(name), table, result.synthetic, names)
        _index_row(index, name, table.name, "gecontroleerde tabel")
    for block in report.tables():
        if block.kind == "checked" and block.key != "definities-cbs":
            continue  # the same figures as a checked table above
        name = sheet_name(block.title, used)
        _write_report_table(wb.create_sheet(name), block, result.synthetic)
        kind = {"estimate": "schatting", "plan": "bereikplan"}.get(block.kind, "model")
        _index_row(index, name, block.title, "definities" if block.kind == "checked" else kind)
    _autosize(index)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
