"""Options that several ``bsz`` commands share, declared once, and their parsers.

Each shared option has one flag, one help text and one default, and the defaults are the
library's (:mod:`bestaanszekerheid.defaults`): ``bsz analyse``, ``bsz segmenteer`` and a call of
:func:`bestaanszekerheid.pipeline.run_analysis` start from the same choices. Only light modules
are imported here, so ``bsz --help`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from bestaanszekerheid.defaults import (
    DEFAULT_CLASSES,
    DEFAULT_MAX_PCT,
    DEFAULT_N_BOOTSTRAP_STABILITY,
    DEFAULT_N_INIT,
    MAX_PCT_LIMIT,
)
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_plain

#: Defaults of the options below, for the commands' signatures (typer reads the default from
#: the parameter, so each command writes ``klassen: Klassen = KLASSEN``).
MAX_PCT = DEFAULT_MAX_PCT
KLASSEN = f"{min(DEFAULT_CLASSES)}-{max(DEFAULT_CLASSES)}"
STARTS = DEFAULT_N_INIT
BOOTSTRAP = DEFAULT_N_BOOTSTRAP_STABILITY
SEED = 0

Taal = Annotated[str, typer.Option("--taal", help="Taal van de uitvoer: nl of en.")]
HouseholdFile = Annotated[
    Path, typer.Option("--input", help="Huishoudbestand (.csv, .parquet, .sav).")
]
OutDir = Annotated[Path, typer.Option("--out", help="Map voor de uitvoer.")]
MaxPct = Annotated[
    float, typer.Option("--max-pct", help="Grens in procenten van het sociaal minimum.")
]
Peildatum = Annotated[
    str | None, typer.Option("--peildatum", help="Datum van de norm (JJJJ-MM-DD).")
]
NamesFile = Annotated[
    Path | None,
    typer.Option("--namen", help="YAML-bestand met eigen namen en beschrijvingen."),
]
# Areas: the catalogue folder, the levels and the outreach plan's door budget.
AreaFolder = Annotated[
    Path | None,
    typer.Option(
        "--gebieden",
        help="Map met het gebiedsbestand van de gemeente (maak er een met 'bsz gebieden'); "
        "standaard Tilburg, indeling 2024.",
    ),
]
PartnerFile = Annotated[
    Path | None,
    typer.Option(
        "--partners",
        help="Partnerbestand (CSV: naam, soort, omschrijving, wijken), uit de webapp (Beheer) "
        "of zelf gemaakt: het bereikplan noemt de partners per wijk.",
    ),
]
Niveau = Annotated[
    str,
    typer.Option(
        "--niveau",
        help="'wijk' of 'buurt' (buurt publiceert wijk- en buurtcijfers; duurt langer).",
    ),
]
Deuren = Annotated[
    int,
    typer.Option("--deuren", help="Deurenbudget van het aanbellenplan (huishoudens).", min=1),
]
SmallBuurten = Annotated[
    bool,
    typer.Option(
        "--kleine-buurten-samenvoegen",
        help="Voeg buurten met te weinig huishoudens van de doelgroep per wijk samen.",
    ),
]


Groep = Annotated[
    str,
    typer.Option(
        "--groep",
        help="Voor wie het bereikplan is: 'doelgroep' (de hele doelgroep) of een groep, "
        "bijv. 3 voor Groep 3.",
    ),
]
TARGET_GROUP = "doelgroep"
_GROUP = re.compile(r"^\s*(?:groep\s*)?(\d+)\s*$", re.IGNORECASE)


def parse_group(text: str, classes: Sequence[int]) -> str:
    """The key of the plan ``--groep`` asks for: "doelgroep", or "Groep 3" for '3' (or
    'Groep 3', 'groep3'); a Dutch error for anything else, or for a group beyond the largest
    number of groups ``--klassen`` lets the model have."""
    if text.strip().casefold() == TARGET_GROUP:
        return TARGET_GROUP
    match = _GROUP.match(text)
    if match is None:
        raise UserFacingError(
            f"--groep '{text}': kies 'doelgroep' (de hele doelgroep) of het nummer van een "
            "groep, bijvoorbeeld --groep 3 voor Groep 3."
        )
    number = int(match[1])
    most = max(classes)
    if not 1 <= number <= most:
        raise UserFacingError(
            f"--groep '{text}' bestaat niet: met --klassen heeft het model hoogstens {most} "
            f"groepen. Kies uit: doelgroep, {group_choices(most)}."
        )
    return f"Groep {number}"


def group_choices(n_groups: int) -> str:
    """'1, 2 of 3': the numbers ``--groep`` takes for a model with ``n_groups`` groups."""
    numbers = [str(k) for k in range(1, n_groups + 1)]
    return numbers[0] if n_groups == 1 else ", ".join(numbers[:-1]) + " of " + numbers[-1]


def parse_levels(niveau: str) -> tuple[Literal["wijk", "buurt"], ...]:
    """The levels to publish for ``--niveau``; a Dutch error for anything else."""
    if niveau == "wijk":
        return ("wijk",)
    if niveau == "buurt":
        return ("wijk", "buurt")
    raise typer.BadParameter(f"'{niveau}': kies 'wijk' of 'buurt'.", param_hint="--niveau")


# Not typer's exists=True: load_rules explains a missing or invalid file in Dutch.
RulesFile = Annotated[
    Path | None,
    typer.Option(
        "--regels",
        help="Eigen regelbestand (TOML) voor de onthullingscontrole; standaard de CBS Remote "
        "Access-regels.",
    ),
]
Klassen = Annotated[
    str, typer.Option("--klassen", help=f"Aantallen groepen om te proberen, bijv. {KLASSEN}.")
]
Starts = Annotated[int, typer.Option("--starts", help="Willekeurige starts per model.")]
Bootstrap = Annotated[
    int, typer.Option("--bootstrap", help="Bootstrap-herhalingen voor stabiliteit (0 = uit).")
]
Seed = Annotated[int, typer.Option("--seed", help="Startgetal voor toeval.")]
# bsz effect and bsz loting read the same participant file and name its design columns alike.
ParticipantFile = Annotated[
    Path,
    typer.Option(
        "--input", help="Deelnemersbestand (.csv, .parquet, .sav), één rij per deelnemer."
    ),
]
Strata = Annotated[
    str, typer.Option("--strata", help="Kolommen waarbinnen geloot wordt of is, met komma's.")
]
Cluster = Annotated[
    str | None,
    typer.Option("--cluster", help="Kolom met het cluster bij clusterloting (bijv. wijk of team)."),
]


def parse_date(value: str | None, option: str) -> date | None:
    """Parse an ISO date option (JJJJ-MM-DD); a Dutch error names the option and value."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserFacingError(
            f"{option} '{value}' is geen geldige datum; gebruik JJJJ-MM-DD, "
            "bijvoorbeeld 2025-01-01."
        ) from None


def parse_classes(text: str, minimum: int = 1) -> list[int]:
    """Parse a ``--klassen`` option: '1-10' -> [1..10]; '2,4,6' -> [2, 4, 6]; '3' -> [3].

    Numbers below ``minimum`` are dropped (``bsz analyse`` needs at least two groups, so its
    '1-8' means 2-8); a Dutch error when the text is not a range or nothing is left.
    """
    out: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                lo, hi = (int(p) for p in part.split("-", 1))
                if lo > hi:
                    raise UserFacingError(
                        f"Ongeldig aantal klassen '{text}': het bereik {lo}-{hi} loopt "
                        f"achteruit. Bedoel je {hi}-{lo}?"
                    )
                out.extend(range(lo, hi + 1))
            elif part:
                out.append(int(part))
    except ValueError:
        raise UserFacingError(
            f"Ongeldig aantal klassen '{text}'. Gebruik bijvoorbeeld 1-10 of 2,3,4."
        ) from None
    if not out or min(out) < 1:
        raise UserFacingError(f"Ongeldig aantal klassen '{text}': gebruik getallen van 1 of meer.")
    classes = sorted({k for k in out if k >= minimum})
    if not classes:
        raise UserFacingError(
            f"Geef aantallen groepen van {minimum} of meer op, bijvoorbeeld {minimum}-8."
        )
    return classes


def check_max_pct(value: float) -> float:
    """The ``--max-pct`` value, or a Dutch error that names the flag.

    The library's check (:func:`bestaanszekerheid.target.check_max_pct`) decides; its message
    is about the threshold, and on the command line the flag is what the user can change.
    """
    # Imported here: target loads pandas, and this module is read for every `bsz --help`.
    from bestaanszekerheid.target import check_max_pct as check_threshold

    try:
        check_threshold(value)
    except UserFacingError:
        raise UserFacingError(
            f"--max-pct moet tussen 0 en {fmt_plain(MAX_PCT_LIMIT)} liggen, niet {value}."
        ) from None
    return value


def check_language(taal: str) -> str:
    """The ``--taal`` value, or a Dutch error when it is neither 'nl' nor 'en'."""
    if taal not in {"nl", "en"}:
        raise UserFacingError(f"--taal moet 'nl' of 'en' zijn, niet '{taal}'.")
    return taal
