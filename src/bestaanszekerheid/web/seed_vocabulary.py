"""Words for synthetic residents and staff: the web demo (:mod:`bestaanszekerheid.web.demo`)
and the load benchmark (``benchmarks/web_load.py``) both draw from these lists.

Plain data without Django, so a script can import it before Django is set up. Every name
here is made up for synthetic records; nothing describes a real person.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Anouk",
    "Mohamed",
    "Lotte",
    "Daan",
    "Priya",
    "Kees",
    "Aylin",
    "Jan",
    "Mila",
    "Omar",
    "Fenna",
    "Rik",
    "Noor",
    "Sem",
    "Yara",
    "Bas",
    "Elif",
    "Tim",
    "Sara",
    "Joris",
)
LAST_NAMES = (
    "de Vries",
    "Bakker",
    "Yilmaz",
    "Jansen",
    "Visser",
    "El Amrani",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Kaya",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
)
# Kinds of partner organisation; callers add a suffix such as " (demo)".
PARTNERS = (
    "Voedselbank",
    "Schuldhulp",
    "Buurtsport",
    "Taalhuis",
    "Werkplein",
    "Wijkteam",
    "Energiecoach",
    "Formulierenbrigade",
)
GOALS = (
    "Elke week de post openen",
    "Een betalingsregeling voor de energierekening",
    "Twee keer per week sporten in de buurt",
    "Een cursus Nederlands volgen",
    "Solliciteren op twee vacatures",
)
CONVERSATION_NOTES = (
    "Synthetisch gesprek.",
    "Samen de post doorgenomen en twee rekeningen geordend.",
    "Inwoner vertelt dat de huur deze maand lastig was; afspraak gemaakt met de schuldhulp.",
    "Gesproken over werk: wil graag meer uren maken, maar de opvang is een probleem.",
    "Het gaat beter met de slaap sinds de buurtsport.",
    "Toeslagen nagelopen; de zorgtoeslag was nog niet aangevraagd.",
    "Contact met de school van de kinderen over schoolspullen.",
    "Inwoner voelt zich minder alleen sinds het taalcafé.",
    "Energiecontract vergeleken, overstap besproken.",
)
