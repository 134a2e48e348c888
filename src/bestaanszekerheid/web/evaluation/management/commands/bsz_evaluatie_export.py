"""Download an approved evaluation export from the command line (as its page does).

For the evaluator who scripts the loop on the server (README: randomise, import, work,
export, evaluate). The same rules as the page: only the analyst who asked, only after a
privacy officer approved, once; the download is audited as theirs. The file is written
next to its target and renamed in the same transaction that records the download, so a
failed write neither leaves half a file nor uses up the download.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.evaluation import export_services as services
from bestaanszekerheid.web.evaluation.export_file import ExportKeyError, labels_yaml
from bestaanszekerheid.web.evaluation.models import EvaluationExport


class Command(BaseCommand):
    help = (
        "Download een goedgekeurde evaluatie-export (eenmalig, als de analist die hem "
        "aanvroeg) naar een bestand dat bsz effect direct leest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--aanvraag", required=True, type=int, help="Nummer van de aanvraag.")
        parser.add_argument(
            "--medewerker", required=True, help="Gebruikersnaam van de analist die aanvroeg."
        )
        parser.add_argument("--uit", required=True, help="Het CSV-bestand (bestaat nog niet).")
        parser.add_argument(
            "--labels", default=None, help="Schrijf ook de namen van armen en uitkomsten (YAML)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        export = (
            EvaluationExport.objects.select_related("pilot").filter(pk=options["aanvraag"]).first()
        )
        if export is None:
            raise CommandError(f"Aanvraag {options['aanvraag']} bestaat niet.")
        actor = User.objects.filter(
            username=options["medewerker"], is_active=True, role=Role.ANALYST
        ).first()
        if actor is None:
            raise CommandError(f"'{options['medewerker']}' is geen actieve analist.")
        target = Path(options["uit"])
        labels = Path(options["labels"]) if options["labels"] else None
        for path in (target, labels):
            if path is not None and path.exists():
                raise CommandError(f"'{path}' bestaat al; kies een nieuwe bestandsnaam.")
        # Anyone with a shell on the server can run this as any analyst: the audit log says it
        # was the command line and which server account ran it (attacker review).
        channel = {"channel": "commandline", "os_user": getpass.getuser()}
        try:
            with transaction.atomic():
                built = services.download(actor, export, today(), channel=channel)
                with atomic_path(target) as tmp:
                    tmp.write_bytes(built.content)
        except (services.ExportNotAllowedError, ExportKeyError) as exc:
            raise CommandError(str(exc)) from exc
        if labels is not None:
            with transaction.atomic(), atomic_path(labels) as tmp:
                tmp.write_text(labels_yaml(export.pilot), encoding="utf-8")
                record(
                    actor,
                    AuditAction.EXPORT,
                    export,
                    purpose=services.PURPOSE_EVALUATION,
                    details={"pilot": export.pilot_id, "step": "labels", **channel},
                )
        self.stdout.write(
            f"Export {export.pk} van pilot '{export.pilot.name}' geschreven naar {target}: "
            f"{built.n_rows} deelnemers, SHA-256 {built.sha256}."
        )
