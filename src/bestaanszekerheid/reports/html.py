"""Render the report tree to one self-contained HTML file (no network, no JavaScript needed)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import quote

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


#: A link from the report to another output of its run: (relative address, what it is).
Link = tuple[str, str]


def output_link(path: Path, folder: Path, label: str) -> Link:
    """A relative link from a page in ``folder`` to ``path`` (written by the same run)."""
    return quote(path.relative_to(folder).as_posix()), f"{label} ({path.name})"


def render_html(report: Report, links: Sequence[Link] = ()) -> str:
    """The report as an HTML string (Dutch number formats, inline CSS and charts).

    ``links``: the other outputs of the run, shown under the title (only files it wrote)."""
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
        links=list(links),
    )


def write_html(report: Report, path: Path, links: Sequence[Link] = ()) -> Path:
    """Write the report atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(render_html(report, links), encoding="utf-8")
    return path
