"""Real-format test files built from the packaged Tilburg data: StatLine CSV exports (as CBS
writes them: semicolons, quoted and padded values, '.' for a missing figure) and a CBS-style
wijk- en buurtkaart GeoPackage in EPSG:28992, plus the JSON that StatLine's OData API and
PDOK's OGC API answer with (tests/areas/servers.py serves it).

Every figure is one of the packaged Tilburg figures (src/bestaanszekerheid/areas/data/tilburg,
CBS, CC BY 4.0). The two counts KWB 2024 gives where the package has shares (one-person
households, households with children) are the packaged gemeente shares times its households,
rounded to whole households: the importer turns them back into the same shares.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from bestaanszekerheid.areas import tilburg

WIJKEN = ("WK085510", "WK085511", "WK085512")
BUURTEN = ("BU08551001", "BU08551002", "BU08551101", "BU08551102", "BU08551201", "BU08551202")
YEAR = 2024
TABLE = "85984NED"
FIXTURES = Path(__file__).parent / "fixtures"
KEY_EXPORT = FIXTURES / "kwb2024_85984NED_tilburg.csv"
TITLE_EXPORT = FIXTURES / "Kerncijfers_wijken_en_buurten_2024_tilburg.csv"

#: Columns of the key-style export: (StatLine key, our figure or a rule for the value).
KEY_COLUMNS = (
    "AantalInwoners_5",
    "Mannen_6",
    "Vrouwen_7",
    "HuishoudensTotaal_29",
    "Eenpersoonshuishoudens_30",
    "HuishoudensMetKinderen_32",
    "GemiddeldeHuishoudensgrootte_33",
    "Woningvoorraad_35",
    "GemiddeldeWOZWaardeVanWoningen_39",
    "Koopwoningen_47",
    "HuurwoningenTotaal_48",
    "Nettoarbeidsparticipatie_78",
    "GemiddeldInkomenPerInwoner_83",
    "HuishoudensMetEenLaagInkomen_89",
    "HuishOnderOfRondSociaalMinimum_90",
    "HuishoudensTot120VanSociaalMinimum_92",
)
_PACKAGED = {
    "AantalInwoners_5": "kwb2024_aantal_inwoners",
    "Mannen_6": "kwb2024_mannen",
    "Vrouwen_7": "kwb2024_vrouwen",
    "HuishoudensTotaal_29": "kwb2024_huishoudens",
    "GemiddeldeHuishoudensgrootte_33": "kwb2024_gem_huishoudensgrootte",
    "Woningvoorraad_35": "kwb2024_woningvoorraad",
}
_SHARES = {
    "Eenpersoonshuishoudens_30": "kwb2024_pct_eenpersoonshuishoudens",
    "HuishoudensMetKinderen_32": "kwb2024_pct_huishoudens_met_kinderen",
}


def _variables() -> dict[str, dict[str, str]]:
    text = (
        resources.files("bestaanszekerheid.areas") / "data" / "kwb2024_85984NED_variables.csv"
    ).read_text(encoding="utf-8")
    return {r["id"]: r for r in csv.DictReader(text.splitlines())}


def title_of(key: str) -> str:
    """The column title StatLine's website gives ``key``: its groups, title and unit."""
    rows = _variables()
    row = next(r for r in rows.values() if r["key"] == key)
    path = [row["title"]]
    parent = row["parent_id"]
    while parent:
        path.insert(0, rows[parent]["title"])
        parent = rows[parent]["parent_id"]
    return "/".join(path) + (f" ({row['unit']})" if row["unit"] else "")


def figures(code: str) -> dict[str, float | None]:
    """The value of each key column for ``code`` (None: CBS's '.')."""
    cat = tilburg()
    if code == cat.municipality_code:
        source: Mapping[str, float] = cat.municipality_figures
    else:
        area = next(a for a in (*cat.wijken, *cat.buurten) if a.code == code)
        source = area.figures
    out: dict[str, float | None] = {k: None for k in KEY_COLUMNS}
    for key, ours in _PACKAGED.items():
        out[key] = source.get(ours)
    households = source.get("kwb2024_huishoudens")
    for key, ours in _SHARES.items():
        share = source.get(ours)
        if share is not None and households is not None:
            out[key] = float(round(share / 100 * households))
    return out


def rows() -> list[tuple[str, str, str]]:
    """(code, name, soort regio) of the fixture's areas, in StatLine's order."""
    cat = tilburg()
    names = {**cat.names("wijk"), **cat.names("buurt")}
    out = [
        ("NL00", "Nederland", "Land"),
        (cat.municipality_code, cat.municipality_name, "Gemeente"),
    ]
    for wijk in WIJKEN:
        out.append((wijk, names[wijk], "Wijk"))
        out += [(b, names[b], "Buurt") for b in BUURTEN if b[2:8] == wijk[2:8]]
    return out


def _number(value: float | None) -> str:
    if value is None:
        return "       ."
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return text.rjust(8)


def _write(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue()


def key_export() -> str:
    """A table export with StatLine keys as column names (as the OData API and the
    Dataportaal name the columns), names in WijkenEnBuurten."""
    header = [
        "ID",
        "WijkenEnBuurten",
        "Gemeentenaam_1",
        "SoortRegio_2",
        "Codering_3",
        "IndelingswijzigingGemeenteWijkBuurt_4",
        *KEY_COLUMNS,
    ]
    body = []
    for n, (code, name, kind) in enumerate(rows()):
        municipality = "Nederland" if code == "NL00" else "Tilburg"
        values = figures(code) if code != "NL00" else dict.fromkeys(KEY_COLUMNS)
        change = "       ." if code[:2] in ("NL", "GM") else "       1"
        body.append(
            [
                str(n),
                name,
                municipality.ljust(40),
                kind.ljust(10),
                code.ljust(10),
                change,
                *(_number(values[k]) for k in KEY_COLUMNS),
            ]
        )
    return _write(header, body)


def title_export() -> str:
    """A table downloaded from the StatLine website as 'CSV met statistische symbolen':
    Dutch titles with their groups and units as column names."""
    header = [
        "Wijken en buurten",
        title_of("Gemeentenaam_1"),
        title_of("SoortRegio_2"),
        title_of("Codering_3"),
        *(title_of(k) for k in KEY_COLUMNS),
    ]
    body = []
    for code, name, kind in rows():
        municipality = "Nederland" if code == "NL00" else "Tilburg"
        values = figures(code) if code != "NL00" else dict.fromkeys(KEY_COLUMNS)
        body.append(
            [
                name,
                municipality.ljust(40),
                kind.ljust(10),
                code.ljust(10),
                *(_number(values[k]) for k in KEY_COLUMNS),
            ]
        )
    return _write(header, body)


def packaged_features(level: str, codes: Sequence[str]) -> list[dict[str, Any]]:
    """The packaged GeoJSON features of ``codes`` (EPSG:4326)."""
    collection = tilburg().geometry[level]  # type: ignore[index]
    return [f for f in collection["features"] if f["properties"]["code"] in codes]


def write_geopackage(
    path: Path, *, layers: Sequence[str] = ("wijken", "buurten"), crs: str = "EPSG:28992"
) -> Path:
    """A GeoPackage shaped like CBS's wijkenbuurten_<jaar>.gpkg (layers, column names, RD New)
    with the fixture's areas: written in lon/lat with pyogrio, then reprojected by GDAL."""
    import numpy as np
    import pyogrio
    import pyogrio.raw
    import shapely
    import shapely.geometry

    wgs = path.with_suffix(".wgs84.gpkg")
    cat = tilburg()
    for layer in layers:
        level = "wijk" if layer == "wijken" else "buurt"
        codes = WIJKEN if level == "wijk" else BUURTEN
        features = packaged_features(level, codes)
        geoms = np.array(
            [shapely.to_wkb(shapely.geometry.shape(f["geometry"])) for f in features], dtype=object
        )
        columns: dict[str, list[str]] = {
            f"{level}code": [f["properties"]["code"] for f in features],
            f"{level}naam": [f["properties"]["name"] for f in features],
            "wijkcode": ["WK" + f["properties"]["code"][2:8] for f in features],
            "gemeentecode": [cat.municipality_code] * len(features),
            "gemeentenaam": [cat.municipality_name] * len(features),
            "water": ["NEE"] * len(features),
        }
        pyogrio.raw.write(
            wgs,
            geoms,
            [np.array(v, dtype=object) for v in columns.values()],
            list(columns),
            layer=layer,
            driver="GPKG",
            geometry_type="MultiPolygon",
            promote_to_multi=True,
            crs="EPSG:4326",
        )
    for layer in layers:
        fields = ", ".join(f'"{f}"' for f in pyogrio.read_info(wgs, layer=layer)["fields"])
        geom = "geom" if crs == "EPSG:4326" else f"ST_Transform(geom, {crs.split(':')[1]})"
        sql = f'SELECT {fields}, {geom} AS geom FROM "{layer}"'
        meta, _fids, geoms, values = pyogrio.raw.read(wgs, sql=sql)
        assert meta["crs"] == crs, meta["crs"]
        pyogrio.raw.write(
            path,
            geoms,
            values,
            list(meta["fields"]),
            layer=layer,
            driver="GPKG",
            geometry_type="MultiPolygon",
            crs=crs,
            append=path.exists(),
        )
    wgs.unlink()
    return path


def pdok_feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    """A packaged feature as PDOK's gebiedsindelingen API gives it (statcode, statnaam)."""
    props = feature["properties"]
    return {
        "type": "Feature",
        "id": f"{props['code']}_{YEAR}",
        "properties": {
            "statcode": props["code"],
            "statnaam": props["name"],
            "jaarcode": YEAR,
            "rubriek": props["level"],
        },
        "geometry": feature["geometry"],
    }


def dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
