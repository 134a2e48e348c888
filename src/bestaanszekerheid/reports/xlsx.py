"""Every checked table of a run in one XLSX workbook (one sheet per table)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

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


#: Little words left out of a sheet name that is too long (the contents sheet has the title).
_SMALL_WORDS = frozenset(
    {"aan", "als", "bij", "de", "deze", "die", "dit", "een", "en", "het", "in", "is", "met"}
    | {"naar", "of", "om", "op", "per", "te", "tot", "uit", "van", "voor"}
)
#: Sheet codes by kind of table: T gecontroleerde tabel, S schatting (or model), B bereikplan,
#: D definities.
SHEET_CODES = {"checked": "T", "estimate": "S", "model": "S", "plan": "B", "definitions": "D"}


def _fit(words: list[str], limit: int) -> str:
    """Whole words that fit in ``limit`` characters: first without the little words, then
    as many leading words as fit, never ending in a little word (and never cut mid-word)."""
    text = " ".join(words)
    if len(text) <= limit:
        return text
    words = [w for i, w in enumerate(words) if i == 0 or w.casefold() not in _SMALL_WORDS]
    kept: list[str] = []
    for w in words:
        if len(" ".join([*kept, w])) > limit:
            break
        kept.append(w)
    while len(kept) > 1 and kept[-1].casefold() in _SMALL_WORDS:
        kept.pop()
    return " ".join(kept) if kept else words[0][:limit]


def sheet_name(title: str, used: set[str], code: str = "") -> str:
    """A readable, unique Excel sheet name of at most 31 characters: ``code`` (such as "T04")
    and the title's words, shortened by whole words only (the contents sheet has the title
    in full). Characters Excel refuses (brackets, colon, star, question mark, slashes) and
    quotes become spaces."""
    words = re.sub(r"[\[\]:*?/\\'’]", " ", title).split()
    if len(words) > 2 and [w.casefold() for w in words[:2]] == ["doelgroep", "naar"]:
        words = words[2:]  # "Doelgroep naar leeftijd ...": every such table is of the target group
        words[0] = words[0][:1].upper() + words[0][1:]
    prefix = f"{code} " if code else ""
    base = prefix + _fit(words or ["Tabel"], 31 - len(prefix))
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" {n}"
        name = prefix + _fit(words or ["Tabel"], 31 - len(prefix) - len(suffix)) + suffix
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


#: Rows above a table's header: title, population or kind, source or marks, link back.
HEADER_ROW = 5
#: A number as the report shows it (Dutch: 1.234,5 or 45,3%); no leading zero (codes).
_DUTCH_NUMBER = re.compile(r"^(-?)((?:[1-9]\d{0,2}(?:\.\d{3})+)|(?:0|[1-9]\d*))(?:,(\d+))?(%?)$")


def dutch_number(text: str) -> tuple[int | float, str] | None:
    """The value and Excel format of a number written as text in Dutch ("0,379", "1.234",
    "45,3%"), shown as before; None for other text ("<0,001", "x", a code)."""
    m = _DUTCH_NUMBER.match(text.strip())
    if m is None:
        return None
    sign, whole, decimals, pct = m.groups()
    value = float(sign + whole.replace(".", "") + "." + (decimals or "0"))
    places = "." + "0" * len(decimals) if decimals else ""
    if pct:
        return round(value / 100, len(decimals or "") + 2), f"0{places}%"
    return (value if decimals else int(value)), ("#,##0" if "." in whole else "0") + places


def _autosize(ws: Any, first_row: int = 1) -> None:
    """Column widths from the cells from ``first_row`` on (not from a long title above)."""
    for i, column in enumerate(ws.iter_cols(min_row=first_row), start=1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)


def _finish(ws: Any, last_row: int) -> None:
    """A link back to the contents, the header row frozen (and the label column), a filter."""
    back = ws.cell(row=HEADER_ROW - 1, column=1, value="← Naar de inhoud")
    _link(back, "Inhoud")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2).coordinate
    if last_row > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ws.max_column)}{last_row}"
    _autosize(ws, HEADER_ROW)


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
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.number_format = "#,##0"
    _finish(ws, ws.max_row)


#: "Binnenstad (WK085510)": a table cell naming an area with its CBS code.
_AREA_CELL = re.compile(r"^(.*) \(((?:WK|BU)\d{6,8})\)$")


def _split_area_column(table: Table) -> bool:
    """Whether the first column names areas with their code in one cell (the report's way),
    which the workbook splits into a name and a code column (for filters and lookups)."""
    cells = [row[0].text() for row in table.rows if row and row[0].fmt == "text"]
    named = [c for c in cells if c not in ("Totaal", "Total")]
    return bool(named) and all(_AREA_CELL.match(c) for c in named)


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
    split = _split_area_column(table)
    columns = list(table.columns)
    ws.append([columns[0], "Code", *columns[1:]] if split else columns)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values: list[Any] = []
        for c in row:
            values.append(c.text() if c.fmt == "text" else ("x" if c.hidden else c.number))
        if split:
            found = _AREA_CELL.match(str(values[0]))
            values[:1] = [found[1], found[2]] if found else [values[0], ""]
        ws.append(values)
        cells = list(ws[ws.max_row])
        if split:
            del cells[1]  # the code column has no counterpart in the report's row
        for j, (c, cell) in enumerate(zip(row, cells, strict=False)):
            if c.fmt in _FORMATS and not c.hidden and isinstance(cell.value, int | float):
                cell.number_format = _FORMATS[c.fmt]
                if c.fmt == "pct":
                    cell.value = cell.value / 100  # a real percentage: 45,3% reads as such
            elif c.fmt == "text" and j >= table.header_columns and isinstance(cell.value, str):
                # A figure the report writes as text (a p-value "0,379", a count in the
                # appendix): a number in the workbook, shown the same way.
                parsed = dutch_number(cell.value)
                if parsed is not None:
                    cell.value, cell.number_format = parsed
    last = ws.max_row
    if table.note:
        ws.append([])
        ws.append([table.note])
    _finish(ws, last)


def _index_row(index: Any, sheet: str, title: str, kind: str) -> None:
    """A row of the contents sheet whose sheet name and title link to the sheet."""
    index.append([sheet, title, kind])
    for column in (1, 2):
        _link(index.cell(row=index.max_row, column=column), sheet)


def _link(cell: Any, sheet: str) -> None:
    """A link inside the workbook, to cell A1 of ``sheet``."""
    quoted = sheet.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!A1")
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
    header = index.max_row
    for cell in index[header]:
        cell.font = Font(bold=True)
    names = _area_names(result)
    number = 0
    for table in checked_tables(result) if tables is None else tables:
        number += 1
        name = sheet_name(table.name, used, f"{SHEET_CODES['checked']}{number:02d}")
        _write_checked(wb.create_sheet(name), table, result.synthetic, names)
        _index_row(index, name, table.name, "gecontroleerde tabel")
    for block in report.tables():
        if block.kind == "checked" and block.key != "definities-cbs":
            continue  # the same figures as a checked table above
        number += 1
        kind = "definitions" if block.kind == "checked" else block.kind
        name = sheet_name(block.title, used, f"{SHEET_CODES[kind]}{number:02d}")
        _write_report_table(wb.create_sheet(name), block, result.synthetic)
        label = {"estimate": "schatting", "plan": "bereikplan", "definitions": "definities"}
        _index_row(index, name, block.title, label.get(kind, "model"))
    index.freeze_panes = index.cell(row=header + 1, column=1).coordinate
    index.auto_filter.ref = f"A{header}:C{index.max_row}"
    _autosize(index, header)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
