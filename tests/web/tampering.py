"""An attacker who owns the database: lifts the audit table's append-only trigger, tampers,
and puts it back. The hash chain must still notice (tests/web/test_audit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from bestaanszekerheid.web.audit import db_triggers


@contextmanager
def audit_trigger_lifted() -> Iterator[None]:
    """Drop the append-only triggers for the ``with`` block; recreate them afterwards."""
    db_triggers.remove(connection)
    try:
        yield
    finally:
        db_triggers.install(connection)
