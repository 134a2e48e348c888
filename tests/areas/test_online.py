"""The online paths against local servers on 127.0.0.1 that answer as StatLine's OData API
(through the real cbsodata client) and PDOK's OGC API do (tests/areas/servers.py)."""

from __future__ import annotations

import socket
from importlib.util import find_spec
from pathlib import Path

import pytest

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.importer import import_areas
from bestaanszekerheid.areas.online import (
    PDOK_URL_ENV,
    STATLINE_URL_ENV,
    fetch_pdok,
    fetch_statline,
)
from bestaanszekerheid.areas.statline import read_statline_csv
from bestaanszekerheid.errors import UserFacingError
from tests.areas import builders, servers

needs_cbsodata = pytest.mark.skipif(
    find_spec("cbsodata") is None, reason="cbsodata (the 'geo' extra) is not installed"
)


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@needs_cbsodata
def test_statline_online_gives_what_the_export_gives() -> None:
    with servers.statline() as server:
        online = fetch_statline("GM0855", year=2024, base_url=server.url)
    export = read_statline_csv(builders.KEY_EXPORT, "GM0855", year=2024)
    strip = [(r.level, r.code, r.name, dict(r.figures)) for r in online.records]
    assert strip == [(r.level, r.code, r.name, dict(r.figures)) for r in export.records]
    assert online.figure_columns == export.figure_columns
    assert online.source.details["table_modified"] == "2025-03-27T02:00:00"
    data = [q for path, q in server.requests if path.endswith("/TypedDataSet")]
    assert len(data) == 1
    assert "startswith(WijkenEnBuurten,'WK0855')" in data[0]["$filter"]
    assert "HuishoudensTotaal_29" in data[0]["$select"].split(",")


@needs_cbsodata
def test_statline_offline_or_without_the_table_is_explained() -> None:
    with pytest.raises(UserFacingError, match=r"CBS StatLine is niet bereikbaar.*--statline"):
        fetch_statline("GM0855", year=2024, base_url=_closed_port())
    with servers.statline() as server, pytest.raises(UserFacingError, match=r"gaf fout 404"):
        fetch_statline("GM0855", table="99999NED", year=2024, base_url=server.url)
    with pytest.raises(UserFacingError, match=r"Voor 2019 kent bsz de StatLine-tabel niet"):
        fetch_statline("GM0855", year=2019)
    broken = {f"{servers.STATLINE_TABLE}DataProperties": lambda q: (200, {"geen": "tabel"})}
    with servers.serve(broken) as server, pytest.raises(UserFacingError, match=r"onverwacht"):
        fetch_statline("GM0855", year=2024, base_url=server.url)


def test_pdok_pages_through_the_municipality_only() -> None:
    with servers.pdok() as server:
        shapes = fetch_pdok("GM0855", 2024, base_url=server.url + servers.PDOK_BASE)
    cat = tilburg()
    assert [s.code for s in shapes.shapes["wijk"]] == sorted(cat.names("wijk"))
    assert [s.code for s in shapes.shapes["buurt"]] == sorted(cat.names("buurt"))
    assert shapes.municipality_name == "Tilburg" and shapes.year == 2024
    wijk_requests = [q for p, q in server.requests if "/wijk_gegeneraliseerd/" in p]
    assert len(wijk_requests) == 3  # 59 wijken in pages of 20, following the 'next' links
    assert all(q["jaarcode"] == "2024" and q["bbox"].count(",") == 3 for q in wijk_requests)
    # Two buurten have no polygon in the source; others may vanish at 0.001 degree.
    assert sum(s.geometry is None for s in shapes.shapes["buurt"]) >= 2


def test_pdok_offline_or_without_the_municipality_is_explained() -> None:
    with pytest.raises(UserFacingError, match=r"PDOK .* is niet bereikbaar.*--geometrie"):
        fetch_pdok("GM0855", 2024, base_url=_closed_port())
    with servers.pdok() as server:
        base = server.url + servers.PDOK_BASE
        with pytest.raises(
            UserFacingError, match=r"'GM0363' bestaat niet in de gebiedsindeling 2024"
        ):
            fetch_pdok("GM0363", 2024, base_url=base)
        with pytest.raises(
            UserFacingError, match=r"'GM0855' bestaat niet in de gebiedsindeling 2023"
        ):
            fetch_pdok("GM0855", 2023, base_url=base)


@needs_cbsodata
def test_both_online_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with servers.statline() as stat, servers.pdok() as pdok:
        monkeypatch.setenv(STATLINE_URL_ENV, stat.url)
        monkeypatch.setenv(PDOK_URL_ENV, pdok.url + servers.PDOK_BASE)
        result = import_areas("GM0855", tmp_path / "g", online=True, geometry_online=True)
    cat = result.catalog
    assert [w.code for w in cat.wijken] == list(builders.WIJKEN)
    features = cat.geometry["wijk"]["features"]  # type: ignore[index]
    assert [f["properties"]["code"] for f in features] == list(builders.WIJKEN)
    # PDOK has all 59 wijken; those the StatLine table lacks are left out, and said so.
    assert any(
        "56 wijken in de geometrie staan niet in de StatLine-tabel" in n for n in result.notes
    )
    assert set(cat.sources) == {"S1", "S2"} and "PDOK" in cat.sources["S2"]
