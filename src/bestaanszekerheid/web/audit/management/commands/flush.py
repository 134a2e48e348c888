"""Django's ``flush``, which on SQLite first lifts the audit table's append-only trigger.

``flush`` empties every table; on PostgreSQL it uses ``TRUNCATE``, which row triggers do not
see. On SQLite it deletes row by row, which the trigger would refuse, so the trigger is removed
for the flush and put back afterwards: ``flush`` means the same on both databases. Django's
test runner calls it after every transactional test.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from bestaanszekerheid.web.audit import db_triggers


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or not db_triggers.installed(connection):
            super().handle(**options)
            return
        db_triggers.remove(connection)
        try:
            super().handle(**options)
        finally:
            db_triggers.install(connection)
