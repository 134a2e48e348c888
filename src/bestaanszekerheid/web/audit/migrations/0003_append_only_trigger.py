"""Refuse UPDATE and DELETE on the audit table in the database itself (PostgreSQL, SQLite).

The statements live in :mod:`bestaanszekerheid.web.audit.db_triggers`, which the tests and
the ``flush`` command use too; change them only together with a new migration.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from bestaanszekerheid.web.audit import db_triggers


def install(apps: Any, schema_editor: Any) -> None:
    table = apps.get_model("audit", "AuditEvent")._meta.db_table
    if table != db_triggers.TABLE:  # pragma: no cover - guards a future db_table change
        raise RuntimeError(f"Audittabel heet {table}, de triggers verwachten {db_triggers.TABLE}.")
    db_triggers.install(schema_editor.connection, (db_triggers.TABLE,))


def remove(apps: Any, schema_editor: Any) -> None:
    db_triggers.remove(schema_editor.connection, (db_triggers.TABLE,))


class Migration(migrations.Migration):
    dependencies = (
        ("audit", "0002_chain_head"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    )

    operations = (
        # State only (on_delete is not a database property): accounts with audit history
        # cannot be deleted, because SET_NULL would update audit rows.
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="medewerker",
            ),
        ),
        migrations.RunPython(install, remove),
    )
