"""The ``bsz`` command line (Dutch first, ``--taal en`` for English): the one place of the app.

One module per command group: :mod:`.analyse` (synth, doelgroep, analyse, demo),
:mod:`.segments` (segmenteer), :mod:`.experiments` (power, loting, controleer-loting,
effect), :mod:`.areas` (gebieden, wijken) and :mod:`.web` (web); shared options in :mod:`.options`,
consoles and progress bars in :mod:`.console`. The library under it (``bestaanszekerheid.*``
but ``cli`` and ``web``) never imports this package, typer or rich (an import-linter contract
in ``pyproject.toml``).

Every command turns our own errors (:class:`bestaanszekerheid.errors.UserFacingError`) into a
clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
import typer.core
import typer.main

from bestaanszekerheid.cli.analyse import demo, doelgroep, synth
from bestaanszekerheid.cli.console import handle_errors

__all__ = ["LAZY_COMMANDS", "app", "main"]

# Commands whose modules are heavy to import (statsmodels, scikit-learn) are loaded only when
# they run, so `bsz --help` and `bsz doelgroep` stay fast: name -> (module, function, help).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "segmenteer": (
        "bestaanszekerheid.cli.segments",
        "segmenteer",
        "Zoek groepen in de doelgroep met latente-klassenanalyse.",
    ),
    "power": (
        "bestaanszekerheid.cli.experiments",
        "power",
        "Onderscheidend vermogen, minimaal aantoonbaar effect en benodigde aantallen.",
    ),
    "loting": (
        "bestaanszekerheid.cli.experiments",
        "loting",
        "Deel deelnemers reproduceerbaar in groepen in, met een lotingslogboek.",
    ),
    "controleer-loting": (
        "bestaanszekerheid.cli.experiments",
        "controleer_loting",
        "Controleer of een lotingslogboek ongewijzigd is.",
    ),
    "effect": (
        "bestaanszekerheid.cli.experiments",
        "effect",
        "Schat de effecten van een experiment per arm en uitkomst.",
    ),
    # Its module is light (the pipeline is imported when the command runs); listed here so
    # that `bsz --help` keeps its order and the one-line description.
    "analyse": (
        "bestaanszekerheid.cli.analyse",
        "analyse",
        "Hele analyse: doelgroep, groepen, profielen, rapport, persona-kaarten en tabellen.",
    ),
    "gebieden": (
        "bestaanszekerheid.cli.areas",
        "gebieden",
        "Maak of toon een gebiedsbestand: wijken, buurten, KWB-cijfers en grenzen.",
    ),
    "wijken": (
        "bestaanszekerheid.cli.areas",
        "wijken",
        "Alleen de wijken: kaarten per wijk, een bereikplan en de tabellen daarvan.",
    ),
    "web": ("bestaanszekerheid.cli.web", "web", "Start de webapp Het goede gesprek (--demo)."),
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
# The light commands, registered eagerly (in this order in `bsz --help`).
for _command in (synth, doelgroep, demo):
    app.command()(handle_errors(_command))


def main() -> None:
    """Entry point of the ``bsz`` console script."""
    app()
