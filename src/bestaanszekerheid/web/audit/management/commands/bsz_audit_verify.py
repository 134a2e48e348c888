"""Check the audit chain; exit code 1 when it has been tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bestaanszekerheid.web.audit.service import verify_chain


class Command(BaseCommand):
    help = "Controleer of het auditlog ongewijzigd en compleet is (hashketen)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Auditketen verbroken bij gebeurtenis {report.first_bad_id}: {report.reason} "
                f"({report.checked} gebeurtenissen in orde daarvoor)."
            )
        self.stdout.write(f"Auditketen in orde: {report.checked} gebeurtenissen gecontroleerd.")
