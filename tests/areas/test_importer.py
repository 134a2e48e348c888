"""``import_areas``: the catalogue folder it writes reads back and equals its sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from bestaanszekerheid.areas import read_catalog, tilburg
from bestaanszekerheid.areas.importer import copy_packaged, import_areas
from bestaanszekerheid.areas.statline import read_statline_csv
from bestaanszekerheid.errors import UserFacingError
from tests.areas import builders

needs_geo = pytest.mark.skipif(
    find_spec("pyogrio") is None or find_spec("shapely") is None,
    reason="pyogrio and shapely (the 'geo' extra) are not installed",
)


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@needs_geo
def test_the_folder_reads_back_and_equals_the_sources(tmp_path: Path) -> None:
    gpkg = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg")
    out = tmp_path / "mijn_gebieden"
    result = import_areas("GM0855", out, statline=builders.KEY_EXPORT, geometry=[gpkg])
    assert sorted(p.name for p in out.iterdir()) == [
        "bron.json",
        "buurten.geojson",
        "gebieden.csv",
        "wijken.geojson",
    ]
    cat = read_catalog(out)
    assert cat == result.catalog and cat.origin == str(out)
    source = read_statline_csv(builders.KEY_EXPORT, "GM0855", year=2024)
    assert (cat.municipality_code, cat.municipality_name, cat.year) == ("GM0855", "Tilburg", 2024)
    for level in ("wijk", "buurt"):
        expected = [(r.code, r.name, dict(r.figures)) for r in source.areas(level)]  # type: ignore[arg-type]
        assert [(a.code, a.name, dict(a.figures)) for a in cat.areas(level)] == expected
    assert cat.parent() == {b: "WK" + b[2:8] for b in builders.BUURTEN}
    assert dict(cat.municipality_figures) == dict(source.areas("gemeente")[0].figures)
    assert cat.households("GM0855") == tilburg().households("GM0855") == 115829
    # Polygons for every area, with the codes and names of the catalogue.
    for level, codes in (("wijk", builders.WIJKEN), ("buurt", builders.BUURTEN)):
        features = cat.geometry[level]["features"]  # type: ignore[index]
        assert [f["properties"]["code"] for f in features] == list(codes)
        assert all(f["geometry"] is not None for f in features)
    meta = json.loads((out / "bron.json").read_text(encoding="utf-8"))
    assert meta["sources"]["S1"].startswith("CBS StatLine, tabel 85984NED")
    assert meta["source_details"]["S1"]["file"] == builders.KEY_EXPORT.name
    assert len(meta["source_details"]["S2"]["sha256"]) == 64
    assert meta["attribution"].startswith("Bron: CBS (Kerncijfers Wijken en Buurten 2024")
    assert "CC BY 4.0" in meta["attribution"] and meta["made_with"] == "bsz gebieden"
    assert any("berekend" in n for n in meta["notes"])
    # The pipeline's check of microdata codes works on the new catalogue.
    with pytest.raises(UserFacingError, match=r"WK085513 \(2\)"):
        cat.check_codes(["WK085510", "WK085513", "WK085513"], "wijk", source="hh.csv")


def test_a_failed_import_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "gebieden"
    import_areas("GM0855", out, statline=builders.KEY_EXPORT, year=2024)
    before = _listing(out)
    bad = tmp_path / "kwb_2024.csv"
    bad.write_text(builders.key_export().replace('"    8065"', '"achtduizend"'), encoding="utf-8")
    with pytest.raises(UserFacingError, match="achtduizend"):
        import_areas("GM0855", out, statline=bad)
    assert _listing(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gebieden", "kwb_2024.csv"]
    # A second good import replaces the folder whole.
    import_areas("GM0855", out, statline=builders.TITLE_EXPORT)
    assert "Kerncijfers_wijken" in (out / "bron.json").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gebieden", "kwb_2024.csv"]


def test_a_folder_that_is_no_catalogue_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "rapport.txt").write_text("van iemand anders")
    with pytest.raises(UserFacingError, match=r"bestaat al en is geen gebiedsbestand"):
        import_areas("GM0855", tmp_path, statline=builders.KEY_EXPORT, year=2024)
    assert (tmp_path / "rapport.txt").read_text() == "van iemand anders"


def test_statline_alone_gives_figures_without_maps(tmp_path: Path) -> None:
    result = import_areas("GM0855", tmp_path / "g", statline=builders.TITLE_EXPORT)
    assert not result.catalog.geometry and len(result.catalog.wijken) == 3
    assert result.catalog.figures("wijk").loc["WK085511", "kwb2024_aantal_inwoners"] == 6235


@needs_geo
def test_a_geopackage_alone_gives_areas_without_figures(tmp_path: Path) -> None:
    gpkg = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg")
    result = import_areas("GM0855", tmp_path / "g", geometry=[gpkg])
    cat = result.catalog
    assert cat.year == 2024 and cat.municipality_name == "Tilburg"  # from the file
    assert cat.names("buurt")["BU08551102"] == "Tivoli"
    assert not cat.municipality_figures and all(not a.figures for a in cat.wijken)
    assert any("geen KWB-cijfers" in n for n in result.notes)


def test_geometry_of_other_areas_is_refused(tmp_path: Path) -> None:
    # The StatLine export has WK085510-12; this map has other wijken (another indeling).
    others = [
        f for f in tilburg().geometry["wijk"]["features"] if f["properties"]["code"] > "WK085520"
    ]
    path = tmp_path / "wijken_2024.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": others}))
    with pytest.raises(
        UserFacingError, match=r"past niet bij de StatLine-tabel: 0 van de 3 wijken"
    ):
        import_areas("GM0855", tmp_path / "g", statline=builders.KEY_EXPORT, geometry=[path])
    assert not (tmp_path / "g").exists()


def test_conflicting_and_missing_sources_are_explained(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match=r"Kies --statline .* of --online"):
        import_areas("GM0855", tmp_path, statline=builders.KEY_EXPORT, online=True)
    with pytest.raises(UserFacingError, match=r"Geen bron voor GM0363"):
        import_areas("GM0363", tmp_path)


def test_the_packaged_catalogue_can_be_written_out(tmp_path: Path) -> None:
    cat = copy_packaged(tmp_path / "tilburg")
    assert (tmp_path / "tilburg" / "README.md").is_file()
    assert len(cat.buurten) == 254 and cat.names() == tilburg().names()
    assert cat.has_geometry("buurt")


# Without pyogrio, shapely and cbsodata: a StatLine CSV and GeoJSON still work; the
# GeoPackage and the online path say what to install.
_WITHOUT_EXTRAS = """
import importlib.abc, json, sys, tempfile
from pathlib import Path

BLOCKED = ("pyogrio", "shapely", "cbsodata")


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None


sys.meta_path.insert(0, Block())
from bestaanszekerheid.areas import geometry, importer, online, sources, statline
from bestaanszekerheid.errors import UserFacingError

export, gpkg, geojson = sys.argv[1:4]
out = Path(tempfile.mkdtemp()) / "g"
result = importer.import_areas("GM0855", out, statline=export, geometry=[geojson])
messages = {}
for name, call in (
    ("gpkg", lambda: geometry.read_geometry([gpkg], "GM0855")),
    ("online", lambda: online.fetch_statline("GM0855", year=2024)),
):
    try:
        call()
    except UserFacingError as exc:
        messages[name] = str(exc)
print(json.dumps({
    "wijken": len(result.catalog.wijken),
    "polygons": len(result.catalog.geometry["wijk"]["features"]),
    "notes": list(result.notes),
    "messages": messages,
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
}))
"""


def test_the_importer_works_without_the_geo_extra(tmp_path: Path) -> None:
    geojson = tmp_path / "wijken_2024.geojson"
    features = builders.packaged_features("wijk", builders.WIJKEN)
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    gpkg = tmp_path / "wijkenbuurten_2024.gpkg"
    gpkg.write_bytes(b"")
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS, str(builders.KEY_EXPORT), str(gpkg), str(geojson)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["wijken"] == 3 and out["polygons"] == 3 and out["loaded"] == []
    assert any("niet vereenvoudigd (shapely ontbreekt)" in n for n in out["notes"])
    assert "pip install 'bestaanszekerheid[geo]'" in out["messages"]["gpkg"]
    assert "'cbsodata' nodig" in out["messages"]["online"]
