"""``bsz gebieden``: make an area catalogue (see :mod:`.catalog`) for any municipality.

Codes, names, hierarchy and KWB figures come from CBS StatLine (:mod:`.statline`: a CSV
export, or ``cbsodata`` online); polygons from a CBS wijk- en buurtkaart GeoPackage or
GeoJSON, or PDOK online (:mod:`.geometry`). Either may be left out: a catalogue without
polygons has no maps, one from polygons alone has no figures. With nothing at all, the
packaged Tilburg catalogue is what the toolkit uses; :func:`copy_packaged` writes it out.

The folder is written next to its destination and renamed into place only after it reads
back with :func:`~bestaanszekerheid.areas.catalog.read_catalog`: a failed import leaves no
half-written catalogue, and an existing one stays as it was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from bestaanszekerheid.areas.catalog import (
    AREAS_FILE,
    GEOMETRY_FILES,
    SOURCE_FILE,
    AreaCatalog,
    Level,
    read_catalog,
)
from bestaanszekerheid.areas.geometry import AreaShapes, Shape, read_geometry
from bestaanszekerheid.areas.online import fetch_pdok, fetch_statline
from bestaanszekerheid.areas.sources import (
    DEFAULT_ONLINE_YEAR,
    AreaLevel,
    Source,
    normalise_municipality,
)
from bestaanszekerheid.areas.statline import AreaRecord, StatlineAreas, read_statline_csv
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_dir

PACKAGED = "GM0855"
TOOL = "bsz gebieden"
_COLUMNS = (
    "level",
    "code",
    "name",
    "wijk_code",
    "wijk_name",
    "gemeente_code",
    "gemeente_name",
    "indeling_jaar",
    "src_code_name",
)
#: Below this share of StatLine areas with a polygon, the two sources describe different
#: indelingen (another year): an error, not a map with holes.
MIN_MATCH = 0.5


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_areas` wrote: the catalogue as read back, and what to tell."""

    catalog: AreaCatalog
    folder: Path
    notes: tuple[str, ...]


LEVELS: tuple[Level, ...] = ("wijk", "buurt")
_PLURAL: Mapping[Level, str] = {"wijk": "wijken", "buurt": "buurten"}


@dataclass(frozen=True)
class _Area:
    level: AreaLevel
    code: str
    name: str
    figures: Mapping[str, float]


def import_areas(
    municipality: str,
    out: str | Path,
    *,
    statline: str | Path | None = None,
    online: bool = False,
    geometry: Sequence[str | Path] = (),
    geometry_online: bool = False,
    year: int | None = None,
    table: str | None = None,
    statline_url: str | None = None,
    pdok_url: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """Read the sources asked for and write the catalogue folder ``out``."""
    municipality = normalise_municipality(municipality)
    if statline is not None and online:
        raise UserFacingError("Kies --statline (een bestand) of --online, niet allebei.")
    if geometry and geometry_online:
        raise UserFacingError("Kies --geometrie (een bestand) of --geometrie-online, niet allebei.")
    if statline is None and not online and not geometry and not geometry_online:
        raise UserFacingError(
            f"Geen bron voor {municipality}: geef --statline of --online (codes, namen en "
            "cijfers) en/of --geometrie of --geometrie-online (grenzen)."
        )
    table_areas: StatlineAreas | None = None
    if statline is not None:
        table_areas = read_statline_csv(statline, municipality, year=year, table=table, today=today)
    elif online:
        table_areas = fetch_statline(
            municipality,
            year=year,
            table=table,
            base_url=statline_url,
            today=today,
        )
    if table_areas is not None:
        year = table_areas.year
    shapes: AreaShapes | None = None
    if geometry:
        shapes = read_geometry(geometry, municipality, today=today)
    elif geometry_online:
        shapes = fetch_pdok(
            municipality, year or DEFAULT_ONLINE_YEAR, base_url=pdok_url, today=today
        )
    if year is None:
        year = shapes.year if shapes is not None else None
    if year is None:
        raise UserFacingError(
            "Het jaar van de gebiedsindeling staat niet in de bestandsnaam van de geometrie; "
            "geef het op met --jaar, bijvoorbeeld --jaar 2024."
        )
    areas, geometry_by_level, notes = _merge(table_areas, shapes, municipality, year)
    name = (
        (table_areas.municipality_name if table_areas else "")
        or (shapes.municipality_name if shapes else "")
        or municipality
    )
    sources: dict[str, Source] = {}
    if table_areas is not None:
        sources["S1"] = table_areas.source
        notes = [*table_areas.notes, *notes]
    if shapes is not None:
        sources["S2" if table_areas is not None else "S1"] = shapes.source
        notes = [*notes, *shapes.notes]
    files = _files(
        municipality, name, year, areas, geometry_by_level, sources, table_areas, notes, today
    )
    catalog = write_folder(Path(out), files)
    return ImportResult(catalog, Path(out), tuple(notes))


def _merge(
    table: StatlineAreas | None, shapes: AreaShapes | None, municipality: str, year: int
) -> tuple[list[_Area], dict[Level, list[tuple[_Area, Shape | None]]], list[str]]:
    notes: list[str] = []
    by_code: dict[Level, dict[str, Shape]] = {
        level: {s.code: s for s in (shapes.shapes.get(level, ()) if shapes else ())}
        for level in LEVELS
    }
    if table is not None:
        if shapes is not None and shapes.year not in (None, year):
            notes.append(
                f"Let op: de geometrie is van {shapes.year}, de StatLine-tabel van {year}."
            )
        areas = [_from_record(r, by_code) for r in table.records]
    else:
        assert shapes is not None
        areas = [_Area("gemeente", municipality, shapes.municipality_name, {})]
        for level in LEVELS:
            areas += [_Area(level, s.code, s.name, {}) for s in by_code[level].values()]
        wijken = {a.code for a in areas if a.level == "wijk"}
        orphans = sorted(
            a.code for a in areas if a.level == "buurt" and "WK" + a.code[2:8] not in wijken
        )
        if orphans:
            raise UserFacingError(
                f"De geometrie heeft buurten zonder hun wijk: {', '.join(orphans[:8])}."
            )
        notes.append("Geen StatLine-bron: het gebiedsbestand heeft geen KWB-cijfers.")
    nameless = [a.code for a in areas if a.level != "gemeente" and not a.name]
    if nameless:
        raise UserFacingError(
            f"Geen naam voor {len(nameless)} gebied(en), bijvoorbeeld {', '.join(nameless[:5])}: "
            "de StatLine-bron heeft alleen codes (kolom 'WijkenEnBuurten') en de geometrie "
            "ontbreekt of heeft deze gebieden niet. Download de tabel met de namen van de wijken "
            "en buurten, of geef --geometrie."
        )
    geometry: dict[Level, list[tuple[_Area, Shape | None]]] = {}
    if shapes is not None:
        for level in LEVELS:
            if not by_code[level]:
                notes.append(f"De geometrie heeft geen {_PLURAL[level]}: daarvan geen kaart.")
                continue
            geometry[level], level_notes = _match(level, areas, by_code[level], table is not None)
            notes += level_notes
    return areas, geometry, notes


def _from_record(record: AreaRecord, shapes: Mapping[Level, Mapping[str, Shape]]) -> _Area:
    shape = None
    for level in LEVELS:
        if record.level == level:
            shape = shapes[level].get(record.code)
    name = record.name or (shape.name if shape is not None else "")
    return _Area(record.level, record.code, name, record.figures)


def _match(
    level: Level, areas: Sequence[_Area], shapes: Mapping[str, Shape], from_table: bool
) -> tuple[list[tuple[_Area, Shape | None]], list[str]]:
    mine = [a for a in areas if a.level == level]
    codes = {a.code for a in mine}
    plural = _PLURAL[level]
    matched = sum(code in shapes for code in codes)
    if from_table and mine and matched < MIN_MATCH * len(mine):
        raise UserFacingError(
            f"De geometrie past niet bij de StatLine-tabel: {matched} van de {len(mine)} "
            f"{plural} hebben een vlak. Gebruik de wijk- en buurtkaart van hetzelfde jaar als "
            "de Kerncijfers."
        )
    notes = []
    extra = sorted(set(shapes) - codes)
    if extra:
        notes.append(
            f"{len(extra)} {plural} in de geometrie staan niet in de StatLine-tabel en zijn "
            f"weggelaten: {', '.join(extra[:8])}{' ...' if len(extra) > 8 else ''}."
        )
    no_shape = sorted(codes - set(shapes))
    empty = sorted(c for c in codes & set(shapes) if shapes[c].geometry is None)
    for label, listed in (
        ("hebben geen vlak in de geometrie", no_shape),
        ("verdwenen bij het vereenvoudigen (te klein)", empty),
    ):
        if listed:
            notes.append(f"{len(listed)} {plural} {label}: {', '.join(listed[:8])}.")
    return [(a, shapes.get(a.code)) for a in mine], notes


# --- the files ---------------------------------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(float(value), 6))


def _areas_csv(
    municipality: str,
    name: str,
    year: int,
    areas: Sequence[_Area],
    figure_columns: Sequence[str],
    src_codes: str,
    src_figures: str,
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    figure_src = f"src_kwb{year}"
    writer.writerow([*_COLUMNS, *figure_columns, figure_src])
    names = {a.code: a.name for a in areas if a.level == "wijk"}
    order = {"gemeente": 0, "wijk": 1, "buurt": 2}
    for area in sorted(areas, key=lambda a: (order[a.level], a.code)):
        wijk = "" if area.level == "gemeente" else "WK" + area.code[2:8]
        has_figures = any(c in area.figures for c in figure_columns)
        writer.writerow(
            [
                area.level,
                area.code,
                area.name,
                wijk,
                names.get(wijk, ""),
                municipality,
                name,
                year,
                src_codes,
                *(_number(area.figures[c]) if c in area.figures else "" for c in figure_columns),
                src_figures if has_figures else "",
            ]
        )
    return buffer.getvalue()


def _feature_collection(
    level: Level,
    pairs: Sequence[tuple[_Area, Shape | None]],
    municipality: str,
    name: str,
    year: int,
    source: Source,
) -> str:
    features = []
    for area, shape in pairs:
        properties: dict[str, Any] = {
            "code": area.code,
            "name": area.name,
            "level": level,
            "jaar": year,
            "gemeente_code": municipality,
        }
        if level == "buurt":
            properties["wijk_code"] = "WK" + area.code[2:8]
        if shape is None or shape.geometry is None:
            properties["geometry_note"] = (
                "geen vlak in de bron" if shape is None else "verdwenen bij het vereenvoudigen"
            )
        features.append(
            {
                "type": "Feature",
                "id": area.code,
                "properties": properties,
                "geometry": shape.geometry if shape is not None else None,
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": f"{name.lower().replace(' ', '_')}_{GEOMETRY_FILES[level].split('.')[0]}_{year}",
        "source": f"{source.description} Bron: CBS, CC BY 4.0",
        "crs_note": "EPSG:4326 (WGS84 lon/lat, RFC 7946), 3 decimals (~100 m)",
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def _files(
    municipality: str,
    name: str,
    year: int,
    areas: Sequence[_Area],
    geometry: Mapping[Level, Sequence[tuple[_Area, Shape | None]]],
    sources: Mapping[str, Source],
    table: StatlineAreas | None,
    notes: Sequence[str],
    today: date | None,
) -> dict[str, str]:
    ids = list(sources)
    src_figures = ids[0] if table is not None else ""
    src_codes = "+".join(ids)
    figure_columns = list(table.figure_columns) if table is not None else []
    files = {
        AREAS_FILE: _areas_csv(
            municipality, name, year, areas, figure_columns, src_codes, src_figures
        )
    }
    shape_source = sources[ids[-1]]
    for level, pairs in geometry.items():
        files[GEOMETRY_FILES[level]] = _feature_collection(
            level, pairs, municipality, name, year, shape_source
        )
    meta = {
        "municipality_code": municipality,
        "municipality_name": name,
        "year": year,
        "attribution": _attribution(year, table is not None, bool(geometry)),
        "sources": {k: s.description for k, s in sources.items()},
        "source_details": {k: dict(s.details) for k, s in sources.items()},
        "made_with": TOOL,
        "made_on": (today or date.today()).isoformat(),
        "notes": list(notes),
    }
    files[SOURCE_FILE] = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    return files


def _attribution(year: int, figures: bool, maps: bool) -> str:
    parts = [f"Kerncijfers Wijken en Buurten {year}"] if figures else []
    parts.append(f"wijk- en buurtindeling {year}" + (", grenzen" if maps else ""))
    return f"Bron: CBS ({'; '.join(parts)}), CC BY 4.0"


def write_folder(out: Path, files: Mapping[str, str]) -> AreaCatalog:
    """Write ``files`` as the catalogue folder ``out``, atomically; return it read back."""
    if out.exists() and not out.is_dir():
        raise UserFacingError(f"--out '{out}' is een bestand; geef een map op.")
    if out.is_dir() and any(out.iterdir()) and not (out / AREAS_FILE).is_file():
        raise UserFacingError(
            f"--out '{out}' bestaat al en is geen gebiedsbestand (er staat geen {AREAS_FILE} "
            "in); kies een nieuwe of lege map, dan blijft wat er staat ongemoeid."
        )
    with atomic_dir(out) as tmp:
        for file_name, text in files.items():
            (tmp / file_name).write_text(text, encoding="utf-8")
        # A folder that does not read back must not replace anything.
        read_catalog(tmp)
    return read_catalog(out)


def copy_packaged(out: str | Path) -> AreaCatalog:
    """Write the packaged Tilburg catalogue (with its README) to the folder ``out``."""
    folder = resources.files("bestaanszekerheid.areas") / "data" / "tilburg"
    files = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith((".csv", ".json", ".geojson", ".md"))
    }
    return write_folder(Path(out), files)
