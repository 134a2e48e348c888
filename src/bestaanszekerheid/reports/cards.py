"""Persona cards: one A4 card per group for the design-thinking table, as a tagged PDF.

WeasyPrint writes PDF/UA-1 (``pdf_variant="pdf/ua-1"``): a structure tree, the document
language and title, and alternative text for the charts.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.formatting import fmt_int, fmt_pct
from bestaanszekerheid.profiles.naming import key_features
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.html import svg_uri

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import Feature, GroupProfile


def _feature(f: Feature) -> str:
    return f"{f.phrase}: {f.share_text()} (doelgroep {fmt_pct(f.share_all, 1)})"


def _summary(g: GroupProfile) -> str:
    """The analyst's own description; generated text is already on the card as lists."""
    return g.description if g.overridden else ""


def card_data(g: GroupProfile) -> dict[str, Any]:
    """What one card shows (text already formatted in Dutch)."""
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
        cards=[card_data(g) for g in result.profiles.groups],
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
