"""Check the audit chain; exit code 1 when it has been tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bestaanszekerheid.web.audit.service import head_is_in_chain, verify_chain


class Command(BaseCommand):
    help = (
        "Controleer of het auditlog ongewijzigd en compleet is (hashketen). Standaard vanaf "
        "het laatste controlepunt; --volledig controleert alles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--volledig",
            action="store_true",
            help="Controleer de hele keten, niet alleen wat na het laatste controlepunt kwam.",
        )
        parser.add_argument(
            "--kop",
            action="append",
            default=[],
            metavar="VOLGNUMMER:HASH",
            help="Een kop van de keten die buiten de database is bewaard (uit het koplog); "
            "de controle faalt als die niet meer in de keten staat. Mag vaker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        full = bool(options["volledig"])
        report = verify_chain(full=full, save_checkpoint=True)
        if not report.ok:
            raise CommandError(
                f"Auditketen verbroken bij gebeurtenis {report.first_bad_id}: {report.reason} "
                f"({report.checked} gebeurtenissen in orde daarvoor)."
            )
        for kept in options["kop"]:
            seq_text, _sep, digest = str(kept).partition(":")
            if not seq_text.isdigit() or len(digest) != 64:
                raise CommandError(f"Kop '{kept}' heeft niet de vorm VOLGNUMMER:HASH.")
            if not head_is_in_chain(int(seq_text), digest):
                raise CommandError(
                    f"Auditketen ingekort of herschreven: de bewaarde kop {seq_text} staat er "
                    "niet meer in."
                )
        scope = "volledig" if full else f"vanaf volgnummer {report.start_seq}"
        waiting = f"; {report.pending} nog te verzegelen" if report.pending else ""
        self.stdout.write(
            f"Auditketen in orde ({scope}): {report.checked} gebeurtenissen gecontroleerd, "
            f"kop {report.last_seq}:{report.last_hash}{waiting}."
        )
