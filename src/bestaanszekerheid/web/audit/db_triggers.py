"""Database triggers that refuse UPDATE and DELETE on the audit tables (PostgreSQL and SQLite):
the events and, since ADR 0053, the seals that chain them.

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
#: Every append-only table: the events and the seals that chain them (ADR 0053).
TABLES = (TABLE, "audit_auditseal")
NAME = "audit_auditevent_append_only"
MESSAGE = "Het auditlog is alleen-toevoegen: een gebeurtenis wijzigen of verwijderen kan niet."


def _trigger(table: str) -> str:
    """The trigger's name on ``table`` (the events keep the name of migration 0003)."""
    return NAME if table == TABLE else f"{table}_append_only"


_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = '{MESSAGE}';
    END;
    $$
    """


def install_sql(vendor: str, tables: tuple[str, ...] = TABLES) -> tuple[str, ...]:
    """Statements that create the triggers on ``tables`` for ``vendor`` (empty for other
    databases). Migration 0003 passes the events table only: the seals came in 0004."""
    if vendor == "postgresql":
        return (
            _FUNCTION,
            *(
                f"CREATE TRIGGER {_trigger(t)} BEFORE UPDATE OR DELETE ON {t} "
                f"FOR EACH ROW EXECUTE FUNCTION {NAME}()"
                for t in tables
            ),
        )
    if vendor == "sqlite":
        # SQLite triggers fire on one event each: one for UPDATE, one for DELETE.
        return tuple(
            f"CREATE TRIGGER IF NOT EXISTS {_trigger(t)}_{event.lower()} BEFORE {event} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for t in tables
            for event in ("UPDATE", "DELETE")
        )
    return ()


def remove_sql(vendor: str, tables: tuple[str, ...] = TABLES) -> tuple[str, ...]:
    """Statements that drop the triggers on ``tables`` for ``vendor``."""
    if vendor == "postgresql":
        drops = tuple(f"DROP TRIGGER IF EXISTS {_trigger(t)} ON {t}" for t in tables)
        # The function goes only with the last trigger that uses it.
        return (*drops, f"DROP FUNCTION IF EXISTS {NAME}()") if tables == TABLES else drops
    if vendor == "sqlite":
        return tuple(
            f"DROP TRIGGER IF EXISTS {_trigger(t)}_{e}"
            for t in tables
            for e in ("update", "delete")
        )
    return ()


def install(connection: Any, tables: tuple[str, ...] = TABLES) -> None:
    """Create the append-only triggers on ``connection`` (a Django database connection)."""
    with connection.cursor() as cursor:
        for sql in install_sql(connection.vendor, tables):
            cursor.execute(sql)


def remove(connection: Any, tables: tuple[str, ...] = TABLES) -> None:
    """Drop the append-only triggers on ``connection``."""
    with connection.cursor() as cursor:
        for sql in remove_sql(connection.vendor, tables):
            cursor.execute(sql)


def installed(connection: Any) -> bool:
    """Whether every append-only trigger exists (and, on PostgreSQL, is enabled)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgenabled <> 'D' AND (t.tgname, c.relname) IN "
                + "("
                + ", ".join("(%s, %s)" for _ in TABLES)
                + ")",
                [x for t in TABLES for x in (_trigger(t), t)],
            )
            return bool(cursor.fetchone()[0] == len(TABLES))
        if connection.vendor == "sqlite":
            names = [f"{_trigger(t)}_{e}" for t in TABLES for e in ("update", "delete")]
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ("
                + ", ".join("%s" for _ in names)
                + ")",
                names,
            )
            return bool(cursor.fetchone()[0] == len(names))
    return False
