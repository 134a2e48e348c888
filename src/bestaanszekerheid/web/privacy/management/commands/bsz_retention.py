"""Scheduled job (cron or systemd timer): apply the retention period. Dry run by default."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bestaanszekerheid.web.privacy.models import RetentionMode, RetentionPolicy
from bestaanszekerheid.web.privacy.retention import Mode, apply_retention


class Command(BaseCommand):
    help = (
        "Verwijder of anonimiseer trajecten die langer dan de bewaartermijn zijn afgesloten. "
        "Termijn en wijze komen uit het bewaarbeleid dat de privacyfunctionaris in de app "
        "instelt (anders BSZ_RETENTION_DAYS en verwijderen). Zonder --uitvoeren verandert er niets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--uitvoeren", action="store_true", help="Echt verwijderen of anonimiseren."
        )
        parser.add_argument(
            "--modus",
            choices=["verwijderen", "anonimiseren"],
            default=None,
            help="Verwijderen of anonimiseren (anders het bewaarbeleid).",
        )
        parser.add_argument(
            "--dagen", type=int, default=None, help="Bewaartermijn in dagen (anders de instelling)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        policy = RetentionPolicy.current()
        days = options["dagen"] or policy.days
        mode: Mode
        if options["modus"] is None:
            mode = "anonymise" if policy.mode == RetentionMode.ANONYMISE else "delete"
        else:
            mode = "delete" if options["modus"] == "verwijderen" else "anonymise"
        label = "verwijderen" if mode == "delete" else "anonimiseren"
        result = apply_retention(timezone.localdate(), days, mode, apply=options["uitvoeren"])
        n = len(result.trajectory_ids)
        if not result.applied:
            self.stdout.write(
                f"Proefdraaien: {n} traject(en) langer dan {days} dagen afgesloten "
                f"({label} met --uitvoeren). Kenmerken: {result.trajectory_ids}"
            )
            return
        self.stdout.write(
            f"{n} traject(en) {'verwijderd' if mode == 'delete' else 'geanonimiseerd'}; "
            f"{result.residents_removed} inwoner(s) verwijderd of losgekoppeld."
        )
