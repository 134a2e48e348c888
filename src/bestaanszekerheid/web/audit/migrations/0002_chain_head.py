"""Create the single chain-head row up front, so concurrent first writers cannot race."""

from __future__ import annotations

from typing import Any

from django.db import migrations

GENESIS = "0" * 64


def create_head(apps: Any, schema_editor: Any) -> None:
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})


class Migration(migrations.Migration):
    dependencies = (("audit", "0001_initial"),)

    operations = (migrations.RunPython(create_head, migrations.RunPython.noop),)
