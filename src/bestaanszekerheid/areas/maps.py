"""Choropleth maps of wijken and buurten, offline: Altair geoshapes with the polygons inline,
rendered to static SVG with vl-convert (no tiles, no URLs, no network).

Two measures: the target group's share of households (``"share"``, a percentage, a sequential
scale) and a group's over-representation (``"index"``, 1 = as often as in the whole city, a
diverging scale centred on 1). Both are drawn in classes: a wijkteam reads "vaker" or
"15 tot 20%" off a legend at a glance, and areas whose figure is not published get a neutral
grey with their own legend entry, which the SVG turns into a hatch (Vega-Lite has none). The
exact figure of each area is in the hover text and in the accessible table behind each map
(:func:`map_table`). See ADR 0071.

Figures come from elsewhere, already checked (published cells only); this module only draws.
The report integrates the maps (``reports`` sits above ``areas``, so the house chart style of
``reports.charts`` is repeated here, not imported).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import math
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar

import altair as alt
import pandas as pd
import vl_convert as vlc

from bestaanszekerheid.areas.catalog import AreaCatalog, Level
from bestaanszekerheid.defaults import OVER_REPRESENTED
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_num, fmt_pct, fmt_plain

Measure = Literal["share", "index"]


@dataclass(frozen=True)
class MapChart:
    """A map as its Vega-Lite spec: one geoshape layer, or that with its area names written
    on it (``labels``). A plain dict, not Altair's objects: building and copying those, with
    the polygons inline, took as long as vl-convert takes to draw the map (ADR 0074)."""

    spec: dict[str, Any]


# The house chart style (reports.charts): the same font, text colour and sizes.
FONT = "DejaVu Sans, Verdana, sans-serif"
TEXT = "#1b1b1b"
#: The house style of a map's spec (what Altair's ``configure_*`` calls wrote before).
MAP_CONFIG: dict[str, Any] = {
    "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
    "background": "white",
    "font": FONT,
    "legend": {"labelColor": TEXT, "labelFontSize": 12, "titleColor": TEXT, "titleFontSize": 12},
    "title": {"anchor": "start", "color": TEXT, "fontSize": 13},
}
PUBLISHED = "gepubliceerd"
SUPPRESSED = "te weinig huishoudens"
NO_DATA = "geen huishoudens in het bestand"
NOT_PUBLISHED = "niet gepubliceerd"
#: Appended to a table row's status for an area the map cannot show (its polygon vanished
#: when the boundaries were generalised).
NOT_ON_MAP = "niet op de kaart (geen kaartvlak)"

#: Over-representation classes: symmetric on a log scale around 1 (0,8 and 1,25 are as far
#: from 1; so are 0,5 and 2), below 0,5 and from 2 on clamped into the outer classes.
INDEX_BREAKS = (0.5, 0.8, OVER_REPRESENTED, 2.0)
INDEX_WORDS = ("veel minder vaak", "minder vaak", "even vaak", "vaker", "veel vaker")
#: ColorBrewer PRGn (colour-blind safe): green for fewer, purple for more, a near-white for
#: "even vaak" so that only the areas that differ catch the eye. Not the share maps' oranges:
#: there orange means "many low incomes", here "this group is a larger part of the target
#: group", and a reader who sees the same colour takes it for the same thing.
INDEX_COLOURS = ("#008837", "#a6dba0", "#f4f2ee", "#c2a5cf", "#7b3294")
#: ColorBrewer YlOrBr (colour-blind safe), by number of classes: warm for more. The lightest
#: class is a yellow, not a grey, so it cannot be mistaken for an area without a figure.
SHARE_COLOURS: Mapping[int, tuple[str, ...]] = {
    2: ("#fff7bc", "#d95f0e"),
    3: ("#fff7bc", "#fec44f", "#d95f0e"),
    4: ("#ffffd4", "#fed98e", "#fe9929", "#cc4c02"),
    5: ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"),
    6: ("#ffffd4", "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"),
    7: ("#ffffd4", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#8c2d04"),
}
#: Greys for areas without a figure. A hidden figure (too few households, or hidden to
#: protect another one) is hatched in its grey (:func:`map_svg`), so that no class colour can
#: be taken for it, in colour-blind eyes or in black-and-white print either; an area without
#: any households in the file (:data:`NO_DATA`) is a plain light grey: a reader sees two
#: different things, not two near-identical hatches. Anything else that renders the spec
#: shows the plain greys.
NEUTRALS: Mapping[str, str] = {SUPPRESSED: "#9a9a9a", NO_DATA: "#e3e3e3"}
HATCHED = ("#9a9a9a", "#6e6e6e", "#a8a8a8", "#505050")
OTHER_NEUTRALS = ("#6e6e6e", "#a8a8a8", "#505050")
#: Area outlines: grey, not white, or the near-white "even vaak" areas melt into the page.
EDGE = "#8f8f8f"
HIGHLIGHT = TEXT

DEFAULT_WIDTH = 560
SMALL_WIDTH = 220


@dataclass(frozen=True)
class _Classes:
    """The legend: class labels (low to high) with their colours and the bounds between."""

    labels: tuple[str, ...]
    colours: tuple[str, ...]
    breaks: tuple[float, ...]

    def label(self, value: float) -> str:
        return self.labels[sum(value >= b for b in self.breaks)]


def value_text(value: float, measure: Measure) -> str:
    """A figure as the map's hover text and table show it: "12,3%" or "1,35"; "x" if hidden."""
    if measure == "share":
        return fmt_pct(value, 1)
    return "x" if math.isnan(value) else fmt_num(value, 2)


def share_breaks(values: Iterable[float], n: int = 5) -> tuple[float, ...]:
    """Round class bounds (in %) for shares: about ``n`` classes of one nice width (1, 2, 2.5
    or 5 times a power of ten) over the range of the known ``values``."""
    known = sorted(v for v in values if not math.isnan(v))
    if not known or known[0] == known[-1]:
        top = known[0] if known else 0.0
        return (top,) if top > 0 else (1.0,)
    low, high = known[0], known[-1]
    raw = (high - low) / n
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1) * step
    bounds: list[float] = []
    bound = first
    while bound <= high and len(bounds) < 6:
        bounds.append(round(bound, 10))
        bound += step
    return tuple(bounds) or (round(first, 10),)


def _share_classes(breaks: Sequence[float]) -> _Classes:
    texts = [fmt_plain(b) for b in breaks]
    labels = [f"tot {texts[0]}%"]
    labels += [f"{a} tot {b}%" for a, b in itertools.pairwise(texts)]
    labels.append(f"{texts[-1]}% of meer")
    if not 1 <= len(breaks) <= max(SHARE_COLOURS) - 1 or list(breaks) != sorted(set(breaks)):
        raise ValueError(f"share breaks must be 1 to 6 increasing bounds, not {list(breaks)}")
    return _Classes(tuple(labels), SHARE_COLOURS[len(labels)], tuple(breaks))


def _index_classes(*, words_only: bool = False) -> _Classes:
    texts = [fmt_plain(b) for b in INDEX_BREAKS]
    ranges = [f"onder {texts[0]}"]
    ranges += [f"{a} tot {b}" for a, b in itertools.pairwise(texts)]
    ranges.append(f"{texts[-1]} of meer")
    labels = tuple(
        w if words_only else f"{w} ({r})" for w, r in zip(INDEX_WORDS, ranges, strict=True)
    )
    return _Classes(labels, INDEX_COLOURS, INDEX_BREAKS)


def _status(value: float, status: object) -> str:
    text = "" if status is None or status is pd.NA else str(status).strip()
    if text in ("", "nan"):
        text = PUBLISHED
    if math.isnan(value) and text in (PUBLISHED, NOT_PUBLISHED):
        # A hidden figure without a reason of its own is hidden for the same one as the
        # others (protection of small numbers): one legend entry, not two alike.
        return SUPPRESSED
    return text


def _checked(
    catalog: AreaCatalog, level: Level, values: pd.DataFrame
) -> dict[str, tuple[float, str]]:
    """Code -> (value, status) for every area of ``level``; absent areas have no data."""
    if "value" not in values.columns:
        raise UserFacingError(
            "Kaart: de cijfers per gebied hebben geen kolom 'value' (en 'status'); "
            f"wel: {', '.join(map(str, values.columns))}."
        )
    names = catalog.names(level)
    unknown = [str(c) for c in values.index if c not in names]
    if unknown:
        raise UserFacingError(
            f"Kaart: {len(unknown)} {level}code(s) komen niet voor in het gebiedsbestand "
            f"({catalog.municipality_name}, indeling {catalog.year}): {', '.join(unknown[:8])}."
        )
    statuses = values["status"] if "status" in values.columns else pd.Series(None, values.index)
    out: dict[str, tuple[float, str]] = {code: (math.nan, NO_DATA) for code in names}
    for code, raw, status in zip(values.index, values["value"], statuses, strict=True):
        value = float(raw) if raw is not None and raw is not pd.NA else math.nan
        out[str(code)] = (value, _status(value, status))
    return out


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring))


def _wound(ring: Sequence[Sequence[float]], *, outer: bool) -> list[Sequence[float]]:
    # d3-geo (Vega's projections) is spherical: an outer ring runs clockwise, a hole
    # anticlockwise, the reverse of RFC 7946. A ring the wrong way round is drawn as the whole
    # world minus the area, and the packaged (and any supplied) file mixes both.
    clockwise = _signed_area(ring) < 0
    return list(ring) if clockwise == outer else list(reversed(ring))


def _polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list[list[Sequence[float]]]:
    return [_wound(r, outer=i == 0) for i, r in enumerate(rings)]


def d3_geometry(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON (Multi)Polygon with its rings wound as d3-geo expects (other types as is)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [_polygon(p) for p in geometry["coordinates"]]}
    return dict(geometry)


def _features(catalog: AreaCatalog, level: Level) -> list[Mapping[str, Any]]:
    if not catalog.has_geometry(level):
        raise UserFacingError(
            f"Kaart: het gebiedsbestand ({catalog.origin}) heeft geen kaartvlakken voor de "
            f"{'wijken' if level == 'wijk' else 'buurten'} ({level}en.geojson ontbreekt)."
        )
    features: list[Mapping[str, Any]] = catalog.geometry[level].get("features", [])
    return features


def _mapped_codes(catalog: AreaCatalog, level: Level) -> set[str]:
    return {
        str(f.get("properties", {}).get("code"))
        for f in _features(catalog, level)
        if f.get("geometry")
    }


def _bounds(features: Sequence[Mapping[str, Any]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def visit(node: Any) -> None:
        if node and isinstance(node[0], int | float):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        else:
            for child in node:
                visit(child)

    for feature in features:
        visit(feature["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def _height(features: Sequence[Mapping[str, Any]], width: int) -> int:
    """The height at which mercator fills ``width`` with the features without bands."""
    west, south, east, north = _bounds(features)

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span = math.radians(east - west)
    return max(40, round(width * (y(north) - y(south)) / span)) if span > 0 else width


def _neutral_colours(statuses: Sequence[str]) -> list[str]:
    others = iter(OTHER_NEUTRALS * (1 + len(statuses) // len(OTHER_NEUTRALS)))
    return [NEUTRALS.get(s) or next(others) for s in statuses]


_P = ParamSpec("_P")
_T = TypeVar("_T")


def unchecked_altair(build: Callable[_P, _T]) -> Callable[_P, _T]:
    """``build`` (a function that makes Altair charts) with Altair's debug mode off unless
    :func:`check_charts`: in debug mode Altair checks every object against the schema when
    it is made, walking its inline data (a map's polygons) each time a chart is copied or
    layered. The spec made is the same; :func:`check_charts` still checks the whole spec."""

    @wraps(build)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with nullcontext() if check_charts() else alt.utils.schemapi.debug_mode(False):
            return build(*args, **kwargs)

    return wrapper


def choropleth(
    catalog: AreaCatalog,
    level: Level,
    values: pd.DataFrame,
    *,
    measure: Measure,
    title: str,
    value_label: str,
    width: int | None = None,
    small: bool = False,
    small_legend: Literal["bottom", "right"] = "bottom",
    highlight: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    breaks: Sequence[float] | None = None,
    heading: bool = True,
    paper: bool = False,
    legend: bool = True,
) -> MapChart:
    """A choropleth of ``values`` per wijk or buurt of ``catalog``, drawn from its polygons.

    ``values``: indexed by area code, a column ``value`` (float; NaN = not published) and a
    column ``status`` ("gepubliceerd", "te weinig huishoudens", :data:`NO_DATA` ...). Areas of
    ``level`` missing from ``values`` are drawn as :data:`NO_DATA`. ``measure="share"``:
    ``value`` is a percentage of households (12.3 = 12,3%), in classes of ``breaks`` (bounds
    in %; default :func:`share_breaks` of the values); ``measure="index"``:
    over-representation (1 = as often as in the whole city) in five classes from "veel
    minder vaak" to "veel vaker" (:data:`INDEX_BREAKS`).

    Each area without a number is hatched in a grey for its status, with its own legend
    entry (only when such areas are on the map). ``value_label`` heads the legend and the
    figure in the hover text (a "\\n" breaks the legend title). ``highlight``: codes outlined
    thickly (a group's top wijken); ``labels``: code -> a short text written inside that
    area (a printed map has no hover text: number the few areas the text names, and list
    the numbers beside the map; long names would overlap in a city centre). ``heading``:
    False leaves the title out of the picture (the report's caption already has it); the
    source line stays.

    ``width`` of the map itself in px: the legend stands beside it from 480 px on and below
    it under that (render a second, narrow map for phones). Default ``DEFAULT_WIDTH``, or
    ``SMALL_WIDTH`` with ``small``: a thumbnail for a persona card, without a title and with a
    tiny legend (the classes' words only), below the map or, with ``small_legend="right"``,
    beside it (a wide, low thumbnail). Areas without a polygon (``geometry`` null) are
    left out of the map and stay in :func:`map_table`. Render with :func:`map_svg`.

    ``paper``: drawn at the size it is printed (1 px = 0.75 pt): the legend beside the map
    at any width, the source line at 11 px (8 pt). ``legend=False``: no legend and no
    source line, for maps printed side by side under one key that names the source
    (:func:`legend_entries`, :func:`shared_legend`).
    """
    figures = _checked(catalog, level, values)
    classes = (
        _index_classes(words_only=small)
        if measure == "index"
        else _share_classes(
            tuple(breaks) if breaks else share_breaks(v for v, _ in figures.values())
        )
    )
    if width is None:
        width = SMALL_WIDTH if small else DEFAULT_WIDTH
    names = catalog.names(level)
    wijk_names = catalog.names("wijk")
    parent = catalog.parent()
    marked = set(highlight)
    level_name = "Wijk" if level == "wijk" else "Buurt"

    drawn: list[dict[str, Any]] = []
    for feature in _features(catalog, level):
        geometry = feature.get("geometry")
        code = str(feature.get("properties", {}).get("code"))
        if not geometry or code not in figures:
            continue
        value, status = figures[code]
        number = not math.isnan(value)
        text = value_text(value, measure) if number else status
        name = names[code]
        where = f" (wijk {wijk_names[parent[code]]})" if level == "buurt" else ""
        properties = {
            "code": code,
            "naam": name,
            "wijk": wijk_names.get(parent.get(code, code), ""),
            # Classed on the value as shown (1,2497 reads "1,25" and must be "vaker").
            "klasse": classes.label(round(value, 2 if measure == "index" else 1))
            if number
            else status,
            "tekst": text,
            "beschrijving": f"{name}{where}: {text}",
            "nadruk": code in marked,
        }
        drawn.append(
            {"type": "Feature", "geometry": d3_geometry(geometry), "properties": properties}
        )
    if not drawn:
        raise UserFacingError(f"Kaart: geen enkel gebied ({level}) heeft een kaartvlak.")
    # Highlighted areas last: their thick outline is drawn over their neighbours' edges.
    drawn.sort(key=lambda f: bool(f["properties"]["nadruk"]))

    neutral = list(dict.fromkeys(s for v, s in figures.values() if math.isnan(v)))
    neutral = [s for s in neutral if any(f["properties"]["klasse"] == s for f in drawn)]
    # High classes on top, as a reader scans a legend; the greys last.
    domain = [*reversed(classes.labels), *neutral]
    colours = [*reversed(classes.colours), *_neutral_colours(neutral)]
    key = (
        _legend(
            value_label, width, small=small, entries=domain, small_legend=small_legend,
            beside=paper,
        )
        if legend
        else None
    )  # fmt: skip
    thin = 0.25 if small else (0.4 if level == "buurt" else 0.8)
    thick = 2.0 if small else 2.5
    tooltip = [{"field": "properties.naam", "title": level_name, "type": "nominal"}]
    if level == "buurt":
        tooltip.append({"field": "properties.wijk", "title": "Wijk", "type": "nominal"})
    tooltip.append(
        {"field": "properties.tekst", "title": value_label.replace("\n", " "), "type": "nominal"}
    )
    emphasis = "datum.properties.nadruk"
    areas: dict[str, Any] = {
        "data": {"values": drawn},
        "mark": {"type": "geoshape", "strokeJoin": "round"},
        "encoding": {
            "color": {
                "field": "properties.klasse",
                "legend": key,
                "scale": {"domain": domain, "range": colours},
                "type": "nominal",
            },
            "description": {"field": "properties.beschrijving", "type": "nominal"},
            "stroke": {"condition": {"test": emphasis, "value": HIGHLIGHT}, "value": EDGE},
            "strokeWidth": {"condition": {"test": emphasis, "value": thick}, "value": thin},
            "tooltip": tooltip,
        },
    }
    named = _label_layers(catalog, level, labels or {}, small=small, drawn=drawn, width=width)
    # With labels, the projection and size belong to the layer, which fits the map to all
    # its data (the labels lie inside their areas, so the fit is the same).
    spec: dict[str, Any] = {"layer": [areas, *named]} if named else areas
    spec.update(
        description=_summary(title, level, figures, measure),
        height=_height(drawn, width),
        projection={"type": "mercator"},
        width=width,
    )
    if not small and (legend or heading):
        # Vega does not wrap titles: break them into lines that fit the map's width, so a
        # narrow (phone) map is not widened by its own title.
        chars = max(24, round(width / 7.5))
        source_size = 11 if paper else 10
        source_chars = round(chars * 1.3) if not paper else round(chars * 1.3 * 10 / 11)
        spec["title"] = {
            "text": (textwrap.wrap(title, chars) or [""]) if heading else "",
            "subtitle": textwrap.wrap(boundary_attribution(catalog), source_chars)
            if legend
            else [],
            "subtitleColor": "#595959",
            "subtitleFontSize": source_size,
        }
    return MapChart(spec)


def legend_entries(chart: MapChart) -> tuple[tuple[str, str], ...]:
    """The classes of ``chart``'s legend, high to low and the greys last, as (label,
    colour): what its legend shows, whether or not it is drawn."""
    areas = chart.spec["layer"][0] if "layer" in chart.spec else chart.spec
    scale = areas["encoding"]["color"]["scale"]
    return tuple(zip(scale["domain"], scale["range"], strict=True))


def shared_legend(charts: Iterable[MapChart]) -> tuple[tuple[str, str], ...] | None:
    """One legend for ``charts`` (maps printed side by side): every class any of them
    shows, in the order of the first that shows it; None when two maps give one label
    different colours, or one colour to different labels (then each needs its own)."""
    colour_of: dict[str, str] = {}
    label_of: dict[str, str] = {}
    for chart in charts:
        for label, colour in legend_entries(chart):
            if colour_of.setdefault(label, colour) != colour:
                return None
            if label_of.setdefault(colour, label) != label:
                return None
    return tuple(colour_of.items())


def swatch_svg(colour: str, key: str, size: int = 12) -> str:
    """A legend's square of ``colour`` as a small inline SVG, hatched as :func:`map_svg`
    hatches it for a grey of :data:`HATCHED`; ``key`` makes the hatch's id unique in the
    page."""
    fill = colour
    defs = ""
    if colour in HATCHED:
        name = f"bsz-arcering-{colour[1:]}-{key}"
        defs = (
            f'<defs><pattern id="{name}" patternUnits="userSpaceOnUse" width="5" height="5" '
            f'patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/>'
            f'<rect width="1.6" height="5" fill="{colour}"/></pattern></defs>'
        )
        fill = f"url(#{name})"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" aria-hidden="true" focusable="false">{defs}'
        f'<rect x=".25" y=".25" width="{size - 0.5}" height="{size - 0.5}" fill="{fill}" '
        f'stroke="#6b6b6b" stroke-width=".5"/></svg>'
    )


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def _spread(
    points: list[tuple[float, float]], drawn: Sequence[Mapping[str, Any]], width: int, gap: float
) -> list[tuple[float, float]]:
    """Labels moved apart: in the map's pixels (mercator fitted to ``width``, as Vega fits
    it), a label closer than ``gap`` to one placed before it moves up until it is free, so
    that "1" and "5" in neighbouring areas never read as "15"."""
    west, _, east, _ = _bounds(drawn)
    span = math.radians(east - west)
    if span <= 0:
        return points
    per_px = span / width  # mercator units per pixel, the same on both axes
    placed: list[tuple[float, float]] = []
    out = []
    for lon, lat in points:
        x, y = math.radians(lon) / per_px, _mercator_y(lat) / per_px
        while any(math.hypot(x - px, y - py) < gap for px, py in placed):
            y += gap / 2  # up (y grows northwards)
        placed.append((x, y))
        out.append((lon, _lat(y * per_px)))
    return out


def _label_layers(
    catalog: AreaCatalog,
    level: Level,
    labels: Mapping[str, str],
    *,
    small: bool,
    drawn: Sequence[Mapping[str, Any]],
    width: int,
) -> list[dict[str, Any]]:
    """Text layers that write ``labels`` inside their areas, in the order of ``labels``,
    moved apart where they would touch (:func:`_spread`): a white halo, then the text (Vega
    draws a text's stroke over its fill, hence two layers)."""
    at = {}
    for feature in _features(catalog, level):
        code = str(feature.get("properties", {}).get("code"))
        geometry = feature.get("geometry")
        if code in labels and geometry:
            at[code] = label_point(geometry)
    order = [code for code in labels if code in at]
    if not order:
        return []
    # A map under 300 px (a group's map on paper, 1 px = 0.75 pt) has smaller numbers:
    # 13 px ones covered its small central wijken.
    size = 10 if small else (11 if width < 300 else 13)
    spread = _spread([at[c] for c in order], drawn, width, gap=size * 1.3)
    points = [
        {"lon": lon, "lat": lat, "tekst": labels[code]}
        for code, (lon, lat) in zip(order, spread, strict=True)
    ]
    encoding = {
        "latitude": {"field": "lat", "type": "quantitative"},
        "longitude": {"field": "lon", "type": "quantitative"},
        "text": {"field": "tekst", "type": "nominal"},
    }
    text = {"type": "text", "aria": False, "fontSize": size, "fontWeight": "bold"}
    halo = {**text, "stroke": "white", "strokeJoin": "round", "strokeWidth": 3.5}
    return [
        {"data": {"values": points}, "mark": halo, "encoding": encoding},
        {"data": {"values": points}, "mark": {**text, "fill": TEXT}, "encoding": encoding},
    ]


def label_point(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """A point inside an area to write its name at: on the largest polygon's outer ring,
    the middle of the widest inside stretch of the horizontal line through its centroid
    (the centroid itself can lie outside a bent area)."""
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else list(geometry["coordinates"])
    )
    ring = max((p[0] for p in polygons), key=lambda r: abs(_signed_area(r)))
    xs = [float(x) for x, _ in ring]
    ys = [float(y) for _, y in ring]
    area = _signed_area(ring)
    if area == 0:
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cy = sum(
        (ys[i] + ys[i + 1]) * (xs[i] * ys[i + 1] - xs[i + 1] * ys[i]) for i in range(len(xs) - 1)
    ) / (3 * area)  # _signed_area is twice the area
    crossings = sorted(
        xs[i] + (cy - ys[i]) * (xs[i + 1] - xs[i]) / (ys[i + 1] - ys[i])
        for i in range(len(xs) - 1)
        if (ys[i] <= cy) != (ys[i + 1] <= cy)
    )
    spans = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not spans:
        return sum(xs) / len(xs), cy
    left, right = max(spans, key=lambda s: s[1] - s[0])
    return (left + right) / 2, cy


def _legend(
    value_label: str,
    width: int,
    *,
    small: bool,
    entries: Sequence[str],
    small_legend: Literal["bottom", "right"] = "bottom",
    beside: bool = False,
) -> dict[str, Any]:
    """Beside a wide map, below a narrow one (a phone: one column, so that no label is cut),
    tiny and untitled on a card (below in two columns, or beside in one); ``beside``: beside
    the map at any width (a map drawn at its printed size)."""
    # Vega's own text for a screen reader is English ("Symbol legend titled ...").
    description = f"Legenda: {value_label.replace(chr(10), ' ')}: {', '.join(entries)}"
    if small:
        return dict(
            title=None,
            description=description,
            orient=small_legend,
            direction="vertical",
            columns=2 if small_legend == "bottom" else 1,
            symbolType="square",
            symbolSize=70,
            symbolStrokeColor="#6b6b6b",
            symbolStrokeWidth=0.5,
            labelFontSize=9,
            # Columns are as wide as their labels; only a label wider than the map is cut.
            labelLimit=width - 90 if small_legend == "bottom" else 140,
            rowPadding=1,
            padding=0,
            offset=4,
        )
    wide = width >= 480 or beside
    return dict(
        title=value_label.split("\n"),
        description=description,
        orient="right" if wide else "bottom",
        direction="vertical",
        symbolType="square",
        symbolSize=220,
        symbolStrokeColor="#6b6b6b",
        symbolStrokeWidth=0.5,
        labelLimit=260 if wide else width - 30,
        titleLimit=320,
    )


def boundary_attribution(catalog: AreaCatalog) -> str:
    """The source line of a map (its subtitle; beside a small map, which has none)."""
    # The catalogue's own line also names CBS's figures, which a map of our figures does not
    # show: credit the boundaries only (CC BY 4.0 asks for "Bron: CBS" with the map).
    if "CBS" in catalog.attribution:
        return f"Grenzen: CBS, wijk- en buurtindeling {catalog.year} (CC BY 4.0)"
    return catalog.attribution


def _summary(
    title: str, level: Level, figures: Mapping[str, tuple[float, str]], measure: Measure
) -> str:
    """The map in one sentence, for a screen reader (the table behind the map has the rest)."""
    known = {c: v for c, (v, _) in figures.items() if not math.isnan(v)}
    areas = "wijken" if level == "wijk" else "buurten"
    text = f"Kaart: {title}. {len(known)} van de {len(figures)} {areas} met een cijfer"
    if known:
        low, high = min(known.values()), max(known.values())
        text += f", van {value_text(low, measure)} tot {value_text(high, measure)}"
    return text + ". De cijfers per gebied staan in de tabel bij de kaart."


#: Set to 1 (the test suite does) to check every chart against the Vega-Lite schema before it
#: is drawn. Off in a run: the check walks the inline data (every map's polygons) and took a
#: quarter of the report's time, and vl-convert refuses a spec it cannot compile anyway.
CHECK_CHARTS_ENV = "BSZ_CHECK_CHARTS"


def check_charts() -> bool:
    """Whether charts are checked against the Vega-Lite schema (:data:`CHECK_CHARTS_ENV`)."""
    return os.environ.get(CHECK_CHARTS_ENV) == "1"


def map_spec(chart: MapChart) -> dict[str, Any]:
    """The chart's Vega-Lite spec in the house style (checked against the Vega-Lite schema
    when :func:`check_charts`)."""
    spec = {"config": MAP_CONFIG, **chart.spec}
    if check_charts():
        # Altair's classes carry the schema: loading the spec checks it.
        (alt.LayerChart if "layer" in spec else alt.Chart).from_dict(spec, validate=True)
    return spec


_PATH_DATA = re.compile(r' d="[^"]*"')
_DECIMALS = re.compile(r"(\.\d)\d+")
_LABELLED_PATH = re.compile(r'<path aria-label="([^"]*)"([^>]*?)/>')


def map_svg(chart: MapChart) -> str:
    """Render a map to static SVG with vl-convert, offline (no base URL is allowed).

    Each area's path gets its hover text as an SVG ``<title>`` (Vega's own tooltips need
    JavaScript); a browser shows it when the SVG is inline or opened itself, not through an
    ``<img>``. Areas without a figure are hatched (:func:`_hatched`). Coordinates are
    rounded to 0.1 px, which keeps a 254-buurt map small (about 100 kB).
    """
    spec = map_spec(chart)
    assert_offline(spec)
    svg = str(vlc.vegalite_to_svg(spec, format_locale="nl-NL", allowed_base_urls=[]))
    svg = _PATH_DATA.sub(lambda m: _DECIMALS.sub(r"\1", m[0]), svg)
    svg = _LABELLED_PATH.sub(
        lambda m: f'<path aria-label="{m[1]}"{m[2]}><title>{m[1]}</title></path>', svg
    )
    svg = _hatched(svg)
    # The one-sentence summary for a screen reader when the SVG is inline (an <img> has alt).
    head = svg.index("<svg") + len("<svg")
    label = html.escape(str(spec.get("description", "")), quote=True)
    return f'{svg[:head]} role="graphics-document" aria-label="{label}"{svg[head:]}'


def _hatched(svg: str) -> str:
    """``svg`` with each hatched grey fill (:data:`HATCHED`) replaced by a hatch of that grey.

    The pattern ids carry a digest of the map, so that several maps inline in one page (a
    report) never share an id: a pattern inside a map hidden by CSS (the phone's map on a
    desktop) would not paint the visible map's areas.
    """
    greys = [g for g in HATCHED if f'fill="{g}"' in svg]
    if not greys:
        return svg
    digest = hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8]
    patterns = []
    for grey in greys:
        name = f"bsz-arcering-{grey[1:]}-{digest}"
        # Thin diagonal grey lines on white: plainly "no figure", yet lighter than the
        # classes, so that many suppressed buurten do not outshout the ones with a figure.
        patterns.append(
            f'<pattern id="{name}" patternUnits="userSpaceOnUse" width="5" height="5" '
            f'patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/>'
            f'<rect width="1.6" height="5" fill="{grey}"/></pattern>'
        )
        svg = svg.replace(f'fill="{grey}"', f'fill="url(#{name})"')
    head = svg.index(">", svg.index("<svg")) + 1
    return f"{svg[:head]}<defs>{''.join(patterns)}</defs>{svg[head:]}"


def map_png(chart: MapChart, scale: float = 1.0) -> bytes:
    """Render a map to PNG (for looking at it), offline like :func:`map_svg`."""
    # Through the SVG, so that the picture has the same hatches as the report.
    png: bytes = vlc.svg_to_png(map_svg(chart), scale=scale)
    return png


def map_table(catalog: AreaCatalog, level: Level, values: pd.DataFrame) -> pd.DataFrame:
    """The accessible table behind a map: every wijk or buurt in catalogue order.

    Columns: ``code``, ``naam``, ``wijk`` (the buurt's wijk; only for ``level="buurt"``),
    ``waarde`` (the figure as given, NaN when not published: the report formats it as its
    other tables do) and ``status`` (as given; :data:`NO_DATA` for an area missing from
    ``values``, with ``"; niet op de kaart ..."`` for an area without a polygon).
    """
    figures = _checked(catalog, level, values)
    mapped = _mapped_codes(catalog, level)
    wijk_names = catalog.names("wijk")
    rows = []
    for area in catalog.areas(level):
        value, status = figures[area.code]
        if area.code not in mapped:
            status = f"{status}; {NOT_ON_MAP}"
        row: dict[str, Any] = {"code": area.code, "naam": area.name}
        if level == "buurt":
            row["wijk"] = wijk_names.get(area.wijk_code, area.wijk_code)
        rows.append({**row, "waarde": value, "status": status})
    return pd.DataFrame(rows)


_ADDRESS = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def assert_offline(spec: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` if a Vega-Lite spec could make a renderer fetch anything: a
    ``url`` key, or a string that is a network address (``http://``, ``//host``...).

    Only a top-level ``$schema`` is let through: it names the spec's version and is never
    fetched (:func:`map_spec` drops it anyway).
    """
    found: list[str] = []

    def visit(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, child in node.items():
                if path == "" and key == "$schema":
                    continue
                where = f"{path}.{key}" if path else str(key)
                if key == "url":
                    found.append(where)
                visit(child, where)
        elif isinstance(node, list | tuple):
            for i, child in enumerate(node):
                visit(child, f"{path}[{i}]")
        elif isinstance(node, str) and (
            _ADDRESS.match(node) or "http://" in node or "https://" in node
        ):
            found.append(f"{path} = {node[:80]}")

    visit(spec, "")
    if found:
        raise ValueError("The map spec refers to the network: " + "; ".join(found[:5]))
