"""Persona cards: one A4 card per group for the design-thinking table, as a tagged PDF.

WeasyPrint writes PDF/UA-1 (``pdf_variant="pdf/ua-1"``): a structure tree, the document
language and title, and alternative text for the charts. A card has a small map of the
group's over-representation per wijk when the report has one (the same figures, drawn by
:func:`bestaanszekerheid.reports.sections.areas.group_index_svg`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from bestaanszekerheid.areas import maps
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.formatting import fmt_int, fmt_pct
from bestaanszekerheid.profiles.naming import key_features
from bestaanszekerheid.profiles.persona import persona_for
from bestaanszekerheid.profiles.support import ROUTES, SCHEMES, Pointers, pointers_for
from bestaanszekerheid.reports.html import svg_uri
from bestaanszekerheid.reports.pdf import write_pdf
from bestaanszekerheid.reports.sections.areas import group_figures, group_index_svg, top_text

if TYPE_CHECKING:
    from bestaanszekerheid.areas.distribution import AreaFigures
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import Feature, GroupProfile

MAP_CAPTION = "Waar woont deze groep relatief vaak? Index t.o.v. de hele doelgroep, per wijk"


#: Facts a card leaves out because a fact already on it says them ("67 jaar of ouder" says
#: "AOW en pensioen"; "alleenstaand" says "geen kinderen").
IMPLIED: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("age_main_earner", "67 jaar of ouder"): (
        ("income_source", "AOW en pensioen"),
        ("hours_worked", "Geen betaald werk"),
    ),
    ("income_source", "AOW en pensioen"): (("hours_worked", "Geen betaald werk"),),
    ("income_source", "Bijstandsuitkering"): (("hours_worked", "Geen betaald werk"),),
    ("income_source", "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)"): (
        ("hours_worked", "Geen betaald werk"),
    ),
    ("household_type", "Alleenstaande"): (("n_children", "Geen kinderen"),),
    ("household_type", "Paar zonder kinderen"): (("n_children", "Geen kinderen"),),
}
#: Scheme levels are on the card as "Regelingen", not as facts.
_SCHEME_COLUMNS = frozenset(SCHEMES)
MAX_FACTS = 4
#: Height (mm) the write-in boxes share on the back of a card, and the least per box.
PROMPT_SPACE = 238.0
MIN_PROMPT = 30.0
#: The last box on every worksheet.
OPEN_QUESTION = {
    "route": "Wat weten we nog niet?",
    "about": "en wie vragen we het: inwoners, partners, wijkteam",
    "questions": [],
}


def card_facts(g: GroupProfile) -> list[Feature]:
    """The few facts that matter: what the group has more often, strongest first, without
    facts another fact on the card already says (:data:`IMPLIED`), and without the schemes
    (shown apart)."""
    candidates = [
        f
        for f in key_features(g.more_often, len(g.more_often), g.name_features)
        if f.column not in _SCHEME_COLUMNS
    ]
    implied: set[tuple[str, str]] = set()
    for f in candidates:
        if (f.column, f.level) not in implied:
            implied.update(IMPLIED.get((f.column, f.level), ()))
    return [f for f in candidates if (f.column, f.level) not in implied][:MAX_FACTS]


def _fact(f: Feature) -> dict[str, Any]:
    """A fact as a pair of bars (this group, the whole target group) with their values."""
    return {
        "text": f.phrase[:1].upper() + f.phrase[1:],
        "group": f.share_text(0),
        "all": fmt_pct(f.share_all, 0),
        "group_width": f"{min(max(f.share_group, 0.0), 100.0):.1f}%",
        "all_width": f"{min(max(f.share_all, 0.0), 100.0):.1f}%",
    }


def _prompts(pointers: Pointers) -> list[dict[str, Any]]:
    """One write-in box per route of the group's aanknopingspunten (with their questions), or
    the programme's three routes when no route stands out."""
    boxes = []
    for route, title in ROUTES.items():
        own = [p for p in pointers.pointers if p.route == route]
        if own:
            # The first question of each of the route's first two pointers: the box is for writing.
            questions = list(dict.fromkeys(p.prompts[0] for p in own[:2]))
            boxes.append(
                {
                    "route": title,
                    "about": "; ".join(p.title for p in own[:2]),
                    "questions": questions,
                }
            )
    if boxes:
        return [*boxes, OPEN_QUESTION]
    return [
        {"route": ROUTES["inkomen"], "about": "meer uren, ander werk, groeien", "questions": []},
        {
            "route": ROUTES["kosten"],
            "about": "lifehacks, regelingen die nog niet gebruikt worden",
            "questions": [],
        },
        {
            "route": ROUTES["verkenning"],
            "about": "gezondheid, sociale contacten, meedoen, partners",
            "questions": [],
        },
        OPEN_QUESTION,
    ]


def _summary(g: GroupProfile) -> str:
    """The analyst's own description; generated text is already on the card as facts."""
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
    # The map spans the card's width, legend beside it: its words print at about 11 pt.
    svg = group_index_svg(areas, own, f"{g.key}: {g.name}", small=True)
    return {
        "src": svg_uri(svg),
        "alt": f"Kaart van de wijken: hoe vaak {g.key} er woont ten opzichte van de hele "
        f"doelgroep. {top_text(own)}",
        "caption": MAP_CAPTION,
        "source": maps.boundary_attribution(areas.catalog),
    }


def card_data(
    g: GroupProfile, comparison: pd.DataFrame, areas: AreaFigures | None = None
) -> dict[str, Any]:
    """What one card shows (text already formatted in Dutch): ``comparison``, the profiles'
    published comparison frame (for the aanknopingspunten and the persona); ``areas``: the
    run's figures per wijk, for the map."""
    pointers = pointers_for(comparison, g.key)
    wijk = g.wijken[0].wijk_name if g.wijken else ""
    persona = persona_for(comparison, g.key, g.number, pointers, wijk)
    prompts = _prompts(pointers)
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
        "summary": _summary(g),
        "persona": persona,
        "facts": [_fact(f) for f in card_facts(g)],
        "schemes": [s.short_text() for s in pointers.schemes],
        "wijken": wijken,
        "map": _map(g, areas),
        "prompts": prompts,
        "prompt_height": f"{max(PROMPT_SPACE / len(prompts) - 1.5, MIN_PROMPT):.1f}mm",
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
        cards=[
            card_data(g, result.profiles.comparison, result.areas) for g in result.profiles.groups
        ],
        synthetic=result.synthetic,
        title=result.options.source or "groepen",
        footer=footer.replace('"', "'"),
    )


#: Said by the run when the cards come out as HTML (``bsz analyse`` and ``bsz demo``).
HTML_FALLBACK_NOTICE = (
    "De persona-kaarten zijn als HTML geschreven ({name}), niet als PDF: WeasyPrint kon zijn "
    "systeembibliotheken (Pango) niet laden. Open het bestand in een browser en kies "
    "Afdrukken (A4, dubbelzijdig) of 'Opslaan als PDF'."
)


def write_cards(result: AnalysisResult, path: Path) -> Path:
    """Write the persona cards as a tagged PDF (PDF/UA-1); returns the path written.

    Where WeasyPrint cannot load its system libraries (Pango, GObject: a Windows desktop in
    CBS Remote Access), importing or running it raises OSError. The cards are then written
    as the same HTML, self-contained and print-ready, beside ``path`` with the suffix
    ``.html``, and that path is returned (the caller says so: :data:`HTML_FALLBACK_NOTICE`).
    """
    return start_cards(result, path)()


def start_cards(
    result: AnalysisResult, path: Path, pool: Executor | None = None
) -> Callable[[], Path]:
    """:func:`write_cards` with the PDF written in ``pool`` (another process, see
    :func:`bestaanszekerheid.reports.pdf.pdf_pool`; None: here, when the returned function is
    called). The cards' HTML is rendered here, now; the returned function waits for the PDF
    (or writes the HTML fallback) and returns the path written."""
    html = render_cards_html(result)
    future = pool.submit(write_pdf, html, path) if pool is not None else None

    def finish() -> Path:
        try:
            if future is not None:
                try:
                    return future.result()
                except BrokenExecutor:
                    # The second process could not start (a main module it cannot import,
                    # such as a script on stdin): the PDF is written here.
                    pass
            return write_pdf(html, path)
        except OSError:
            fallback = path.with_suffix(".html")
            with atomic_path(fallback) as tmp:
                tmp.write_text(html, encoding="utf-8")
            return fallback

    return finish
