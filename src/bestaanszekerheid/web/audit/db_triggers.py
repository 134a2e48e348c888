"""Database triggers that refuse UPDATE and DELETE on the audit table (PostgreSQL and SQLite).

The model already refuses changes through the application (``AuditEvent.save``/``delete`` and
the queryset); these triggers also stop raw SQL, a bulk ``UPDATE``/``DELETE`` by mistake and
Django's collector (``on_delete=SET_NULL``). They do not stop the table's owner, who can drop
or disable a trigger: the hash chain makes such changes detectable
(docs/decisions/0051-analyst-figures-and-audit-trigger.md).

Both backends raise an integrity error (SQLSTATE 23000 on PostgreSQL, ``RAISE(ABORT)`` on
SQLite), so Django raises :class:`django.db.IntegrityError` on either.

``TRUNCATE`` (PostgreSQL) fires no row triggers; Django's ``flush`` uses it there. On SQLite
``flush`` deletes row by row, so the audit app's ``flush`` command removes the trigger for the
flush and puts it back afterwards (see ``management/commands/flush.py``).
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
NAME = "audit_auditevent_append_only"
MESSAGE = "Het auditlog is alleen-toevoegen: een gebeurtenis wijzigen of verwijderen kan niet."

_POSTGRESQL_INSTALL = (
    f"""
    CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{MESSAGE}';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {NAME} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {NAME}()
    """,
)
_POSTGRESQL_REMOVE = (
    f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {NAME}()",
)
# SQLite triggers fire on one event each: one for UPDATE, one for DELETE.
_SQLITE_INSTALL = tuple(
    f"""
    CREATE TRIGGER IF NOT EXISTS {NAME}_{event.lower()} BEFORE {event} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """
    for event in ("UPDATE", "DELETE")
)
_SQLITE_REMOVE = tuple(f"DROP TRIGGER IF EXISTS {NAME}_{e}" for e in ("update", "delete"))

_STATEMENTS = {
    "postgresql": (_POSTGRESQL_INSTALL, _POSTGRESQL_REMOVE),
    "sqlite": (_SQLITE_INSTALL, _SQLITE_REMOVE),
}


def install_sql(vendor: str) -> tuple[str, ...]:
    """Statements that create the triggers on ``vendor`` (empty for other databases)."""
    return _STATEMENTS.get(vendor, ((), ()))[0]


def remove_sql(vendor: str) -> tuple[str, ...]:
    """Statements that drop the triggers on ``vendor`` (empty for other databases)."""
    return _STATEMENTS.get(vendor, ((), ()))[1]


def install(connection: Any) -> None:
    """Create the append-only triggers on ``connection`` (a Django database connection)."""
    with connection.cursor() as cursor:
        for sql in install_sql(connection.vendor):
            cursor.execute(sql)


def remove(connection: Any) -> None:
    """Drop the append-only triggers on ``connection``."""
    with connection.cursor() as cursor:
        for sql in remove_sql(connection.vendor):
            cursor.execute(sql)


def installed(connection: Any) -> bool:
    """Whether every append-only trigger exists (and, on PostgreSQL, is enabled)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgenabled <> 'D' "
                "AND tgrelid = %s::regclass",
                [NAME, TABLE],
            )
            return bool(cursor.fetchone()[0] == 1)
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND name IN (%s, %s)",
                [TABLE, f"{NAME}_update", f"{NAME}_delete"],
            )
            return bool(cursor.fetchone()[0] == 2)
    return False
