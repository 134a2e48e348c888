"""Seal every pending audit event into the chain (for cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bestaanszekerheid.web.audit.service import seal_all


class Command(BaseCommand):
    help = (
        "Verzegel alle nog niet verzegelde auditgebeurtenissen in de hashketen. Requests doen "
        "dit zelf na elke opslag; dit commando vangt op wat daarbij is blijven liggen."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_all()
        self.stdout.write(f"{sealed} auditgebeurtenissen verzegeld.")
