"""Places beyond the door: the partners that work in the wijken of the outreach plan.

Organisations, not people (the partner file of :mod:`bestaanszekerheid.areas.partners`, from
the web app's Beheer page or written by hand): nothing here is a statistic or needs
disclosure control. Which wijken the plan touches follows from the plan, which was
published before the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bestaanszekerheid.areas.partners import Partner, city_wide, local_to
from bestaanszekerheid.reports.tree import Bullets, Paragraph, Section

if TYPE_CHECKING:
    from bestaanszekerheid.areas.catalog import AreaCatalog
    from bestaanszekerheid.areas.outreach import OutreachPlan

#: What the section says when the run had no partner file.
NO_FILE = (
    "Geef het partnerbestand mee (bsz analyse of bsz wijken met --partners partners.csv), dan "
    "staan hier de partnerorganisaties per wijk van het plan. In de webapp: Beheer, "
    "'Partnerbestand downloaden (CSV)'; zonder webapp maakt u het bestand zelf (docs/gebieden.md)."
)


def _described(p: Partner) -> str:
    return p.name + (f" – {p.kind}" if p.kind else "")


def plan_wijken(plan: OutreachPlan, catalog: AreaCatalog) -> list[str]:
    """The wijken of the plan's areas, in visiting order, each once."""
    parent = catalog.parent()
    return list(dict.fromkeys(parent.get(code, code) for code in plan.exact.codes))


def partners_subsection(
    plan: OutreachPlan | None,
    partners: Sequence[Partner] | None,
    catalog: AreaCatalog,
    *,
    most: Sequence[str] = (),
) -> Section | None:
    """Per wijk of the plan the partners that work there, then per wijk of ``most`` (where
    most target households live; codes) not in the plan, then those for the whole
    municipality; ``partners`` None: the run had no partner file (the section says how to
    add one). None without a plan."""
    if plan is None or plan.exact.table.empty:
        return None
    title = "Ook buiten de voordeur: partners in deze wijken"
    if partners is None:
        return Section("partners", title, (Paragraph(NO_FILE),))
    names = catalog.names("wijk")

    def listed(codes: Sequence[str]) -> tuple[str, ...]:
        items = []
        for code in codes:
            local = [_described(p) for p in local_to(partners, code)]
            found = "; ".join(local) if local else "geen partner bekend: zoek er een"
            items.append(f"{names.get(code, code)}: {found}")
        return tuple(items)

    in_plan = plan_wijken(plan, catalog)
    blocks: list[Paragraph | Bullets] = [
        Paragraph(
            "Waar huishoudens uit de doelgroep ook komen: de partnerorganisaties uit het "
            "partnerbestand die werken in de wijken van het bereikplan en in de wijken waar de "
            "meeste huishoudens uit de doelgroep wonen. Vraag hen mee te denken en door te "
            "verwijzen; zij kennen de buurt."
        ),
        Bullets(listed(in_plan), title="Per wijk van het plan"),
    ]
    others = [c for c in most if c not in in_plan]
    if others:
        blocks.append(
            Bullets(listed(others), title="Waar de meeste huishoudens uit de doelgroep wonen")
        )
    everywhere = [_described(p) for p in city_wide(partners)]
    if everywhere:
        blocks.append(Paragraph("In de hele gemeente: " + "; ".join(everywhere) + "."))
    return Section("partners", title, tuple(blocks))
