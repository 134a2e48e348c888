"""The ``bsz`` command line (Dutch first, ``--taal en`` for English).

Every command turns our own errors (:class:`bestaanszekerheid.errors.UserFacingError`) into a
clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
import typer.core
import typer.main
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_int

# Commands whose modules are heavy to import (statsmodels, scikit-learn) are loaded only when
# they run, so `bsz --help` and `bsz doelgroep` stay fast: name -> (module, function, help).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "segmenteer": (
        "bestaanszekerheid.segments.cli",
        "segmenteer",
        "Zoek groepen in de doelgroep met latente-klassenanalyse.",
    ),
    "power": (
        "bestaanszekerheid.experiments.cli",
        "power",
        "Onderscheidend vermogen, minimaal aantoonbaar effect en benodigde aantallen.",
    ),
    "loting": (
        "bestaanszekerheid.experiments.cli",
        "loting",
        "Deel deelnemers reproduceerbaar in groepen in, met een lotingslogboek.",
    ),
    "controleer-loting": (
        "bestaanszekerheid.experiments.cli",
        "controleer_loting",
        "Controleer of een lotingslogboek ongewijzigd is.",
    ),
    "effect": (
        "bestaanszekerheid.experiments.cli",
        "effect",
        "Schat de effecten van een experiment per groep en uitkomst.",
    ),
    "analyse": (
        "bestaanszekerheid.pipeline",
        "analyse",
        "Hele analyse: doelgroep, groepen, profielen, rapport, persona-kaarten en tabellen.",
    ),
    "web": ("bestaanszekerheid.web.cli", "web", "Start de webapp Het goede gesprek (--demo)."),
}


class LazyGroup(typer.core.TyperGroup):
    """A command group that imports the modules of :data:`LAZY_COMMANDS` on first use."""

    _listing = False

    # typer vendors click privately; its types are reached through Any here.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, function, short_help = LAZY_COMMANDS[cmd_name]
        if self._listing:
            # The group's help only needs the one-line description.
            return typer.core.TyperCommand(cmd_name, help=short_help, short_help=short_help)
        sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        command = getattr(importlib.import_module(module), function)
        sub.command(cmd_name, help=short_help)(handle_errors(command))
        return typer.main.get_command(sub)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=LazyGroup,
    name="bsz",
    help="bestaanszekerheid: doelgroep, segmenten, wijken en effectmeting voor gemeenten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

DEMO_DIR = Path("uitvoer/demo")
DEMO_HOUSEHOLDS = 112_000  # about the number of households in Tilburg (research notes §3.1)
DEMO_SEED = 2025

# Options that several commands share (bsz doelgroep, bsz analyse), defined once.
Taal = Annotated[str, typer.Option("--taal", help="Taal van de uitvoer: nl of en.")]
HouseholdFile = Annotated[
    Path, typer.Option("--input", help="Huishoudbestand (.csv, .parquet, .sav).")
]
MaxPct = Annotated[
    float, typer.Option("--max-pct", help="Grens in procenten van het sociaal minimum.")
]
Peildatum = Annotated[
    str | None, typer.Option("--peildatum", help="Datum van de norm (JJJJ-MM-DD).")
]
# Not typer's exists=True: load_rules explains a missing or invalid file in Dutch.
RulesFile = Annotated[
    Path | None,
    typer.Option(
        "--regels",
        help="Eigen regelbestand (TOML) voor de onthullingscontrole; standaard de CBS Remote "
        "Access-regels.",
    ),
]


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print a :class:`UserFacingError` as a clean message and exit with code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UserFacingError as exc:
            # The message is text, not markup: '[...]' in it (a file name, a list) stays as is.
            err_console.print(
                "[bold red]Fout:[/bold red] " + escape(str(exc)), highlight=False, markup=True
            )
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar; yields a callback ``(done, total)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total)

        def update(done: int, total_: int) -> None:
            progress.update(task, completed=done, total=total_)

        yield update


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


def _check_language(taal: str) -> str:
    if taal not in {"nl", "en"}:
        raise UserFacingError(f"--taal moet 'nl' of 'en' zijn, niet '{taal}'.")
    return taal


@app.command()
@handle_errors
def synth(
    households: Annotated[
        int, typer.Option("--households", "--huishoudens", help="Aantal huishoudens.", min=1)
    ] = DEMO_HOUSEHOLDS,
    seed: Annotated[int, typer.Option("--seed", help="Startgetal; zelfde seed, zelfde data.")] = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Uitvoerbestand: .parquet, .csv of .sav.")
    ] = Path("synthetisch.parquet"),
    year: Annotated[int, typer.Option("--jaar", help="Verslagjaar van de populatie.")] = 2025,
) -> None:
    """Maak een synthetische, Tilburg-achtige populatie (met een apart waarheidsbestand)."""
    from bestaanszekerheid.households.synthetic import write_population

    with progress_bar("Synthetische huishoudens maken", households) as update:
        written = write_population(households, out, seed, year=year, progress=update)
    console.print(
        f"Geschreven: {written.households_path} ({fmt_int(written.n_households)} synthetische "
        "huishoudens)"
    )
    console.print(f"Waarheidsbestand (geplante groepen): {written.truth_path}")


@app.command()
@handle_errors
def doelgroep(
    input: HouseholdFile,
    max_pct: MaxPct = 130.0,
    peildatum: Peildatum = None,
    taal: Taal = "nl",
    regels: RulesFile = None,
) -> None:
    """Selecteer de huishoudens tot en met een percentage van het sociaal minimum."""
    from bestaanszekerheid.disclosure import load_rules
    from bestaanszekerheid.households import read_households
    from bestaanszekerheid.target import select_target

    lang = _check_language(taal)
    on = parse_date(peildatum, "--peildatum")
    rules = load_rules(regels)
    with err_console.status("Bestand lezen en controleren..."):
        households = read_households(input)
    group = select_target(households, max_pct=max_pct, on=on)
    console.print(group.summary(lang, rules), highlight=False, markup=False, soft_wrap=True)


@app.command()
@handle_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Map voor de uitvoer.")] = DEMO_DIR,
    households: Annotated[
        int, typer.Option("--huishoudens", help="Aantal synthetische huishoudens.", min=100)
    ] = DEMO_HOUSEHOLDS,
    seed: Annotated[int, typer.Option("--seed", help="Startgetal van de demo.")] = DEMO_SEED,
    taal: Taal = "nl",
) -> None:
    """Draai de hele analyse op een verse synthetische Tilburg-populatie."""
    from bestaanszekerheid.pipeline import run_demo

    if _check_language(taal) == "en":
        console.print("Note: the report, persona cards and tables are in Dutch only for now.")
    run_demo(out, households, seed)


def main() -> None:
    """Entry point of the ``bsz`` console script."""
    app()
