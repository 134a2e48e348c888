"""Persona cards: one A4 card per group for the design-thinking table, as a tagged PDF.

WeasyPrint writes PDF/UA-1 (``pdf_variant="pdf/ua-1"``): a structure tree, the document
language and title, and alternative text for the charts. A card has a small map of the
group's over-representation per wijk when the report has one (the same figures, drawn by
:func:`bestaanszekerheid.reports.sections.areas.group_index_svg`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from bestaanszekerheid.areas import maps
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.formatting import fmt_int, fmt_pct
from bestaanszekerheid.profiles.naming import key_features
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.html import svg_uri
from bestaanszekerheid.reports.sections.areas import group_figures, group_index_svg, top_text

if TYPE_CHECKING:
    from bestaanszekerheid.areas.distribution import AreaFigures
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import Feature, GroupProfile

MAP_CAPTION = "Waar woont deze groep relatief vaak? Index t.o.v. de hele doelgroep, per wijk"


def _feature(f: Feature) -> str:
    return f"{f.phrase}: {f.share_text()} (doelgroep {fmt_pct(f.share_all, 1)})"


def _summary(g: GroupProfile) -> str:
    """The analyst's own description; generated text is already on the card as lists."""
    return g.description if g.overridden else ""


def _map(g: GroupProfile, areas: AreaFigures | None) -> dict[str, str] | None:
    """The card's map of the group's index per wijk, or None: only where the report has one
    (the area model check was released, :func:`group_figures`) and the areas have polygons."""
    groups = group_figures(areas)
    if areas is None or groups is None or not areas.catalog.has_geometry("wijk"):
        return None
    own = groups[groups["groep"] == g.key]
    if own.empty:
        return None
    svg = group_index_svg(areas, own, f"{g.key}: {g.name}", small=True)
    return {
        "src": svg_uri(svg),
        "alt": f"Kaart van de wijken: hoe vaak {g.key} er woont ten opzichte van de hele "
        f"doelgroep. {top_text(own)}",
        "caption": MAP_CAPTION,
        "source": maps.boundary_attribution(areas.catalog),
    }


def card_data(g: GroupProfile, areas: AreaFigures | None = None) -> dict[str, Any]:
    """What one card shows (text already formatted in Dutch); ``areas``: the run's figures per
    wijk, for the map."""
    more = key_features(g.more_often, 4)
    feats = [*more, *g.less_often[:2]]
    chart = None
    alt = ""
    if feats:
        rows = []
        for i, f in enumerate(feats):
            name = f.label if f.level in ("Ja", "Nee") else f.level
            label = f"{'▲' if f.effect > 0 else '▼'} {name}"
            rows.append(
                {
                    "kenmerk": label,
                    "wie": "deze groep",
                    "aandeel": f.share_group,
                    "tekst": f.share_text(),
                    "order": i,
                }
            )
            rows.append(
                {
                    "kenmerk": label,
                    "wie": "hele doelgroep",
                    "aandeel": f.share_all,
                    "tekst": fmt_pct(f.share_all, 1),
                    "order": i,
                }
            )
        chart = svg_uri(charts.features_chart(pd.DataFrame(rows), compact=True))
        alt = "Puntgrafiek, aandeel in deze groep tegen de hele doelgroep: " + "; ".join(
            f"{f.level} {f.share_text()} tegen {fmt_pct(f.share_all, 1)}" for f in feats
        )
    wijken = (
        ", ".join(w.wijk_name for w in g.wijken)
        if g.wijken
        else "vrij gelijkmatig verspreid over de wijken"
    )
    return {
        "key": g.key,
        "name": g.name,
        "size": fmt_int(g.size) if g.size == g.size else "x",
        "share": fmt_pct(g.share, 1),
        "description": g.description,
        "summary": _summary(g),
        "more": [_feature(f) for f in more],
        "less": [_feature(f) for f in g.less_often[:2]],
        "wijken": wijken,
        "chart": chart,
        "chart_alt": alt,
        "map": _map(g, areas),
    }


def render_cards_html(result: AnalysisResult) -> str:
    """The cards as HTML (input for WeasyPrint)."""
    text = (
        resources.files("bestaanszekerheid.reports")
        .joinpath("templates", "cards.html.j2")
        .read_text(encoding="utf-8")
    )
    template = jinja2.Environment(autoescape=True).from_string(text)
    footer = "bestaanszekerheid · " + (
        "synthetische gegevens" if result.synthetic else (result.options.source or "analyse")
    )
    return template.render(
        cards=[card_data(g, result.areas) for g in result.profiles.groups],
        synthetic=result.synthetic,
        title=result.options.source or "groepen",
        footer=footer.replace('"', "'"),
    )


def write_cards(result: AnalysisResult, path: Path) -> Path:
    """Write the persona cards as a tagged PDF (PDF/UA-1)."""
    from weasyprint import HTML

    html = render_cards_html(result)
    with atomic_path(path) as tmp:
        HTML(string=html).write_pdf(tmp, pdf_variant="pdf/ua-1")
    return path
