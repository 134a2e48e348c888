"""Import a ``bsz loting`` log into a pilot from the command line (as the pilot page does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.evaluation import pilot_services as services
from bestaanszekerheid.web.evaluation.allocation_import import AllocationImportError
from bestaanszekerheid.web.evaluation.models import Pilot
from bestaanszekerheid.web.evaluation.pilot_forms import CONTROL_CODE


class Command(BaseCommand):
    help = (
        "Lees het lotingslogboek van bsz loting in bij een pilot: controleert de keten tegen "
        "de controlecode, de armen en de deelnemers, en geeft dan elke deelnemer zijn arm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pilot", required=True, help="Nummer of naam van de pilot.")
        parser.add_argument("--logboek", required=True, help="lotingslogboek.jsonl van bsz loting.")
        parser.add_argument(
            "--controlecode", required=True, help="De controlecode die bsz loting afdrukte."
        )
        parser.add_argument(
            "--medewerker",
            default=None,
            help="Gebruikersnaam van de teamleider die inleest (anders: systeem).",
        )

    def _pilot(self, key: str) -> Pilot:
        pilot = (
            Pilot.objects.filter(pk=int(key)).first()
            if key.isdigit()
            else Pilot.objects.filter(name=key).first()
        )
        if pilot is None:
            raise CommandError(f"Pilot '{key}' bestaat niet (geef het nummer of de naam).")
        return pilot

    def _actor(self, username: str | None, pilot: Pilot) -> User | None:
        if username is None:
            return None
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None or actor.role != Role.TEAM_LEAD or actor.team_id != pilot.team_id:
            raise CommandError(
                f"'{username}' is geen actieve teamleider van het team van deze pilot."
            )
        return actor

    def handle(self, *args: Any, **options: Any) -> None:
        pilot = self._pilot(str(options["pilot"]))
        actor = self._actor(options["medewerker"], pilot)
        path = Path(options["logboek"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Kan '{path}' niet lezen als tekst (UTF-8): {exc}") from exc
        code = "".join(str(options["controlecode"]).split()).lower()
        if not CONTROL_CODE.fullmatch(code):
            raise CommandError("Een controlecode is 64 tekens lang, alleen 0-9 en a-f.")
        try:
            result = services.import_allocation(actor, pilot, text, code)
        except AllocationImportError as exc:
            services.record_refused_import(actor, pilot, len(exc.problems))
            raise CommandError("Loting niet ingelezen:\n" + "\n".join(exc.problems)) from exc
        except services.PilotStateError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Loting ingelezen bij pilot '{pilot.name}': {len(result.assignments)} deelnemers "
            f"hebben nu een arm ({result.n_entries} regels, controlecode {result.head})."
        )
