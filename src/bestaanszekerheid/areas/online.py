"""The online sources of ``bsz gebieden``: CBS StatLine through ``cbsodata`` and the PDOK OGC
API for the polygons.

Both give what their offline counterparts give (:func:`.statline.read_statline_csv`,
:func:`.geometry.read_geometry`), through the same code from there on. The addresses can be
pointed elsewhere (a proxy, or a local server in the tests) with a parameter or the
environment variables ``BSZ_STATLINE_URL`` and ``BSZ_PDOK_URL``. Offline, or without the
``cbsodata`` package, the errors say which file to download instead.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from bestaanszekerheid.areas.catalog import Level
from bestaanszekerheid.areas.geometry import AreaShapes, Shape, simplify
from bestaanszekerheid.areas.indicators import INDICATORS
from bestaanszekerheid.areas.sources import (
    DEFAULT_ONLINE_YEAR,
    KWB_TABLES,
    Source,
    belongs_to,
    normalise_municipality,
    year_and_table,
)
from bestaanszekerheid.areas.statline import KEY_PATTERN, StatlineAreas, build_areas
from bestaanszekerheid.errors import UserFacingError

#: Another StatLine OData host (tests, a proxy), e.g. ``http://127.0.0.1:8080``.
STATLINE_URL_ENV = "BSZ_STATLINE_URL"
PDOK_URL = "https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1"
#: Another PDOK OGC API base URL (tests, a proxy).
PDOK_URL_ENV = "BSZ_PDOK_URL"
PDOK_COLLECTIONS: Mapping[Level, str] = {
    "wijk": "wijk_gegeneraliseerd",
    "buurt": "buurt_gegeneraliseerd",
}
PDOK_PAGE = 1000
#: Seconds to wait for one answer of StatLine or PDOK.
TIMEOUT = 60
PDOK_MAX_PAGES = 100
_PLURAL: Mapping[Level, str] = {"wijk": "wijken", "buurt": "buurten"}


# --- StatLine: cbsodata ------------------------------------------------------------------


def fetch_statline(
    municipality: str,
    *,
    year: int | None = None,
    table: str | None = None,
    base_url: str | None = None,
    today: date | None = None,
) -> StatlineAreas:
    """The same as :func:`read_statline_csv`, fetched from CBS's OData API with ``cbsodata``.

    Without ``year`` and ``table``: KWB :data:`DEFAULT_ONLINE_YEAR`. ``base_url`` (or the
    environment variable ``BSZ_STATLINE_URL``) points at another host, e.g.
    ``http://127.0.0.1:8080``; the default is CBS's own (opendata.cbs.nl).
    """
    municipality = normalise_municipality(municipality)
    if year is None and table is None:
        year = DEFAULT_ONLINE_YEAR
    year, table_id = year_and_table(year, table, [], "--online")
    if table_id is None:
        known = ", ".join(f"{y}: {t}" for y, t in KWB_TABLES.items())
        raise UserFacingError(
            f"Voor {year} kent bsz de StatLine-tabel niet; geef hem op met --tabel "
            f"(bekend: {known})."
        )
    try:
        import cbsodata
    except ImportError:
        raise UserFacingError(
            "Voor --online is het pakket 'cbsodata' nodig: pip install 'bestaanszekerheid[geo]'. "
            "Zonder internet: download de tabel als CSV van StatLine en gebruik --statline."
        ) from None
    where = f"CBS StatLine {table_id} (online)"
    digits = municipality[2:]
    filters = (
        f"startswith(WijkenEnBuurten,'{municipality}') or "
        f"startswith(WijkenEnBuurten,'WK{digits}') or startswith(WijkenEnBuurten,'BU{digits}')"
    )
    with _catalog(cbsodata, base_url or os.environ.get(STATLINE_URL_ENV)) as catalog_url:
        catalog_label = catalog_url or str(cbsodata.options.catalog_url)
        properties = _online(
            where,
            lambda: cbsodata.get_meta(
                table_id, "DataProperties", catalog_url=catalog_url, timeout=TIMEOUT
            ),
        )
        keys = {p["Key"]: p for p in properties if p.get("Key")}
        wanted = [
            k
            for k in keys
            if (m := KEY_PATTERN.match(k))
            and (
                m["stem"] in {"Gemeentenaam", "Codering"}
                or any(m["stem"] == i.statline for i in INDICATORS)
            )
        ]
        # get_data's default (typed=False) is what gives the typed data set in cbsodata 1.3.5
        # (its flag is inverted); the values are parsed either way.
        records = _online(
            where,
            lambda: cbsodata.get_data(
                table_id,
                filters=filters,
                select=["WijkenEnBuurten", *wanted],
                catalog_url=catalog_url,
                timeout=TIMEOUT,
            ),
        )
        info = (
            _online(
                where, lambda: cbsodata.get_info(table_id, catalog_url=catalog_url, timeout=TIMEOUT)
            )
            or {}
        )
    header = ["WijkenEnBuurten", *wanted]
    rows = [(f"record {n}", [rec.get(h) for h in header]) for n, rec in enumerate(records, 1)]
    units = {k: str(p.get("Unit") or "").strip().lower() for k, p in keys.items()}
    title = info.get("Title") or f"Kerncijfers wijken en buurten {year}"
    source = Source(
        f"CBS StatLine, tabel {table_id} {title}, opgehaald met cbsodata.",
        {
            "kind": "StatLine OData (cbsodata)",
            "table": table_id,
            "table_modified": info.get("Modified"),
            "url": catalog_label,
            "filter": filters,
            "fetched_on": (today or date.today()).isoformat(),
        },
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


@contextmanager
def _catalog(module: Any, url: str | None) -> Iterator[str | None]:
    """Point cbsodata at ``url`` (scheme and host) for the duration of a block."""
    if not url:
        yield None
        return
    match = re.fullmatch(r"(https?)://([^/]+)/?", url.strip())
    if not match:
        raise UserFacingError(f"{STATLINE_URL_ENV} '{url}' is geen adres als http://host:poort.")
    saved = module.options.use_https
    module.options.use_https = match.group(1) == "https"
    try:
        yield match.group(2)
    finally:
        module.options.use_https = saved


def _online(where: str, call: Any) -> Any:
    import requests

    try:
        return call()
    except requests.ConnectionError:
        raise UserFacingError(
            f"{where}: CBS StatLine is niet bereikbaar (geen internetverbinding?). Download de "
            "tabel als CSV van StatLine en gebruik --statline, of probeer het later opnieuw."
        ) from None
    except requests.Timeout:
        raise UserFacingError(
            f"{where}: CBS StatLine antwoordt niet op tijd; probeer het later."
        ) from None
    except requests.HTTPError as exc:
        # cbsodata raises a new HTTPError from the one that has the response.
        response = (
            exc.response if exc.response is not None else getattr(exc.__cause__, "response", None)
        )
        status = response.status_code if response is not None else "?"
        raise UserFacingError(
            f"{where}: CBS StatLine gaf fout {status}; bestaat de tabel (zie --tabel)?"
        ) from None
    except (ValueError, KeyError, TypeError):
        # Not JSON, or JSON without the OData 'value' list cbsodata reads.
        raise UserFacingError(
            f"{where}: onverwacht antwoord van CBS StatLine (geen OData-tabel)."
        ) from None


# --- PDOK ------------------------------------------------------------------------------


def fetch_pdok(
    municipality: str, year: int, *, base_url: str | None = None, today: date | None = None
) -> AreaShapes:
    """The generalised wijk and buurt polygons of ``municipality`` in ``year`` from PDOK.

    The municipality's own polygon gives the bounding box for the wijk and buurt queries, so
    only its neighbourhood is downloaded. ``base_url`` (or ``BSZ_PDOK_URL``) points at another
    server with the same API.
    """
    municipality = normalise_municipality(municipality)
    base = (base_url or os.environ.get(PDOK_URL_ENV) or PDOK_URL).rstrip("/")
    gemeenten = _items(base, "gemeente_gegeneraliseerd", {"jaarcode": str(year)})
    own = [f for f in gemeenten if _statcode(f) == municipality]
    if not own:
        raise UserFacingError(
            f"PDOK ({base}): gemeente '{municipality}' bestaat niet in de gebiedsindeling "
            f"{year} ({len(gemeenten)} gemeenten gevonden). Controleer de code en het jaar."
        )
    bbox = _bbox(own[0].get("geometry"))
    shapes: dict[Level, tuple[Shape, ...]] = {}
    used_shapely = False
    for level, collection in PDOK_COLLECTIONS.items():
        params = {"jaarcode": str(year)}
        if bbox is not None:
            params["bbox"] = ",".join(f"{v:.5f}" for v in bbox)
        items = []
        for feature in _items(base, collection, params):
            code = _statcode(feature)
            if code[:2] == ("WK" if level == "wijk" else "BU") and belongs_to(code, municipality):
                props = feature.get("properties") or {}
                simple, used_shapely = simplify(feature.get("geometry"))
                items.append(Shape(level, code, str(props.get("statnaam") or "").strip(), simple))
        if not items:
            raise UserFacingError(
                f"PDOK ({base}), {collection}: geen {_PLURAL[level]} van '{municipality}' "
                f"in {year}."
            )
        shapes[level] = tuple(sorted(items, key=lambda s: s.code))
    name = str((own[0].get("properties") or {}).get("statnaam") or "").strip()
    source = Source(
        f"Grenzen van PDOK, CBS gebiedsindelingen {year} (wijk_gegeneraliseerd, "
        "buurt_gegeneraliseerd), vereenvoudigd.",
        {
            "kind": "PDOK OGC API",
            "url": base,
            "collections": list(PDOK_COLLECTIONS.values()),
            "jaarcode": year,
            "fetched_on": (today or date.today()).isoformat(),
        },
    )
    notes = (
        ()
        if used_shapely
        else ("Grenzen alleen afgerond, niet vereenvoudigd (shapely ontbreekt).",)
    )
    return AreaShapes(municipality, name, shapes, source, year, notes)


def _statcode(feature: Mapping[str, Any]) -> str:
    return str((feature.get("properties") or {}).get("statcode") or "").strip()


def _bbox(geometry: Any) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and isinstance(node[0], int | float):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk((geometry or {}).get("coordinates"))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _items(base: str, collection: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({**params, "f": "json", "limit": str(PDOK_PAGE)})
    url: str | None = f"{base}/collections/{collection}/items?{query}"
    features: list[dict[str, Any]] = []
    for _page in range(PDOK_MAX_PAGES):
        if url is None:
            return features
        page = _get_json(url, base)
        features.extend(page.get("features") or [])
        url = next(
            (str(link["href"]) for link in page.get("links") or [] if link.get("rel") == "next"),
            None,
        )
    raise UserFacingError(
        f"PDOK ({base}), {collection}: meer dan {PDOK_MAX_PAGES} pagina's; gebruik een "
        "GeoPackage met --geometrie."
    )


def _get_json(url: str, base: str) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise UserFacingError(f"PDOK ({base}): onverwacht adres '{url}'.")
    request = urllib.request.Request(
        url, headers={"Accept": "application/geo+json, application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise UserFacingError(
            f"PDOK ({base}) gaf fout {exc.code} voor {url}; bestaat de gebiedsindeling van dit "
            "jaar?"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise UserFacingError(
            f"PDOK ({base}) is niet bereikbaar (geen internetverbinding?). Download de CBS wijk- "
            "en buurtkaart (GeoPackage) en gebruik --geometrie, of probeer het later opnieuw."
        ) from None
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UserFacingError(f"PDOK ({base}): het antwoord op {url} is geen JSON.") from None
    if not isinstance(data, dict):
        raise UserFacingError(f"PDOK ({base}): onverwacht antwoord op {url}.")
    return data
