"""Polygons from a CBS-style GeoPackage (EPSG:28992, reprojected by GDAL) and from GeoJSON."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from bestaanszekerheid.areas.geometry import read_geometry, simplify
from bestaanszekerheid.errors import UserFacingError
from tests.areas import builders

needs_geo = pytest.mark.skipif(
    find_spec("pyogrio") is None or find_spec("shapely") is None,
    reason="pyogrio and shapely (the 'geo' extra) are not installed",
)


def _coordinates(geometry: dict[str, Any]) -> list[list[float]]:
    out: list[list[float]] = []

    def walk(node: Any) -> None:
        if node and isinstance(node[0], int | float):
            out.append(node)
        else:
            for child in node:
                walk(child)

    walk(geometry["coordinates"])
    return out


@needs_geo
def test_a_geopackage_in_rd_new_is_reprojected_simplified_and_rounded(tmp_path: Path) -> None:
    import pyogrio
    import shapely.geometry

    path = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg")
    assert pyogrio.read_info(path, layer="buurten")["crs"] == "EPSG:28992"
    assert pyogrio.read_info(path, layer="buurten")["total_bounds"][0] > 100_000  # metres
    shapes = read_geometry([path], "GM0855")
    assert shapes.year == 2024 and shapes.municipality_name == "Tilburg"
    assert [s.code for s in shapes.shapes["wijk"]] == list(builders.WIJKEN)
    assert [s.code for s in shapes.shapes["buurt"]] == list(builders.BUURTEN)
    assert shapes.source.details["sha256"] and shapes.source.details["kind"] == "GeoPackage"
    for level, codes in (("wijk", builders.WIJKEN), ("buurt", builders.BUURTEN)):
        packaged = {f["properties"]["code"]: f for f in builders.packaged_features(level, codes)}
        for shape in shapes.shapes[level]:
            assert shape.name == packaged[shape.code]["properties"]["name"]
            assert shape.geometry is not None
            points = _coordinates(dict(shape.geometry))
            assert all(round(v, 3) == v for p in points for v in p)
            assert all(4.9 < x < 5.3 and 51.5 < y < 51.7 for x, y in points)  # lon/lat
            ours = shapely.geometry.shape(shape.geometry)
            theirs = shapely.geometry.shape(packaged[shape.code]["geometry"])
            # RD and back, then simplified at 0.001 degree: within about 150 m of the source.
            assert ours.is_valid and ours.hausdorff_distance(theirs) < 0.002


@needs_geo
def test_a_geopackage_without_a_buurten_layer_says_which_layers_it_has(tmp_path: Path) -> None:
    path = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg", layers=("wijken",))
    with pytest.raises(UserFacingError) as err:
        read_geometry([path], "GM0855")
    text = str(err.value)
    assert text.startswith(f"{path}: de laag 'buurten' ontbreekt; lagen in het bestand: wijken.")


@needs_geo
def test_a_layer_without_the_expected_columns_names_them(tmp_path: Path) -> None:
    import numpy as np
    import pyogrio.raw
    import shapely

    path = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg", layers=("wijken",))
    square = shapely.to_wkb(shapely.box(133_000, 395_000, 134_000, 396_000))
    pyogrio.raw.write(
        path,
        np.array([square], dtype=object),
        [np.array(["BU08551001"], dtype=object)],
        ["code_buurt"],
        layer="buurten",
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:28992",
        append=True,
    )
    with pytest.raises(UserFacingError) as err:
        read_geometry([path], "GM0855")
    assert str(err.value) == (
        f"{path}, laag 'buurten': kolom(men) buurtcode, buurtnaam, gemeentecode ontbreken; "
        "kolommen in de laag: code_buurt."
    )


@needs_geo
def test_another_municipality_is_not_in_the_geopackage(tmp_path: Path) -> None:
    path = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg")
    with pytest.raises(UserFacingError) as err:
        read_geometry([path], "GM0796")
    assert "laag 'wijken', kolom 'gemeentecode': gemeente 'GM0796' komt niet voor" in str(err.value)
    assert "wel bijvoorbeeld: GM0855" in str(err.value)


def test_geojson_in_lon_lat_needs_no_extra(tmp_path: Path) -> None:
    path = tmp_path / "wijken_2024.geojson"
    features = [
        builders.pdok_feature(f) for f in builders.packaged_features("wijk", builders.WIJKEN)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    shapes = read_geometry([path], "GM0855")
    assert [s.code for s in shapes.shapes["wijk"]] == list(builders.WIJKEN)
    assert "buurt" not in shapes.shapes and shapes.year == 2024
    assert shapes.shapes["wijk"][0].name == "Binnenstad"


@needs_geo
def test_geojson_in_rd_new_is_reprojected(tmp_path: Path) -> None:
    import pyogrio.raw

    gpkg = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg", layers=("wijken",))
    meta, _fids, geoms, values = pyogrio.raw.read(gpkg, layer="wijken")
    path = tmp_path / "wijken_rd.geojson"
    pyogrio.raw.write(
        path,
        geoms,
        values,
        list(meta["fields"]),
        driver="GeoJSON",
        geometry_type="MultiPolygon",
        crs="EPSG:28992",
    )
    assert "28992" in json.loads(path.read_text())["crs"]["properties"]["name"]
    shapes = read_geometry([path], "GM0855")
    points = [p for s in shapes.shapes["wijk"] for p in _coordinates(dict(s.geometry or {}))]
    assert points and all(4.9 < x < 5.3 and 51.5 < y < 51.7 for x, y in points)


def test_geojson_without_codes_or_in_metres_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "vlakken.geojson"
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    feature = {"type": "Feature", "properties": {"naam": "X"}, "geometry": square}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(UserFacingError, match=r"geen eigenschap met wijk- of buurtcodes .*naam"):
        read_geometry([path], "GM0855")
    metres = {
        "type": "Polygon",
        "coordinates": [[[133000, 395000], [134000, 395000], [133000, 396000], [133000, 395000]]],
    }
    feature = {"type": "Feature", "properties": {"statcode": "WK085510"}, "geometry": metres}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(UserFacingError, match=r"object 1 \(WK085510\): coördinaat \(133000"):
        read_geometry([path], "GM0855")
    path.write_text("{niet json")
    with pytest.raises(UserFacingError, match=r"regel 1: geen geldige GeoJSON"):
        read_geometry([path], "GM0855")
    with pytest.raises(UserFacingError, match=r"onbekend soort geometriebestand '\.shp'"):
        (tmp_path / "kaart.shp").write_bytes(b"")
        read_geometry([tmp_path / "kaart.shp"], "GM0855")


def test_simplify_rounds_to_three_decimals() -> None:
    ring = [
        [5.08712, 51.55134],
        [5.0891, 51.5521],
        [5.091, 51.56],
        [5.078, 51.56],
        [5.08712, 51.55134],
    ]
    geometry, _ = simplify({"type": "Polygon", "coordinates": [ring]})
    assert geometry is not None
    assert all(round(v, 3) == v for p in _coordinates(geometry) for v in p)
    tiny = [[5.0801, 51.5501], [5.0802, 51.5501], [5.0802, 51.5502], [5.0801, 51.5501]]
    assert simplify({"type": "Polygon", "coordinates": [tiny]})[0] is None  # gone at 100 m
