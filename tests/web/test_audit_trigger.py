"""The database itself refuses UPDATE and DELETE on the audit table (PostgreSQL and SQLite)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit import db_triggers
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.audit.service import record, seal_all, verify_chain

from .factories import make_user
from .tampering import audit_trigger_lifted

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def _execute(sql: str, params: list[object] | None = None) -> None:
    # A savepoint, so the refused statement does not abort the test's transaction (PostgreSQL).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_trigger_is_installed_by_the_migrations() -> None:
    assert db_triggers.TABLE == TABLE
    assert db_triggers.installed(connection)


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET purpose = 'iets anders' WHERE id = %s",
        f"UPDATE {TABLE} SET actor_id = NULL WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_raw_update_and_delete_are_refused(sql: str) -> None:
    events = [record(None, "read", f"item-{i}") for i in range(3)]
    with pytest.raises(IntegrityError, match="alleen-toevoegen"):
        _execute(sql, [events[1].pk])
    assert list(AuditEvent.objects.values_list("purpose", flat=True)) == ["begeleiding"] * 3
    seal_all()
    assert verify_chain().ok and verify_chain().checked == 3


def test_delete_without_where_is_refused() -> None:
    record(None, "read", "item")
    with pytest.raises(IntegrityError):
        _execute(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == 1


def test_inserts_still_work_and_the_verify_command_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = make_user(Role.CONSULTANT)
    for i in range(4):
        record(user, "read", f"item-{i}")
    assert AuditEvent.objects.count() == 4
    seal_all()
    call_command("bsz_audit_verify")
    assert "4 gebeurtenissen gecontroleerd" in capsys.readouterr().out


def test_staff_account_with_audit_history_cannot_be_deleted() -> None:
    user = make_user(Role.CONSULTANT)
    record(user, "read", "item")
    with pytest.raises(ProtectedError):
        user.delete()
    assert AuditEvent.objects.get().actor == user
    # An account without audit history can still go.
    other = make_user(Role.ANALYST)
    other.delete()


def test_lifting_the_trigger_puts_it_back() -> None:
    record(None, "read", "item")
    with audit_trigger_lifted():
        assert not db_triggers.installed(connection)
    assert db_triggers.installed(connection)
    with pytest.raises(IntegrityError):
        _execute(f"DELETE FROM {TABLE}")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_table_and_keeps_the_trigger() -> None:
    # Django's test runner flushes after transactional tests; on SQLite that deletes row by
    # row, so the audit app's flush lifts the trigger for it and puts it back.
    record(None, "read", "item")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert db_triggers.installed(connection)
