"""The chain moves from the events to seals written by one sealer at a time (ADR 0053).

Existing events keep their hashes: each becomes a seal in the order of its id, with the
same previous hash and hash, so a log written before this migration still verifies. The
events table loses its two hash columns; SQLite rebuilds the table for that, which drops
its triggers, so they are put back (with the seals table's) at the end.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from bestaanszekerheid.web.audit import db_triggers

GENESIS = "0" * 64


def move_hashes(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    seal_model = apps.get_model("audit", "AuditSeal")
    head_model = apps.get_model("audit", "AuditChainHead")
    seals = []
    seq = 0
    rows = event_model.objects.order_by("id").values_list(
        "id", "previous_hash", "hash", "timestamp"
    )
    for event_id, previous, digest, when in rows.iterator(chunk_size=5000):
        seq += 1
        seals.append(
            seal_model(
                seq=seq, event_id=event_id, previous_hash=previous, hash=digest, sealed_at=when
            )
        )
        if len(seals) >= 5000:
            seal_model.objects.bulk_create(seals)
            seals = []
    seal_model.objects.bulk_create(seals)
    head_model.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
    head_model.objects.filter(pk=1).update(last_seq=seq)


def reinstall_triggers(apps: Any, schema_editor: Any) -> None:
    db_triggers.remove(schema_editor.connection)
    db_triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = (("audit", "0003_append_only_trigger"),)

    operations = (
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "seq",
                    models.BigIntegerField(
                        primary_key=True, serialize=False, verbose_name="volgnummer"
                    ),
                ),
                ("event_id", models.BigIntegerField(unique=True, verbose_name="gebeurtenis")),
                ("previous_hash", models.CharField(max_length=64, verbose_name="vorige hash")),
                ("hash", models.CharField(max_length=64, unique=True, verbose_name="hash")),
                ("sealed_at", models.DateTimeField(verbose_name="verzegeld op")),
            ],
            options={
                "verbose_name": "zegel in de auditketen",
                "verbose_name_plural": "zegels in de auditketen",
                "ordering": ("seq",),
            },
        ),
        migrations.CreateModel(
            name="PendingSeal",
            fields=[("event_id", models.BigIntegerField(primary_key=True, serialize=False))],
            options={"verbose_name": "nog te verzegelen gebeurtenis"},
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                ("verified_at", models.DateTimeField()),
                ("full", models.BooleanField(default=False)),
            ],
            options={
                "verbose_name": "controlepunt van de auditketen",
                "ordering": ("-seq", "-id"),
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_seq",
            field=models.BigIntegerField(default=0),
        ),
        # The old chain moves into the seals while the events still hold it; the triggers
        # refuse UPDATE and DELETE only, so reading and inserting are fine.
        migrations.RunPython(move_hashes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="auditevent", name="previous_hash"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    )
