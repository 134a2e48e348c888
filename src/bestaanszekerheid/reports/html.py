"""Render the report tree to one self-contained HTML file (no network, no JavaScript needed)."""

from __future__ import annotations

import base64
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2

from bestaanszekerheid import __version__
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.reports.tree import SYNTHETIC_BANNER, Report


def _template(name: str) -> str:
    return (
        resources.files("bestaanszekerheid.reports")
        .joinpath("templates", name)
        .read_text(encoding="utf-8")
    )


def svg_uri(svg: str) -> str:
    """An SVG as a data: URI (an image inside the file, never a request)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _created(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%d-%m-%Y %H:%M") + " (UTC)"


def render_html(report: Report) -> str:
    """The report as an HTML string (Dutch number formats, inline CSS and charts)."""
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_template("report.html.j2"))
    return template.render(
        report=report,
        css=_template("report.css"),
        banner=SYNTHETIC_BANNER.get(report.lang, SYNTHETIC_BANNER["nl"]),
        svg_uri=svg_uri,
        lang=report.lang,
        version=__version__,
        created=_created(report.created),
    )


def write_html(report: Report, path: Path) -> Path:
    """Write the report atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(render_html(report), encoding="utf-8")
    return path
