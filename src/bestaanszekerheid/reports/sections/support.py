"""'Aanknopingspunten voor ondersteuning' on a group's page: routes, prevention, schemes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bestaanszekerheid.profiles.support import Pointers, pointers_for
from bestaanszekerheid.reports.sections.common import estimate_sources, join_nl
from bestaanszekerheid.reports.tree import Block, Bullets, Cell, Paragraph, Table

if TYPE_CHECKING:
    from bestaanszekerheid.profiles import GroupProfile, ProfileSet

#: How the entitlement to a scheme is estimated, for the note under the scheme list.
ENTITLEMENT_NOTE = (
    "'Waarschijnlijk recht' is een schatting uit inkomen, leeftijd en jaren met een laag "
    "inkomen; vermogen en bijzondere kosten staan niet in de gegevens. Het is dus een "
    "bovengrens voor het recht en een indicatie van niet-gebruik, geen oordeel over een "
    "huishouden."
)


def group_pointers(profiles: ProfileSet, g: GroupProfile) -> Pointers:
    """The aanknopingspunten of one group (from its published figures)."""
    return pointers_for(profiles.comparison, g.key)


def routes_text(pointers: Pointers) -> str:
    """'inkomensroute en kostenroute' (and 'preventief' where a pointer says so)."""
    from bestaanszekerheid.profiles.support import ROUTES

    names = [ROUTES[r].lower() for r in pointers.routes]
    text = join_nl(names) if names else "geen route springt eruit"
    return text + (" (preventief)" if pointers.preventive else "")


def support_blocks(profiles: ProfileSet, g: GroupProfile) -> list[Block]:
    """The pointers as a table, the schemes as a list, and questions for a design session."""
    pointers = group_pointers(profiles, g)
    blocks: list[Block] = []
    if pointers.pointers:
        blocks.append(
            Table(
                key=f"aanknopingspunten-{g.number}",
                title=f"{g.key}: aanknopingspunten voor ondersteuning",
                columns=("Route", "Aanknopingspunt", "Waarom: cijfers van deze groep"),
                rows=tuple(
                    (
                        Cell(p.route_title),
                        Cell(p.title),
                        Cell("; ".join(e.text() for e in p.evidence)),
                    )
                    for p in pointers.pointers
                ),
                sources=estimate_sources(profiles),
                kind="estimate",
                note="Elke regel volgt uit een vaste, beschreven regel op de cijfers van de "
                "groep: een kenmerk dat in deze groep duidelijk "
                "vaker voorkomt dan in de hele doelgroep, of bij de meeste huishoudens van "
                "de groep. Het zijn vragen voor het ontwerp van aanbod, geen indeling van "
                "inwoners.",
            )
        )
    else:
        blocks.append(
            Paragraph(
                "Geen kenmerk van deze groep wijst duidelijk naar één route: begin met een "
                "brede verkenning."
            )
        )
    if pointers.schemes:
        blocks.append(
            Bullets(
                tuple(s.text() for s in pointers.schemes),
                title="Regelingen: gebruik en waarschijnlijk recht",
            )
        )
        blocks.append(Paragraph(ENTITLEMENT_NOTE))
    if pointers.prompts:
        blocks.append(Bullets(pointers.prompts[:5], title="Vragen voor de ontwerpsessie"))
    return blocks
