"""Local stand-ins for CBS StatLine's OData API and PDOK's OGC API, on 127.0.0.1 only (the
network is closed in the tests). They answer with the JSON those services give, filled from
the packaged Tilburg data (tests/areas/builders.py), and record every request.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bestaanszekerheid.areas import tilburg
from tests.areas import builders

Route = Callable[[Mapping[str, str]], tuple[int, Any]]


@dataclass
class Server:
    """A running local server: its base URL and the requests it had."""

    url: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@contextmanager
def serve(routes: Mapping[str, Route]) -> Iterator[Server]:
    """Serve ``routes`` (path -> handler of the query) on a free port of 127.0.0.1."""
    state: dict[str, Server] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            state["server"].requests.append((parsed.path, query))
            route = routes.get(parsed.path)
            status, body = route(query) if route else (404, {"error": "not found"})
            data = builders.dump(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["server"] = Server(f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- PDOK OGC API ----------------------------------------------------------------------

PDOK_BASE = "/cbs/gebiedsindelingen/ogc/v1"
PAGE = 20  # smaller than the client asks for, so that paging is exercised


def _bbox_polygon(features: list[dict[str, Any]]) -> dict[str, Any]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and isinstance(node[0], int | float):
            xs.append(node[0])
            ys.append(node[1])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for f in features:
        walk((f.get("geometry") or {}).get("coordinates"))
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def pdok_routes(state: dict[str, str]) -> dict[str, Route]:
    """Items of gemeente_, wijk_ and buurt_gegeneraliseerd for jaarcode 2024, paged with
    'next' links. The municipality's polygon is the box around its wijken (test data)."""
    cat = tilburg()
    wijken = list(cat.geometry["wijk"]["features"])
    buurten = list(cat.geometry["buurt"]["features"])
    municipality = {
        "type": "Feature",
        "id": f"{cat.municipality_code}_{builders.YEAR}",
        "properties": {
            "statcode": cat.municipality_code,
            "statnaam": cat.municipality_name,
            "jaarcode": builders.YEAR,
            "rubriek": "gemeente",
        },
        "geometry": _bbox_polygon(wijken),
    }
    collections = {
        "gemeente_gegeneraliseerd": [municipality],
        "wijk_gegeneraliseerd": [builders.pdok_feature(f) for f in wijken],
        "buurt_gegeneraliseerd": [builders.pdok_feature(f) for f in buurten],
    }

    def items(name: str) -> Route:
        def route(query: Mapping[str, str]) -> tuple[int, Any]:
            if query.get("jaarcode") != str(builders.YEAR):
                return 200, {"type": "FeatureCollection", "features": [], "links": []}
            features = collections[name]
            offset = int(query.get("offset", "0"))
            size = min(int(query.get("limit", "10")), PAGE)
            page = features[offset : offset + size]
            links = [{"rel": "self", "href": "..."}]
            if offset + size < len(features):
                rest = urllib.parse.urlencode({**query, "offset": str(offset + size)})
                links.append(
                    {
                        "rel": "next",
                        "type": "application/geo+json",
                        "href": f"{state['url']}{PDOK_BASE}/collections/{name}/items?{rest}",
                    }
                )
            return 200, {
                "type": "FeatureCollection",
                "numberReturned": len(page),
                "features": page,
                "links": links,
            }

        return route

    return {f"{PDOK_BASE}/collections/{name}/items": items(name) for name in collections}


@contextmanager
def pdok() -> Iterator[Server]:
    state: dict[str, str] = {}
    with serve(pdok_routes(state)) as server:
        state["url"] = server.url
        yield server


# --- CBS StatLine OData v3 (what cbsodata reads) ---------------------------------------

STATLINE_TABLE = f"/ODataFeed/odata/{builders.TABLE}/"


def _typed_rows() -> list[dict[str, Any]]:
    out = []
    for n, (code, _name, kind) in enumerate(builders.rows()):
        values = builders.figures(code) if code != "NL00" else dict.fromkeys(builders.KEY_COLUMNS)
        out.append(
            {
                "ID": n,
                "WijkenEnBuurten": code.ljust(10),
                "Gemeentenaam_1": ("Nederland" if code == "NL00" else "Tilburg").ljust(40),
                "SoortRegio_2": kind.ljust(10),
                "Codering_3": code.ljust(10),
                "IndelingswijzigingGemeenteWijkBuurt_4": None if code[:2] in ("NL", "GM") else "1",
                **values,
            }
        )
    return out


def _select_and_filter(
    rows: list[dict[str, Any]], query: Mapping[str, str]
) -> list[dict[str, Any]]:
    prefixes = re.findall(r"startswith\(WijkenEnBuurten,'([^']*)'\)", query.get("$filter", ""))
    if prefixes:
        rows = [r for r in rows if str(r["WijkenEnBuurten"]).startswith(tuple(prefixes))]
    if "$select" in query:
        keys = query["$select"].split(",")
        rows = [{k: r.get(k) for k in keys} for r in rows]
    return rows


def statline_routes(state: dict[str, str]) -> dict[str, Route]:
    variables = builders._variables()
    properties = [
        {
            "ID": int(r["id"]),
            "ParentID": int(r["parent_id"]) if r["parent_id"] else None,
            "Type": r["type"],
            "Key": r["key"],
            "Title": r["title"],
            "Unit": r["unit"] or None,
        }
        for r in variables.values()
    ]
    typed = _typed_rows()
    dimension = [
        {"Key": code.ljust(10), "Title": name, "Description": None, "CategoryGroupID": None}
        for code, name, _kind in builders.rows()
    ]
    tables: dict[str, Any] = {
        "TableInfos": [
            {
                "ID": 1,
                "Title": "Kerncijfers wijken en buurten 2024",
                "Identifier": builders.TABLE,
                "Modified": "2025-03-27T02:00:00",
            }
        ],
        "UntypedDataSet": typed,
        "TypedDataSet": typed,
        "DataProperties": properties,
        "CategoryGroups": [],
        "WijkenEnBuurten": dimension,
    }

    def root(query: Mapping[str, str]) -> tuple[int, Any]:
        base = state["url"] + STATLINE_TABLE
        return 200, {"value": [{"name": n, "url": base + n} for n in tables]}

    def table(name: str) -> Route:
        def route(query: Mapping[str, str]) -> tuple[int, Any]:
            rows = tables[name]
            if name.endswith("DataSet"):
                rows = _select_and_filter(rows, query)
            return 200, {"odata.metadata": "...", "value": rows}

        return route

    return {STATLINE_TABLE: root, **{STATLINE_TABLE + n: table(n) for n in tables}}


@contextmanager
def statline() -> Iterator[Server]:
    state: dict[str, str] = {}
    with serve(statline_routes(state)) as server:
        state["url"] = server.url
        yield server
