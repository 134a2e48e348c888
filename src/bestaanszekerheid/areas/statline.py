"""A municipality's wijken and buurten with their KWB figures from CBS StatLine: a CSV export
of a "Kerncijfers wijken en buurten" table (offline) or the same table through ``cbsodata``
(online).

What is read: the area code (``Codering_3``, or the title "Regioaanduiding/Codering (code)"
of a download from the StatLine website), the area name (``WijkenEnBuurten`` / "Wijken en
buurten", when it holds names), the municipality name and the figures of
:data:`~bestaanszekerheid.areas.indicators.INDICATORS`, found by their StatLine key stem
(``HuishoudensTotaal_29``) or their Dutch title ("Particuliere huishoudens/Huishoudens totaal
(aantal)"). CBS pads codes and numbers with spaces and writes ``.`` for a missing figure
(``x`` when secret, ``-`` for nil); both are understood.

Every error names the file, the row, the column and the value. Reading a file needs nothing
beyond the standard library; the online path (:func:`.online.fetch_statline`) shares
:func:`build_areas` with it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from bestaanszekerheid.areas.indicators import BY_KEY, INDICATORS, Indicator, column
from bestaanszekerheid.areas.sources import (
    AreaLevel,
    Source,
    belongs_to,
    file_details,
    normalise_municipality,
    year_and_table,
)
from bestaanszekerheid.errors import UserFacingError

VARIABLES_FILE = "kwb2024_85984NED_variables.csv"
VARIABLES_TABLE = "85984NED"

# CBS's symbols (Verklaring van tekens): '.' missing, 'x' secret, '?' unreliable; '-' nil.
_MISSING = {"", ".", "x", "?"}
_NIL = {"-", "–"}
KEY_PATTERN = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9_]*?)_(?P<number>\d+)$")
_UNIT = re.compile(r"^(?P<title>.*?)\s*\((?P<unit>[^()]*)\)$")
# Any code a KWB table has; wijk and buurt codes may carry letters (CBS allows them).
_ANY_CODE = re.compile(r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
_CATALOG_CODE = {"wijk": re.compile(r"^WK\d{6}$"), "buurt": re.compile(r"^BU\d{8}$")}
_CODE_HINT = "'Codering_3' of 'Regioaanduiding/Codering (code)'"


@dataclass(frozen=True)
class AreaRecord:
    """One gemeente, wijk or buurt row of a StatLine table."""

    level: AreaLevel
    code: str
    #: The area's name; empty when the source carries codes only.
    name: str
    figures: Mapping[str, float]
    #: Where the row was: "regel 7" of a file, or a record number online.
    where: str


@dataclass(frozen=True)
class StatlineAreas:
    """The rows of one municipality in a KWB table, with their source."""

    municipality_code: str
    municipality_name: str
    year: int
    table_id: str | None
    records: tuple[AreaRecord, ...]
    #: The ``gebieden.csv`` figure columns found, in indicator order.
    figure_columns: tuple[str, ...]
    source: Source
    notes: tuple[str, ...] = ()

    def areas(self, level: AreaLevel) -> list[AreaRecord]:
        return [r for r in self.records if r.level == level]


# --- the variable list of table 85984NED: titles and units by key ------------------------


@dataclass(frozen=True)
class _Variable:
    key: str
    title: str
    unit: str


@cache
def _variables() -> dict[str, _Variable]:
    text = (resources.files("bestaanszekerheid.areas") / "data" / VARIABLES_FILE).read_text(
        encoding="utf-8"
    )
    out = {}
    for row in csv.DictReader(text.splitlines()):
        if row["type"] == "Topic" and row["key"]:
            out[row["key"]] = _Variable(row["key"], row["title"], row["unit"])
    return out


def _title_of(indicator: Indicator) -> str | None:
    for variable in _variables().values():
        match = KEY_PATTERN.match(variable.key)
        if match and match["stem"] == indicator.statline:
            return _norm(variable.title)
    return None


def _norm(text: str) -> str:
    return " ".join(text.replace("|", "/").split()).lower()


# --- headers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    text: str
    stem: str | None
    title: str
    unit: str | None


def _parse_header(text: str) -> _Header:
    text = text.strip()
    key = KEY_PATTERN.match(text)
    if key:
        return _Header(text, key["stem"], _norm(text), None)
    with_unit = _UNIT.match(text)
    if with_unit:
        return _Header(text, None, _norm(with_unit["title"]), with_unit["unit"].strip().lower())
    return _Header(text, None, _norm(text), None)


def _ends_with(title: str, tail: str) -> bool:
    return title == tail or title.endswith("/" + tail)


def _is_code_column(h: _Header) -> bool:
    if h.stem is not None:
        return h.stem == "Codering"
    return _ends_with(h.title, "codering") or h.title.startswith("regiocode")


def _is_name_column(h: _Header) -> bool:
    return h.text == "WijkenEnBuurten" or h.title == "wijken en buurten"


def _is_municipality_column(h: _Header) -> bool:
    if h.stem is not None:
        return h.stem == "Gemeentenaam"
    return _ends_with(h.title, "gemeentenaam")


@dataclass
class _Columns:
    code: int
    name: int | None
    municipality: int | None
    #: indicator key -> (column index, header text, unit as the source states it or None)
    figures: dict[str, tuple[int, str, str | None]]


def _indicator_for(h: _Header) -> Indicator | None:
    for indicator in INDICATORS:
        if h.stem is not None:
            if h.stem == indicator.statline:
                return indicator
            continue
        title = _title_of(indicator)
        if title is not None and _ends_with(h.title, title):
            return indicator
    return None


def _columns(
    header: Sequence[str],
    units: Mapping[str, str],
    rows: Sequence[tuple[str, list[Any]]],
    where: str,
) -> _Columns:
    parsed = [_parse_header(h) for h in header]
    code = next((i for i, h in enumerate(parsed) if _is_code_column(h)), None)
    name = next((i for i, h in enumerate(parsed) if _is_name_column(h)), None)
    if code is None and name is not None and _holds_codes(rows, name):
        # The raw dataset ("UntypedDataSet") has the codes in WijkenEnBuurten and no names.
        code, name = name, None
    if code is None:
        found = ", ".join(f"'{h}'" for h in header if h.strip()) or "geen"
        hint = ""
        if name is not None:
            first = next(((w, r[name]) for w, r in rows if name < len(r) and r[name]), None)
            if first is not None:
                hint = (
                    f" De kolom '{header[name]}' bevat namen, geen codes ({first[0]}: "
                    f"'{str(first[1]).strip()}')."
                )
        raise UserFacingError(
            f"{where}: de kolom met gebiedscodes ontbreekt; verwacht {_CODE_HINT}.{hint} "
            f"Kolommen in het bestand: {found}. Kies bij het downloaden van StatLine ook "
            "'Regioaanduiding/Codering'."
        )
    if name is not None and _holds_codes(rows, name):
        name = None
    municipality = next((i for i, h in enumerate(parsed) if _is_municipality_column(h)), None)
    figures: dict[str, tuple[int, str, str | None]] = {}
    for i, h in enumerate(parsed):
        indicator = _indicator_for(h)
        if indicator is None:
            continue
        if indicator.key in figures:
            raise UserFacingError(
                f"{where}: de kolommen '{figures[indicator.key][1]}' en '{h.text}' zijn "
                f"allebei '{indicator.label}'; laat er één staan."
            )
        unit = h.unit if h.unit is not None else units.get(h.text)
        figures[indicator.key] = (i, h.text, unit)
    return _Columns(code, name, municipality, figures)


def _holds_codes(rows: Sequence[tuple[str, list[Any]]], index: int) -> bool:
    values = [str(r[index]).strip() for _, r in rows[:50] if index < len(r) and r[index]]
    return bool(values) and all(_ANY_CODE.match(v) for v in values)


# --- values ----------------------------------------------------------------------------


def parse_number(value: Any) -> float | None:
    """A StatLine value as a float; ``None`` when CBS marks it missing. ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text in _MISSING:
        return None
    if text in _NIL:
        return 0.0
    if "," in text and "." in text:
        # 1.234,5 (Dutch) or 1,234.5 (English): the last separator is the decimal one.
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    else:
        text = text.replace(",", ".")
    return float(text)


def _count_to_share(
    figures: dict[str, float], raw: Mapping[str, float], key: str, denominator: str
) -> None:
    total = raw.get(denominator)
    count = raw.get(key)
    if count is not None and total:
        figures[key] = round(100.0 * count / total, 1)


_DENOMINATOR = {"% van huishoudens": "huishoudens", "% van woningen": "woningvoorraad"}


def _conversions(
    columns: _Columns, rows: Sequence[tuple[str, list[Any]]], year: int
) -> tuple[dict[str, str], list[str]]:
    """Indicators in % that the source gives as counts -> their denominator, and notes.

    KWB 2024 gives one-person households and households with children as counts, earlier
    years as shares: the unit in the header or the table's metadata decides; without one, a
    value above 100 can only be a count.
    """
    out: dict[str, str] = {}
    notes: list[str] = []
    for key, (index, header, unit) in columns.figures.items():
        indicator = BY_KEY[key]
        if not indicator.unit.startswith("%"):
            continue
        if unit is None:
            values = []
            for _, row in rows:
                try:
                    number = parse_number(row[index]) if index < len(row) else None
                except ValueError:
                    continue
                if number is not None:
                    values.append(number)
            is_count = any(v > 100 for v in values)
        else:
            is_count = unit == "aantal"
        if not is_count:
            continue
        denominator = _DENOMINATOR.get(indicator.unit)
        if denominator is None or denominator not in columns.figures:
            notes.append(
                f"{column(key, year)} ontbreekt: '{header}' is een aantal en het totaal om "
                "een percentage van te maken staat niet in de bron."
            )
            out[key] = ""
            continue
        out[key] = denominator
        notes.append(
            f"{column(key, year)} is berekend uit '{header}' (een aantal) gedeeld door "
            f"'{columns.figures[denominator][1]}' × 100, afgerond op 1 decimaal."
        )
    return out, notes


# --- building the result ---------------------------------------------------------------


def _level(code: str) -> AreaLevel | None:
    return {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}.get(code[:2])  # type: ignore[return-value]


def _record(
    source: str,
    where: str,
    row: list[Any],
    code: str,
    columns: _Columns,
    conversions: Mapping[str, str],
    year: int,
) -> AreaRecord:
    raw: dict[str, float] = {}
    for key, (index, column_name, _unit) in columns.figures.items():
        value = row[index] if index < len(row) else None
        try:
            number = parse_number(value)
        except ValueError:
            raise UserFacingError(
                f"{source}, {where}, kolom '{column_name}' ({code}): '{str(value).strip()}' is "
                "geen getal; verwacht een getal, of '.' voor een ontbrekend cijfer."
            ) from None
        if number is not None:
            raw[key] = number
    figures = {k: v for k, v in raw.items() if k not in conversions}
    for key, denominator in conversions.items():
        if denominator:
            _count_to_share(figures, raw, key, denominator)
    name = ""
    if columns.name is not None and columns.name < len(row):
        name = str(row[columns.name]).strip()
    level = _level(code)
    assert level is not None  # codes were checked before
    return AreaRecord(level, code, name, {column(k, year): v for k, v in figures.items()}, where)


def build_areas(
    header: Sequence[str],
    rows: Sequence[tuple[str, list[Any]]],
    *,
    where: str,
    municipality: str,
    year: int,
    table_id: str | None,
    units: Mapping[str, str],
    source: Source,
) -> StatlineAreas:
    columns = _columns(header, units, rows, where)
    code_header = header[columns.code]
    mine: list[tuple[str, list[Any], str]] = []
    seen: dict[str, str] = {}
    others: dict[str, str] = {}
    for row_where, row in rows:
        raw = str(row[columns.code]).strip() if columns.code < len(row) else ""
        if not _ANY_CODE.match(raw):
            raise UserFacingError(
                f"{where}, {row_where}, kolom '{code_header}': '{raw}' is geen CBS-gebiedscode "
                "(GM + 4 cijfers, WK + 6 tekens of BU + 8 tekens, bijvoorbeeld GM0855, "
                "WK085510, BU08551001)."
            )
        if raw.startswith("GM") and raw != municipality:
            others.setdefault(raw, _cell(row, columns.municipality) or _cell(row, columns.name))
        if not belongs_to(raw, municipality):
            continue
        level = _level(raw)
        if level in _CATALOG_CODE and not _CATALOG_CODE[level].match(raw):
            raise UserFacingError(
                f"{where}, {row_where}, kolom '{code_header}': code '{raw}' heeft letters; het "
                "gebiedsbestand kent alleen cijfercodes (WK + 6 cijfers, BU + 8 cijfers)."
            )
        if raw in seen:
            raise UserFacingError(
                f"{where}, {row_where}, kolom '{code_header}': code '{raw}' staat er twee keer "
                f"in (ook op {seen[raw]})."
            )
        seen[raw] = row_where
        mine.append((row_where, row, raw))
    if not mine:
        listed = ", ".join(f"{c} {n}".strip() for c, n in sorted(others.items())[:8])
        more = f" en nog {len(others) - 8}" if len(others) > 8 else ""
        present = (
            f"; het bestand heeft {len(others)} andere gemeente(n): {listed}{more}"
            if others
            else ""
        )
        raise UserFacingError(
            f"{where}, kolom '{code_header}': gemeente '{municipality}' komt niet voor{present}. "
            "Controleer de gemeentecode, of download de tabel met deze gemeente erin."
        )
    conversions, notes = _conversions(columns, [(w, r) for w, r, _ in mine], year)
    records = [_record(where, w, r, code, columns, conversions, year) for w, r, code in mine]
    _check_parents(records, where, code_header)
    name = _municipality_name(records, mine, columns, municipality)
    found = {k for r in records for k in r.figures}
    figure_columns = tuple(column(i.key, year) for i in INDICATORS if column(i.key, year) in found)
    missing = [i.label for i in INDICATORS if i.key not in columns.figures]
    if missing:
        notes.append("Niet in de bron: " + ", ".join(missing) + ".")
    return StatlineAreas(
        municipality, name, year, table_id, tuple(records), figure_columns, source, tuple(notes)
    )


def _cell(row: list[Any], index: int | None) -> str:
    return str(row[index]).strip() if index is not None and index < len(row) else ""


def _municipality_name(
    records: Sequence[AreaRecord],
    mine: Sequence[tuple[str, list[Any], str]],
    columns: _Columns,
    municipality: str,
) -> str:
    for _, row, _code in mine:
        if columns.municipality is not None and _cell(row, columns.municipality):
            return _cell(row, columns.municipality)
    for record in records:
        if record.level == "gemeente" and record.name:
            return record.name
    return municipality


def _check_parents(records: Sequence[AreaRecord], where: str, code_header: str) -> None:
    wijken = {r.code for r in records if r.level == "wijk"}
    if not wijken:
        raise UserFacingError(
            f"{where}, kolom '{code_header}': de gemeente heeft geen wijken (codes WK...) in "
            "dit bestand. Kies bij het downloaden alle wijken en buurten van de gemeente."
        )
    for record in records:
        if record.level == "buurt" and "WK" + record.code[2:8] not in wijken:
            raise UserFacingError(
                f"{where}, {record.where}, kolom '{code_header}': buurt '{record.code}' hoort "
                f"bij wijk WK{record.code[2:8]}, maar die wijk staat niet in het bestand."
            )


# --- the CSV export --------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserFacingError(f"StatLine-bestand '{path}' bestaat niet.") from None
    except OSError as exc:
        raise UserFacingError(
            f"Kan StatLine-bestand '{path}' niet lezen: {exc.strerror}."
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older downloads are Windows-1252; every byte decodes there.
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    # The first line with a separator: a title line above the header has none.
    first = next((line for line in text.splitlines() if any(d in line for d in ";,\t")), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _split(text: str, where: str) -> tuple[list[str], list[tuple[str, list[str]]], list[str]]:
    """Header, data rows (with 'regel N') and the title lines before the header."""
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    titles: list[str] = []
    header: list[str] | None = None
    rows: list[tuple[str, list[str]]] = []
    for row in reader:
        cells = [c for c in row if c.strip()]
        if len(row) > 2 and row[0].strip().startswith(("Regioaanduiding|", "Regioaanduiding/")):
            raise UserFacingError(
                f"{where}, regel {reader.line_num}: de tabel staat gedraaid (onderwerpen als "
                f"regels, gebieden als kolommen: '{row[0].strip()}'). Download de tabel "
                "opnieuw met de onderwerpen als kolommen en de wijken en buurten als regels."
            )
        if header is None:
            if len(cells) <= 1:
                titles.extend(cells)
                continue
            header = row
            continue
        if len(cells) <= 1:
            continue  # "Bron: CBS" and empty lines at the end
        rows.append((f"regel {reader.line_num}", row))
    if header is None:
        raise UserFacingError(f"{where}: het bestand heeft geen kopregel met kolomnamen.")
    return header, rows, titles


def read_statline_csv(
    path: str | Path,
    municipality: str,
    *,
    year: int | None = None,
    table: str | None = None,
    today: date | None = None,
) -> StatlineAreas:
    """Read a StatLine CSV export of a KWB table for one municipality (GM + 4 digits)."""
    path = Path(path)
    municipality = normalise_municipality(municipality)
    where = str(path)
    header, rows, titles = _split(_read_text(path), where)
    year, table_id = year_and_table(year, table, [*titles, path.name], where)
    units: dict[str, str] = {}
    if table_id == VARIABLES_TABLE:
        units = {k: v.unit for k, v in _variables().items()}
    source = Source(
        f"CBS StatLine, tabel {table_id or 'onbekend'} Kerncijfers wijken en buurten {year}, "
        f"CSV-export '{path.name}'.",
        {**file_details(path, "StatLine CSV-export", today), "table": table_id},
    )
    return build_areas(
        header,
        rows,
        where=where,
        municipality=municipality,
        year=year,
        table_id=table_id,
        units=units,
        source=source,
    )
