"""Offline choropleths of the packaged Tilburg wijken and buurten (synthetic figures)."""

from __future__ import annotations

import copy
import dataclasses
import re
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.maps import (
    NO_DATA,
    NOT_ON_MAP,
    SUPPRESSED,
    assert_offline,
    choropleth,
    d3_geometry,
    legend_entries,
    map_spec,
    map_svg,
    map_table,
    share_breaks,
    shared_legend,
    swatch_svg,
)
from bestaanszekerheid.errors import UserFacingError

#: The two buurten whose polygon vanished in generalisation (data/tilburg/README.md).
NULL_GEOMETRY = {"BU08553206", "BU08556707"}
AREA = re.compile(
    r'<path aria-label="[^"]*" role="graphics-symbol" aria-roledescription="geoshape"'
)


def _values(level: str, measure: str, *, suppressed: float = 0.15, seed: int = 1) -> pd.DataFrame:
    codes = list(tilburg().names(level))  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    if measure == "share":
        value = rng.uniform(3, 28, len(codes))
    else:
        value = np.exp(rng.normal(0, 0.6, len(codes)))
    hidden = rng.random(len(codes)) < suppressed
    return pd.DataFrame(
        {
            "value": np.where(hidden, np.nan, value),
            "status": np.where(hidden, SUPPRESSED, "gepubliceerd"),
        },
        index=codes,
    )


@cache
def _wijk_share() -> tuple[Any, str]:
    values = _values("wijk", "share")
    values.loc["WK085510", ["value", "status"]] = [12.34, "gepubliceerd"]
    chart = choropleth(
        tilburg(),
        "wijk",
        values,
        measure="share",
        title="Aandeel huishoudens in de doelgroep",
        value_label="Aandeel in de doelgroep",
    )
    return chart, map_svg(chart)


@cache
def _buurt_index() -> tuple[Any, str]:
    chart = choropleth(
        tilburg(),
        "buurt",
        _values("buurt", "index"),
        measure="index",
        title="Groep 1: waar woont deze groep?",
        value_label="Hoe vaak (1 = even vaak als in heel Tilburg)",
    )
    return chart, map_svg(chart)


def _features(chart: Any) -> list[dict[str, Any]]:
    # Altair moves inline values to the spec's top-level "datasets" (still inline).
    spec = map_spec(chart)
    data = spec["data"]
    values: list[dict[str, Any]] = (
        data["values"] if "values" in data else spec["datasets"][data["name"]]
    )
    return values


def _frame(svg: str) -> tuple[float, float]:
    found = re.search(r'class="background" aria-hidden="true" d="M0,0h([\d.]+)v([\d.]+)', svg)
    assert found
    return float(found[1]), float(found[2])


@pytest.mark.parametrize(("make", "n"), [(_wijk_share, 59), (_buurt_index, 254)])
def test_one_path_per_area_with_a_polygon(make: Any, n: int) -> None:
    chart, svg = make()
    with_polygon = n - (len(NULL_GEOMETRY) if n == 254 else 0)
    assert svg.startswith("<svg") and len(svg) > 10_000
    assert len(AREA.findall(svg)) == with_polygon
    assert len(_features(chart)) == with_polygon


@pytest.mark.parametrize("make", [_wijk_share, _buurt_index])
def test_every_area_is_drawn_as_itself_not_as_the_world_around_it(make: Any) -> None:
    # A ring wound the wrong way round for d3-geo fills the whole frame but the area.
    _, svg = make()
    width, height = _frame(svg)
    for d in re.findall(AREA.pattern + r'[^>]* d="([^"]*)"', svg):
        numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert (max(xs) - min(xs)) * (max(ys) - min(ys)) < 0.5 * width * height


def test_buurten_without_a_polygon_are_left_off_the_map_and_kept_in_the_table() -> None:
    chart, _ = _buurt_index()
    drawn = {f["properties"]["code"] for f in _features(chart)}
    assert not drawn & NULL_GEOMETRY
    table = map_table(tilburg(), "buurt", _values("buurt", "index"))
    assert list(table.columns) == ["code", "naam", "wijk", "waarde", "status"]
    assert len(table) == 254
    off = table[table["code"].isin(NULL_GEOMETRY)]
    assert off["status"].str.endswith(NOT_ON_MAP).all()
    assert table.set_index("code").loc["BU08551001", "wijk"] == "Binnenstad"


def test_the_suppressed_entry_is_in_the_legend_only_when_areas_are_suppressed() -> None:
    chart, svg = _wijk_share()
    domain = map_spec(chart)["encoding"]["color"]["scale"]["domain"]
    assert domain[-1] == SUPPRESSED
    assert f">{SUPPRESSED}</text>" in svg
    assert 'fill="url(#bsz-arcering-' in svg  # hatched, on the map and in the legend

    full = _values("wijk", "share", suppressed=0.0)
    chart = choropleth(
        tilburg(), "wijk", full, measure="share", title="Alles bekend", value_label="Aandeel"
    )
    svg = map_svg(chart)
    assert SUPPRESSED not in map_spec(chart)["encoding"]["color"]["scale"]["domain"]
    assert SUPPRESSED not in svg and "bsz-arcering" not in svg


def test_an_area_missing_from_the_figures_is_shown_as_having_no_data() -> None:
    values = _values("wijk", "share", suppressed=0.0).drop(index=["WK085510"])
    chart = choropleth(tilburg(), "wijk", values, measure="share", title="t", value_label="v")
    feature = next(f for f in _features(chart) if f["properties"]["code"] == "WK085510")
    assert feature["properties"]["klasse"] == NO_DATA
    table = map_table(tilburg(), "wijk", values)
    assert list(table.columns) == ["code", "naam", "waarde", "status"]
    assert table.set_index("code").loc["WK085510", "status"] == NO_DATA


@pytest.mark.parametrize("make", [_wijk_share, _buurt_index])
def test_the_spec_and_the_rendering_need_no_network(make: Any) -> None:
    chart, svg = make()
    spec = map_spec(chart)
    assert_offline(spec)
    # With a $schema, as Altair writes it: named, never fetched.
    assert_offline({"$schema": "https://vega.github.io/schema/vega-lite/v6.json", **spec})
    text = str(spec)
    assert "'url'" not in text and "http" not in text
    assert "http" not in svg.replace("http://www.w3.org/", "")


def test_assert_offline_finds_an_address_anywhere() -> None:
    with pytest.raises(ValueError, match=r"data\.url"):
        assert_offline({"data": {"url": "buurten.geojson"}})
    with pytest.raises(ValueError, match="layer"):
        assert_offline({"layer": [{"mark": {"type": "image", "x": "https://tiles.example/1"}}]})
    with pytest.raises(ValueError):
        assert_offline({"mark": "image", "encoding": {"url": {"value": "//cdn.example/x.png"}}})


def test_hover_text_and_legend_are_in_dutch_number_format() -> None:
    chart, svg = _wijk_share()
    spec = map_spec(chart)
    binnenstad = next(f for f in _features(chart) if f["properties"]["code"] == "WK085510")
    assert binnenstad["properties"]["tekst"] == "12,3%"
    assert binnenstad["properties"]["beschrijving"] == "Binnenstad: 12,3%"
    tooltip = spec["encoding"]["tooltip"]
    assert [t["field"] for t in tooltip] == ["properties.naam", "properties.tekst"]
    # The hover text is a computed label, not a d3 format that could fall back to English.
    assert not any("format" in t for t in tooltip)
    assert "<title>Binnenstad: 12,3%</title>" in svg
    assert all("." not in label for label in spec["encoding"]["color"]["scale"]["domain"])

    index, svg = _buurt_index()
    texts = [f["properties"]["tekst"] for f in _features(index)]
    assert all(re.fullmatch(r"\d+,\d\d|" + SUPPRESSED, t) for t in texts)
    for words in ("veel vaker (2 of meer)", "even vaak (0,8 tot 1,25)", "minder vaak"):
        assert words in svg
    assert [t["title"] for t in map_spec(index)["encoding"]["tooltip"]][:2] == ["Buurt", "Wijk"]


def test_index_classes_are_symmetric_around_one() -> None:
    values = pd.DataFrame(
        {"value": [0.4, 0.79, 0.8, 1.0, 1.24, 1.25, 2.0, 7.0], "status": "gepubliceerd"},
        index=[w.code for w in tilburg().wijken[:8]],
    )
    chart = choropleth(tilburg(), "wijk", values, measure="index", title="t", value_label="v")
    klasse = {f["properties"]["code"]: f["properties"]["klasse"] for f in _features(chart)}
    got = [klasse[c].split(" (")[0] for c in values.index]
    assert got == [
        "veel minder vaak",
        "minder vaak",
        "even vaak",
        "even vaak",
        "even vaak",
        "vaker",
        "veel vaker",
        "veel vaker",
    ]


def test_a_small_card_map_marks_the_highlighted_wijken() -> None:
    values = _values("wijk", "index")
    top = list(values["value"].sort_values(ascending=False).index[:3])
    chart = choropleth(
        tilburg(),
        "wijk",
        values,
        measure="index",
        title="niet getoond",
        value_label="niet getoond",
        small=True,
        highlight=top,
    )
    spec = map_spec(chart)
    assert spec["width"] == 220 and "title" not in spec
    assert spec["encoding"]["color"]["legend"]["title"] is None
    svg = map_svg(chart)
    assert int(re.search(r'width="(\d+)"', svg)[1]) < 260  # type: ignore[index]
    thick = re.findall(AREA.pattern + r'[^>]*stroke="#1b1b1b" stroke-width="2"', svg)
    assert len(thick) == 3
    assert ">niet getoond<" not in svg  # no title (it is the screen reader's summary only)
    assert "veel vaker<" in svg  # the tiny legend has the words only


def test_maps_for_paper_share_one_legend_or_keep_their_own() -> None:
    """Group maps printed side by side leave their legend (and source line) out: one key
    lists every class any of them shows, as long as a label has one colour on all."""
    values = _values("wijk", "index")
    kw: dict[str, Any] = dict(measure="index", title="t", value_label="Hoe vaak", width=156)
    bare = choropleth(tilburg(), "wijk", values, paper=True, legend=False, heading=False, **kw)
    spec = map_spec(bare)
    assert spec["encoding"]["color"]["legend"] is None and "title" not in spec
    svg = map_svg(bare)
    assert "<text" not in svg and "Hoe vaak" not in svg
    complete = _values("wijk", "index", suppressed=0.0)
    other = choropleth(tilburg(), "wijk", complete, paper=True, legend=False, **kw)
    assert SUPPRESSED not in dict(legend_entries(other))
    key = shared_legend([other, bare])
    assert key is not None and [label for label, _ in key[:5]] == [
        label for label, _ in legend_entries(other)
    ]
    assert dict(key)[SUPPRESSED] == dict(legend_entries(bare))[SUPPRESSED]
    # One label in two colours (another status's grey): no shared key.
    odd = dataclasses.replace(other, spec=copy.deepcopy(other.spec))
    scale = odd.spec["encoding"]["color"]["scale"]
    scale["range"] = [*scale["range"][:-1], "#123456"]
    assert shared_legend([bare, odd]) is None
    # A hidden area's swatch is hatched as on the map; a class's is its colour.
    assert "url(#bsz-arcering-9a9a9a-k)" in swatch_svg(dict(key)[SUPPRESSED], "k")
    assert 'fill="#7b3294"' in swatch_svg("#7b3294", "k") and "<pattern" not in swatch_svg(
        "#7b3294", "k"
    )


def test_a_map_for_paper_has_its_legend_beside_it_at_any_width() -> None:
    values = _values("wijk", "share")
    screen = choropleth(tilburg(), "wijk", values, measure="share", title="t", value_label="v")
    paper = choropleth(
        tilburg(), "wijk", values, measure="share", title="t", value_label="v", width=330,
        paper=True,
    )  # fmt: skip
    narrow = choropleth(
        tilburg(), "wijk", values, measure="share", title="t", value_label="v", width=330
    )
    assert map_spec(screen)["encoding"]["color"]["legend"]["orient"] == "right"
    assert map_spec(narrow)["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert map_spec(paper)["encoding"]["color"]["legend"]["orient"] == "right"
    assert map_spec(paper)["title"]["subtitleFontSize"] == 11


def test_share_breaks_are_round_numbers_over_the_range() -> None:
    assert share_breaks([3.2, 27.9, float("nan")]) == (5, 10, 15, 20, 25)
    assert share_breaks([1.1, 3.9]) == (2.0, 3.0)
    assert share_breaks([0.4, 9.6]) == (2.0, 4.0, 6.0, 8.0)
    assert share_breaks([12.0, 12.0]) == (12.0,)
    assert share_breaks([float("nan")]) == (1.0,)
    with pytest.raises(ValueError):
        choropleth(
            tilburg(),
            "wijk",
            _values("wijk", "share"),
            measure="share",
            title="t",
            value_label="v",
            breaks=[10, 5],
        )


def test_figures_that_do_not_fit_the_catalogue_are_refused_in_dutch() -> None:
    bad = pd.DataFrame({"value": [1.0], "status": ["gepubliceerd"]}, index=["WK999999"])
    with pytest.raises(UserFacingError, match="komen niet voor"):
        choropleth(tilburg(), "wijk", bad, measure="index", title="t", value_label="v")
    no_polygons = dataclasses.replace(tilburg(), geometry={})
    with pytest.raises(UserFacingError, match="geen kaartvlakken"):
        choropleth(
            no_polygons,
            "wijk",
            _values("wijk", "share"),
            measure="share",
            title="t",
            value_label="v",
        )


def test_rings_are_wound_for_d3() -> None:
    square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]  # anticlockwise
    hole = [[0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]]  # clockwise
    wound = d3_geometry({"type": "Polygon", "coordinates": [square, hole]})
    assert wound["coordinates"][0] == list(reversed(square))
    assert wound["coordinates"][1] == list(reversed(hole))
    again = d3_geometry(wound)
    assert again == wound


@pytest.mark.parametrize("level", ["wijk", "buurt"])
def test_unchecked_maps_give_the_checked_spec_and_svg(
    level: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a run (charts not checked) Altair's debug mode is off and the polygons are held as
    a tuple, which its copies pass by reference: the spec and the SVG are those of the
    checked build (the test suite's)."""
    from bestaanszekerheid.areas.maps import CHECK_CHARTS_ENV

    values = _values(level, "index")
    top = list(values["value"].sort_values(ascending=False).index[:3])

    def build() -> tuple[dict[str, Any], str]:
        chart = choropleth(
            tilburg(), level, values, measure="index", title="t", value_label="v",  # type: ignore[arg-type]
            highlight=top, labels={c: str(i) for i, c in enumerate(top, 1)},
        )  # fmt: skip
        return map_spec(chart), map_svg(chart)

    checked = build()
    monkeypatch.setenv(CHECK_CHARTS_ENV, "0")
    assert build() == checked
