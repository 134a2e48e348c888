"""Persona cards as a facilitator puts them on the table: printed, readable, one group each."""

from __future__ import annotations

import math
import re

from pypdf import PdfReader

from bestaanszekerheid.profiles.support import ROUTES, pointers_for
from bestaanszekerheid.reports.cards import IMPLIED, card_data, card_facts

from .conftest import Run

#: Smallest text on a printed card (pt); pypdf reports 8 pt as 7.99...
MIN_PT = 7.95


def _text_sizes(path: object) -> list[tuple[int, float, str]]:
    """(page, effective font size in pt, text) of every text run in the PDF."""
    out: list[tuple[int, float, str]] = []
    for number, page in enumerate(PdfReader(path).pages, start=1):

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            number: int = number,
        ) -> None:
            if text.strip():
                # The text matrix times the page's transformation: its scale times the size.
                a, b, c, d = tm[:4]
                ca, cb, cc, cd = cm[:4]
                m = (a * ca + b * cc, a * cb + b * cd, c * ca + d * cc, c * cb + d * cd)
                out.append((number, size * math.sqrt(abs(m[0] * m[3] - m[1] * m[2])), text))

        page.extract_text(visitor_text=visit)
    return out


def test_no_text_on_the_printed_cards_is_smaller_than_8_pt(run: Run) -> None:
    sizes = _text_sizes(run.out / "persona-kaarten.pdf")
    assert sizes
    small = [(p, round(s, 2), t.strip()[:30]) for p, s, t in sizes if s < MIN_PT]
    assert not small, small[:10]
    # The map's legend is drawn in the PDF as text too (not as a picture of text).
    assert any("te weinig huishoudens" in t for _, _, t in sizes)


def test_each_card_is_a_front_and_a_worksheet_with_every_route_box(run: Run) -> None:
    reader = PdfReader(run.out / "persona-kaarten.pdf")
    groups = run.result.profiles.groups
    assert len(reader.pages) == 2 * len(groups)
    for i, g in enumerate(groups):
        front = reader.pages[2 * i].extract_text()
        back = reader.pages[2 * i + 1].extract_text()
        data = card_data(g, run.result.profiles.comparison, run.result.areas)
        assert data["persona"].name in front and "Verzonnen persoon" in front
        assert f"{g.key} · werkblad" in back
        for box in data["prompts"]:
            assert box["route"] in back.replace("\n", " ")  # nothing cut off at the bottom
        assert "Wat weten we nog niet?" in back


def test_every_question_on_a_card_follows_from_that_groups_figures(run: Run) -> None:
    comparison = run.result.profiles.comparison
    for g in run.result.profiles.groups:
        pointers = pointers_for(comparison, g.key)
        data = card_data(g, comparison, run.result.areas)
        asked = [q for box in data["prompts"] for q in box["questions"]]
        assert set(asked) <= set(pointers.prompts), g.key
        routes = {box["route"] for box in data["prompts"]} - {"Wat weten we nog niet?"}
        if pointers.pointers:
            assert routes == {ROUTES[p.route] for p in pointers.pointers}
        if any("AOW aanvullen" in p.title for p in pointers.pointers):
            assert not re.search(r"meer uren", " ".join(asked), re.IGNORECASE)


def test_a_card_shows_no_fact_that_another_fact_on_it_already_says(run: Run) -> None:
    for g in run.result.profiles.groups:
        facts = card_facts(g)
        keys = {(f.column, f.level) for f in facts}
        for f in facts:
            assert f.effect > 0  # what the group has more often, never "alleenstaanden: 0%"
            implied = IMPLIED.get((f.column, f.level), ())
            assert not keys & set(implied), (g.key, f.level)
