"""Wijk and buurt polygons for one municipality, small enough for a report's maps.

Sources: a CBS wijk- en buurtkaart GeoPackage (``wijkenbuurten_<jaar>.gpkg``, layers
``wijken`` and ``buurten``, in EPSG:28992), a GeoJSON file, or the PDOK OGC API
(``gebiedsindelingen``, collections ``wijk_gegeneraliseerd`` and ``buurt_gegeneraliseerd``)
when online. Whatever the source, the result is EPSG:4326 (GeoJSON's lon/lat), simplified at
0.001 degree and rounded to 3 decimals (about 100 m), like the packaged Tilburg maps: good for
choropleths, not for assigning addresses.

A GeoPackage needs ``pyogrio`` and ``shapely`` (``pip install 'bestaanszekerheid[geo]'``):
GDAL reads the file and reprojects it on read (``ST_Transform`` of its GeoPackage SQL), shapely
simplifies. A GeoJSON file in lon/lat and the PDOK API need neither; without shapely the
polygons are only rounded, not simplified (the notes say so).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bestaanszekerheid.areas.catalog import Level
from bestaanszekerheid.areas.sources import (
    Source,
    belongs_to,
    file_details,
    normalise_municipality,
    year_in,
)
from bestaanszekerheid.errors import UserFacingError

TOLERANCE = 0.001  # degrees; about 70 m east-west and 110 m north-south in the Netherlands
DECIMALS = 3
LAYERS: Mapping[Level, str] = {"wijk": "wijken", "buurt": "buurten"}
_WGS84 = {"EPSG:4326", "OGC:CRS84"}
_CODE_FIELDS: Mapping[Level, tuple[str, ...]] = {
    "wijk": ("wijkcode", "wk_code", "statcode", "code"),
    "buurt": ("buurtcode", "bu_code", "statcode", "code"),
}
_NAME_FIELDS: Mapping[Level, tuple[str, ...]] = {
    "wijk": ("wijknaam", "wk_naam", "statnaam", "name", "naam"),
    "buurt": ("buurtnaam", "bu_naam", "statnaam", "name", "naam"),
}
_GM_FIELDS = ("gemeentecode", "gm_code")
_GM_NAME_FIELDS = ("gemeentenaam", "gm_naam")


@dataclass(frozen=True)
class Shape:
    """One wijk or buurt polygon (GeoJSON geometry in EPSG:4326; ``None`` when it vanished
    in simplification or the source has none)."""

    level: Level
    code: str
    name: str
    geometry: Mapping[str, Any] | None


@dataclass(frozen=True)
class AreaShapes:
    """The polygons of one municipality, per level, with their source."""

    municipality_code: str
    municipality_name: str
    shapes: Mapping[Level, tuple[Shape, ...]]
    source: Source
    year: int | None = None
    notes: tuple[str, ...] = ()


def _geo_modules(where: str, what: str = "een GeoPackage") -> tuple[Any, Any]:
    try:
        import pyogrio
        import shapely
    except ImportError:
        raise UserFacingError(
            f"{where}: voor {what} zijn de pakketten 'pyogrio' en 'shapely' nodig: "
            "pip install 'bestaanszekerheid[geo]'. Of gebruik GeoJSON (in lon/lat) of "
            "--geometrie-online."
        ) from None
    return pyogrio, shapely


# --- simplification --------------------------------------------------------------------


def simplify(geometry: Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, bool]:
    """A GeoJSON (multi)polygon simplified and rounded; and whether shapely did it."""
    if geometry is None:
        return None, False
    try:
        import shapely
        import shapely.geometry
    except ImportError:
        return _round_only(geometry), False
    return _simplified(shapely, shapely.geometry.shape(geometry)), True


def _polygonal(shapely: Any, geom: Any) -> Any:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _simplified(shapely: Any, geom: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    geom = _polygonal(shapely, geom)
    geom = shapely.simplify(geom, TOLERANCE, preserve_topology=True)
    # Snapping to the 3-decimal grid keeps the polygon valid (set_precision repairs what
    # rounding alone could break, such as a ring that touches itself).
    geom = _polygonal(shapely, shapely.set_precision(geom, 10.0**-DECIMALS))
    if geom.is_empty:
        return None
    geom = shapely.orient_polygons(geom)  # RFC 7946: exterior rings counterclockwise
    return _rounded(shapely.geometry.mapping(geom))


def _rounded(geometry: Mapping[str, Any]) -> dict[str, Any]:
    def ring(points: Sequence[Sequence[float]]) -> list[list[float]]:
        return [[round(float(x), DECIMALS), round(float(y), DECIMALS)] for x, y, *_ in points]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]],
    }


def _round_only(geometry: Mapping[str, Any]) -> dict[str, Any] | None:
    """Without shapely: round, drop repeated points and rings that collapsed."""

    def ring(points: Sequence[Sequence[float]]) -> list[list[float]] | None:
        out: list[list[float]] = []
        for x, y, *_ in points:
            point = [round(float(x), DECIMALS), round(float(y), DECIMALS)]
            if not out or out[-1] != point:
                out.append(point)
        if out and out[0] != out[-1]:
            out.append(out[0])
        return out if len(out) >= 4 else None

    def polygon(rings: Sequence[Any]) -> list[list[list[float]]] | None:
        done = [ring(r) for r in rings]
        if not done or done[0] is None:
            return None
        return [r for r in done if r is not None]

    if geometry.get("type") == "Polygon":
        one = polygon(geometry["coordinates"])
        return None if one is None else {"type": "Polygon", "coordinates": one}
    if geometry.get("type") == "MultiPolygon":
        many = [p for p in (polygon(c) for c in geometry["coordinates"]) if p is not None]
        return {"type": "MultiPolygon", "coordinates": many} if many else None
    return None


# --- files -----------------------------------------------------------------------------


def read_geometry(
    paths: Sequence[str | Path], municipality: str, *, today: date | None = None
) -> AreaShapes:
    """The polygons of ``municipality`` from one GeoPackage or one or more GeoJSON files."""
    municipality = normalise_municipality(municipality)
    parts = [_read_one(Path(p), municipality, today) for p in paths]
    if len(parts) == 1:
        return parts[0]
    shapes: dict[Level, dict[str, Shape]] = {"wijk": {}, "buurt": {}}
    for part in parts:
        for level, items in part.shapes.items():
            for shape in items:
                if shape.code in shapes[level]:
                    raise UserFacingError(
                        f"{level}code '{shape.code}' staat in meer dan één geometriebestand "
                        f"({', '.join(str(p) for p in paths)})."
                    )
                shapes[level][shape.code] = shape
    return AreaShapes(
        municipality,
        next((p.municipality_name for p in parts if p.municipality_name), ""),
        {level: tuple(v.values()) for level, v in shapes.items() if v},
        Source(
            " ".join(p.source.description for p in parts),
            {"files": [dict(p.source.details) for p in parts]},
        ),
        next((p.year for p in parts if p.year), None),
        tuple(n for p in parts for n in p.notes),
    )


def _read_one(path: Path, municipality: str, today: date | None) -> AreaShapes:
    if not path.is_file():
        raise UserFacingError(f"Geometriebestand '{path}' bestaat niet.")
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return _read_geopackage(path, municipality, today)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, municipality, today)
    raise UserFacingError(
        f"{path}: onbekend soort geometriebestand '{path.suffix}'; gebruik een GeoPackage "
        "(.gpkg, de CBS wijk- en buurtkaart) of GeoJSON (.geojson)."
    )


def _file_source(path: Path, kind: str, today: date | None = None) -> Source:
    return Source(
        f"Grenzen uit {kind} '{path.name}' (CBS wijk- en buurtkaart), vereenvoudigd.",
        file_details(path, kind, today),
    )


def _field(fields: Sequence[str], options: Sequence[str]) -> str | None:
    lower = {f.lower(): f for f in fields}
    return next((lower[o] for o in options if o in lower), None)


def _read_geopackage(path: Path, municipality: str, today: date | None) -> AreaShapes:
    pyogrio, shapely = _geo_modules(str(path))
    try:
        layers = [str(name) for name, _kind in pyogrio.list_layers(path)]
    except Exception as exc:  # GDAL's own error types; any of them means: not readable
        raise UserFacingError(f"{path}: geen leesbaar GeoPackage ({exc}).") from None
    by_lower = {name.lower(): name for name in layers}
    shapes: dict[Level, tuple[Shape, ...]] = {}
    municipality_name = ""
    used_shapely = True
    for level, layer in LAYERS.items():
        if layer not in by_lower:
            raise UserFacingError(
                f"{path}: de laag '{layer}' ontbreekt; lagen in het bestand: "
                f"{', '.join(layers) or 'geen'}. Verwacht een CBS wijk- en buurtkaart "
                "(wijkenbuurten_<jaar>.gpkg) met de lagen 'wijken' en 'buurten'."
            )
        items, name = _read_layer(pyogrio, shapely, path, by_lower[layer], level, municipality)
        shapes[level] = items
        municipality_name = municipality_name or name
    return AreaShapes(
        municipality,
        municipality_name,
        shapes,
        _file_source(path, "GeoPackage", today),
        year_in([path.name]),
        () if used_shapely else ("Grenzen niet vereenvoudigd (shapely ontbreekt).",),
    )


def _read_layer(
    pyogrio: Any, shapely: Any, path: Path, layer: str, level: Level, municipality: str
) -> tuple[tuple[Shape, ...], str]:
    info = pyogrio.read_info(path, layer=layer)
    fields = [str(f) for f in info["fields"]]
    code = _field(fields, _CODE_FIELDS[level])
    name = _field(fields, _NAME_FIELDS[level])
    gm = _field(fields, _GM_FIELDS)
    gm_name = _field(fields, _GM_NAME_FIELDS)
    water = _field(fields, ("water",))
    missing = [
        label
        for label, found in (
            (_CODE_FIELDS[level][0], code),
            (_NAME_FIELDS[level][0], name),
            (_GM_FIELDS[0], gm),
        )
        if found is None
    ]
    if missing or code is None or name is None or gm is None:
        raise UserFacingError(
            f"{path}, laag '{layer}': kolom(men) {', '.join(missing)} ontbreken; kolommen in de "
            f"laag: {', '.join(fields) or 'geen'}."
        )
    crs = info.get("crs")
    if not crs:
        raise UserFacingError(
            f"{path}, laag '{layer}': het coördinatenstelsel ontbreekt; verwacht EPSG:28992 "
            "(RD New) of EPSG:4326."
        )
    geometry = info.get("geometry_name") or "geom"
    select = ", ".join(f'"{c}"' for c in (code, name, gm_name, water) if c)
    expr = f'"{geometry}"' if crs in _WGS84 else f'ST_Transform("{geometry}", 4326)'
    sql = f'SELECT {select}, {expr} AS geom FROM "{layer}" WHERE "{gm}" = \'{municipality}\''
    meta, _fids, geoms, values = pyogrio.raw.read(path, sql=sql)
    columns = {str(f): list(v) for f, v in zip(meta["fields"], values, strict=True)}
    if not geoms.size:
        sample = pyogrio.raw.read(path, sql=f'SELECT DISTINCT "{gm}" FROM "{layer}" LIMIT 8')[3]
        codes = ", ".join(str(v) for v in sample[0]) if sample else ""
        raise UserFacingError(
            f"{path}, laag '{layer}', kolom '{gm}': gemeente '{municipality}' komt niet voor"
            + (f" (wel bijvoorbeeld: {codes})" if codes else "")
            + "."
        )
    if meta.get("crs") not in _WGS84:
        raise UserFacingError(
            f"{path}, laag '{layer}': kon {crs} niet omzetten naar EPSG:4326 (lon/lat)."
        )
    return _group(shapely, level, columns, code, name, water, geoms, path, layer), (
        str(columns[gm_name][0]).strip() if gm_name else ""
    )


def _group(
    shapely: Any,
    level: Level,
    columns: Mapping[str, list[Any]],
    code: str,
    name: str,
    water: str | None,
    geoms: Any,
    path: Path,
    layer: str,
) -> tuple[Shape, ...]:
    """One shape per code: CBS's map splits some areas into a land and a water part; the
    land parts are what a map of where people live shows."""
    parts: dict[str, list[tuple[Any, bool]]] = {}
    names: dict[str, str] = {}
    for i, wkb in enumerate(geoms):
        value = str(columns[code][i]).strip()
        if not re.fullmatch(r"WK\d{6}" if level == "wijk" else r"BU\d{8}", value):
            raise UserFacingError(
                f"{path}, laag '{layer}', kolom '{code}': '{value}' is geen geldige "
                f"{level}code ({'WK + 6' if level == 'wijk' else 'BU + 8'} cijfers)."
            )
        land = water is None or str(columns[water][i]).strip().upper() not in ("JA", "J", "1")
        geom = shapely.from_wkb(wkb) if wkb is not None else None
        parts.setdefault(value, []).append((geom, land))
        names.setdefault(value, str(columns[name][i]).strip())
    out = []
    for value, pieces in sorted(parts.items()):
        chosen = [g for g, land in pieces if land and g is not None] or [
            g for g, _ in pieces if g is not None
        ]
        geom = shapely.union_all(chosen) if chosen else None
        out.append(Shape(level, value, names[value], _simplified(shapely, geom)))
    return tuple(out)


def _read_geojson(path: Path, municipality: str, today: date | None) -> AreaShapes:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserFacingError(
            f"{path}, regel {exc.lineno}: geen geldige GeoJSON ({exc.msg})."
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise UserFacingError(f"{path}: verwacht een GeoJSON FeatureCollection.")
    crs_name = str(((data.get("crs") or {}).get("properties") or {}).get("name", ""))
    if crs_name and not re.search(r"(4326|CRS84)$", crs_name):
        data = _reproject_geojson(path, crs_name)
    features = data.get("features") or []
    shapes: dict[Level, list[Shape]] = {"wijk": [], "buurt": []}
    used_shapely = False
    seen_keys: set[str] = set()
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        seen_keys.update(props)
        level, code, name = _feature_identity(props)
        if level is None or not belongs_to(code, municipality):
            continue
        geometry = feature.get("geometry")
        _check_lonlat(geometry, path, number, code)
        simple, used_shapely = simplify(geometry)
        shapes[level].append(Shape(level, code, name, simple))
    if not any(shapes.values()):
        if not any(_feature_identity(f.get("properties") or {})[0] for f in features):
            raise UserFacingError(
                f"{path}: geen eigenschap met wijk- of buurtcodes gevonden; verwacht "
                f"'statcode', 'code', 'wijkcode' of 'buurtcode' (gevonden: "
                f"{', '.join(sorted(seen_keys)) or 'geen'})."
            )
        raise UserFacingError(f"{path}: geen wijken of buurten van gemeente '{municipality}'.")
    return AreaShapes(
        municipality,
        "",
        {level: tuple(sorted(v, key=lambda s: s.code)) for level, v in shapes.items() if v},
        _file_source(path, "GeoJSON", today),
        year_in([path.name]),
        ()
        if used_shapely
        else ("Grenzen alleen afgerond, niet vereenvoudigd (shapely ontbreekt).",),
    )


def _feature_identity(props: Mapping[str, Any]) -> tuple[Level | None, str, str]:
    lower = {str(k).lower(): v for k, v in props.items()}
    for key in ("statcode", "code", "buurtcode", "wijkcode", "bu_code", "wk_code"):
        value = str(lower.get(key) or "").strip()
        if re.fullmatch(r"WK\d{6}", value):
            level: Level = "wijk"
        elif re.fullmatch(r"BU\d{8}", value):
            level = "buurt"
        else:
            continue
        names = _NAME_FIELDS[level]
        name = next((str(lower[n]).strip() for n in names if lower.get(n)), "")
        return level, value, name
    return None, "", ""


def _check_lonlat(geometry: Any, path: Path, number: int, code: str) -> None:
    if not geometry:
        return
    coords = geometry.get("coordinates")
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if isinstance(coords, list) and len(coords) >= 2:
        x, y = float(coords[0]), float(coords[1])
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise UserFacingError(
                f"{path}, object {number} ({code}): coördinaat ({x}, {y}) is geen lon/lat; geef "
                "het coördinatenstelsel op in de GeoJSON ('crs', bijv. EPSG:28992) of gebruik "
                "het GeoPackage van CBS."
            )


def _reproject_geojson(path: Path, crs_name: str) -> dict[str, Any]:
    """A GeoJSON file in another CRS (RD New) reprojected to lon/lat by GDAL: copied into an
    in-memory GeoPackage, then read with ``ST_Transform``."""
    pyogrio, shapely = _geo_modules(str(path), f"GeoJSON in {crs_name}")
    meta, _fids, geoms, values = pyogrio.raw.read(path)
    memory = f"/vsimem/bsz-{uuid.uuid4().hex}.gpkg"
    try:
        pyogrio.raw.write(
            memory,
            geoms,
            values,
            list(meta["fields"]),
            layer="l",
            driver="GPKG",
            geometry_type="Unknown",
            crs=meta["crs"],
        )
        fields = "".join(f'"{f}", ' for f in meta["fields"])
        out_meta, _f, out_geoms, out_values = pyogrio.raw.read(
            memory, sql=f'SELECT {fields}ST_Transform(geom, 4326) AS geom FROM "l"'
        )
    except Exception as exc:  # GDAL's own errors
        raise UserFacingError(
            f"{path}: kon het coördinatenstelsel '{crs_name}' niet omzetten naar EPSG:4326 ({exc})."
        ) from None
    finally:
        pyogrio.vsi_unlink(memory)
    features = []
    for i, wkb in enumerate(out_geoms):
        props = {str(f): _plain(v[i]) for f, v in zip(out_meta["fields"], out_values, strict=True)}
        geom = shapely.from_wkb(wkb) if wkb is not None else None
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
