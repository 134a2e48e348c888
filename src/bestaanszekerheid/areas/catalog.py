"""A municipality's areas: wijken and buurten with codes, names, hierarchy, CBS figures per wijk
and generalised polygons, as one typed object (:class:`AreaCatalog`).

A catalogue is a folder with ``gebieden.csv`` (one row per gemeente, wijk and buurt; the columns
of the packaged Tilburg file), ``bron.json`` (municipality, year, sources, attribution) and,
optionally, ``wijken.geojson`` and ``buurten.geojson`` (EPSG:4326). The packaged default is
Tilburg's 2024 indeling (:func:`tilburg`); ``bsz gebieden`` writes the same folder for another
municipality (:mod:`.importer`), read back with :func:`read_catalog`.

Codes are the key everywhere; names are for labels. KWB figures exist per wijk and for the
gemeente only (CBS publishes few buurt figures for small areas, and the packaged file has none).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from bestaanszekerheid.errors import UserFacingError

Level = Literal["wijk", "buurt"]
LEVELS: tuple[Level, ...] = ("wijk", "buurt")
AREAS_FILE = "gebieden.csv"
SOURCE_FILE = "bron.json"
GEOMETRY_FILES: Mapping[Level, str] = {"wijk": "wijken.geojson", "buurt": "buurten.geojson"}
#: Columns every ``gebieden.csv`` has; figures are the ``kwb<year>_*`` columns besides.
REQUIRED_COLUMNS = ("level", "code", "name", "wijk_code", "gemeente_code", "gemeente_name")
ATTRIBUTION = "Bron: CBS (Kerncijfers Wijken en Buurten; wijk- en buurtindeling), CC BY 4.0"

_CODE = {
    "gemeente": re.compile(r"^GM\d{4}$"),
    "wijk": re.compile(r"^WK\d{6}$"),
    "buurt": re.compile(r"^BU\d{8}$"),
}
_FIGURE = re.compile(r"^kwb\d{4}_")


@dataclass(frozen=True)
class Area:
    """One wijk or buurt. ``wijk_code`` is the parent wijk (a wijk's own code for a wijk)."""

    level: Level
    code: str
    name: str
    wijk_code: str
    #: CBS figures the catalogue has for this area (``kwb2022_huishoudens`` ...); absent keys
    #: are figures CBS did not publish or the source did not carry.
    figures: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AreaCatalog:
    """The areas of one municipality in one indeling (see the module docstring)."""

    municipality_code: str
    municipality_name: str
    year: int
    wijken: tuple[Area, ...]
    buurten: tuple[Area, ...]
    municipality_figures: Mapping[str, float]
    #: Source id -> description (the ``src_*`` ids in ``gebieden.csv``).
    sources: Mapping[str, str]
    attribution: str = ATTRIBUTION
    #: GeoJSON FeatureCollection per level (features with ``properties.code``), when present.
    geometry: Mapping[Level, Mapping[str, Any]] = field(default_factory=dict)
    #: Where the catalogue came from, for reports: "ingebouwd" or a folder path.
    origin: str = "ingebouwd"

    def areas(self, level: Level) -> tuple[Area, ...]:
        """The wijken or the buurten, in catalogue order."""
        return self.wijken if level == "wijk" else self.buurten

    def names(self, level: Level = "wijk") -> dict[str, str]:
        """Code -> name of every wijk or buurt."""
        return {a.code: a.name for a in self.areas(level)}

    def label(self, code: str) -> str:
        """The name of a wijk or buurt code (the code itself when unknown)."""
        level: Level = "buurt" if code.startswith("BU") else "wijk"
        return self.names(level).get(code, code)

    def parent(self) -> dict[str, str]:
        """Buurt code -> wijk code."""
        return {b.code: b.wijk_code for b in self.buurten}

    def figures(self, level: Level = "wijk") -> pd.DataFrame:
        """The CBS figures per area as a frame (index: code; NaN where CBS has none)."""
        rows = {a.code: dict(a.figures) for a in self.areas(level)}
        frame = pd.DataFrame.from_dict(rows, orient="index", dtype=float)
        return frame.reindex(index=[a.code for a in self.areas(level)])

    def households(self, code: str) -> float:
        """CBS's number of private households of a wijk (or the gemeente), newest year first;
        NaN when CBS has none."""
        figures = (
            self.municipality_figures
            if code == self.municipality_code
            else next((a.figures for a in self.wijken if a.code == code), {})
        )
        for key in sorted((k for k in figures if k.endswith("_huishoudens")), reverse=True):
            return float(figures[key])
        return math.nan

    def has_geometry(self, level: Level) -> bool:
        """Whether polygons are there for ``level``."""
        return level in self.geometry

    def check_codes(self, codes: Iterable[Any], level: Level, *, source: str) -> None:
        """Raise a Dutch error naming the codes in ``codes`` (from ``source``, a file or column)
        that this catalogue does not know, and how many households they hold."""
        counts = pd.Series(list(codes), dtype="string").dropna().value_counts()
        known = set(self.names(level))
        unknown = counts[~counts.index.isin(known)]
        if unknown.empty:
            return
        shown = ", ".join(f"{code} ({n})" for code, n in unknown.head(8).items())
        more = f" en nog {len(unknown) - 8}" if len(unknown) > 8 else ""
        raise UserFacingError(
            f"{source}: {len(unknown)} {level}code(s) komen niet voor in het gebiedsbestand "
            f"({self.municipality_name}, indeling {self.year}; {self.origin}): {shown}{more} "
            f"(tussen haakjes het aantal huishoudens; {int(unknown.sum())} in totaal). "
            "Gebruik hetzelfde indelingsjaar in de microdata en het gebiedsbestand, of maak een "
            "gebiedsbestand voor deze gemeente met 'bsz gebieden'."
        )


def _figures(row: Mapping[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, text in row.items():
        if key and _FIGURE.match(key) and text not in (None, ""):
            try:
                out[key] = float(text)
            except ValueError:
                continue  # a source note (e.g. a "_src" column), not a figure
    return out


def _parse(
    rows: list[dict[str, str]], meta: Mapping[str, Any], where: str
) -> tuple[list[Area], list[Area], dict[str, float]]:
    missing = [c for c in REQUIRED_COLUMNS if c not in (rows[0] if rows else {})]
    if missing:
        raise UserFacingError(
            f"{where}: kolom(men) {', '.join(missing)} ontbreken; verwacht: "
            f"{', '.join(REQUIRED_COLUMNS)}."
        )
    wijken: list[Area] = []
    buurten: list[Area] = []
    municipality: dict[str, float] = {}
    for number, row in enumerate(rows, start=2):
        level, code = row["level"], row["code"]
        pattern = _CODE.get(level)
        if pattern is None or not pattern.match(code):
            raise UserFacingError(
                f"{where}, regel {number}: '{level}' met code '{code}' is geen geldige CBS-"
                "gebiedscode (GM + 4 cijfers, WK + 6 cijfers of BU + 8 cijfers)."
            )
        if level == "gemeente":
            municipality = _figures(row)
            continue
        parent = row["wijk_code"] or code
        if level == "buurt" and parent != "WK" + code[2:8]:
            raise UserFacingError(
                f"{where}, regel {number}: buurt {code} hoort volgens zijn code bij wijk "
                f"WK{code[2:8]}, niet bij '{parent}'."
            )
        area = Area(level, code, row["name"], parent, _figures(row))  # type: ignore[arg-type]
        (wijken if level == "wijk" else buurten).append(area)
    known = {w.code for w in wijken}
    orphans = sorted({b.wijk_code for b in buurten} - known)
    if orphans:
        raise UserFacingError(
            f"{where}: buurten verwijzen naar wijk(en) die het bestand niet heeft: "
            f"{', '.join(orphans[:8])}."
        )
    if not wijken:
        raise UserFacingError(f"{where}: het bestand bevat geen wijken (kolom 'level').")
    return wijken, buurten, municipality


def _read(folder: Traversable | Path, origin: str) -> AreaCatalog:
    areas_file = folder / AREAS_FILE
    source_file = folder / SOURCE_FILE
    for needed in (areas_file, source_file):
        if not needed.is_file():
            raise UserFacingError(
                f"{origin}: het bestand '{needed.name}' ontbreekt; een gebiedsbestand is een map "
                f"met {AREAS_FILE} en {SOURCE_FILE} (zie 'bsz gebieden --help')."
            )
    meta = json.loads(source_file.read_text(encoding="utf-8"))
    rows = list(csv.DictReader(areas_file.read_text(encoding="utf-8").splitlines()))
    wijken, buurten, municipality = _parse(rows, meta, f"{origin}/{AREAS_FILE}")
    geometry: dict[Level, Mapping[str, Any]] = {}
    for level, name in GEOMETRY_FILES.items():
        path = folder / name
        if path.is_file():
            geometry[level] = json.loads(path.read_text(encoding="utf-8"))
    return AreaCatalog(
        municipality_code=str(meta["municipality_code"]),
        municipality_name=str(meta["municipality_name"]),
        year=int(meta["year"]),
        wijken=tuple(wijken),
        buurten=tuple(buurten),
        municipality_figures=municipality,
        sources=dict(meta.get("sources", {})),
        attribution=str(meta.get("attribution", ATTRIBUTION)),
        geometry=geometry,
        origin=origin,
    )


@cache
def tilburg() -> AreaCatalog:
    """Tilburg's 2024 wijken and buurten as packaged (real CBS data, see its README)."""
    folder = resources.files("bestaanszekerheid.areas") / "data" / "tilburg"
    return _read(folder, "ingebouwd: Tilburg 2024")


def read_catalog(path: str | Path | None = None) -> AreaCatalog:
    """The catalogue in folder ``path`` (written by ``bsz gebieden``); Tilburg when ``None``."""
    if path is None:
        return tilburg()
    folder = Path(path)
    if not folder.is_dir():
        raise UserFacingError(
            f"Gebiedsbestand '{folder}' bestaat niet of is geen map (maak er een met "
            "'bsz gebieden')."
        )
    return _read(folder, str(folder))
