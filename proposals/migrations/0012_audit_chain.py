"""The audit table becomes an append-only hash chain, and issued letters are guarded by
database triggers (proposals.records.dbguards)."""

import hashlib

import django.utils.timezone
from django.db import migrations, models


def chain_existing_rows(apps, schema_editor):
    """Give the rows written before the chain their sequence numbers and hashes, in time order."""
    from proposals.models import GENESIS_HASH
    from proposals.models import AuditEvent as Current

    AuditEvent = apps.get_model("proposals", "AuditEvent")
    AuditHead = apps.get_model("proposals", "AuditHead")
    previous, sequence = GENESIS_HASH, 0
    for row in AuditEvent.objects.order_by("at", "pk").select_related("actor"):
        sequence += 1
        row.seq, row.prev_hash = sequence, previous
        row.actor_name = row.actor.username if row.actor_id else ""
        row.actor_role = getattr(row.actor, "role", "") if row.actor_id else ""
        row.hash = hashlib.sha256((previous + Current.canonical(row)).encode()).hexdigest()
        row.save(update_fields=["seq", "prev_hash", "hash", "actor_name", "actor_role"])
        previous = row.hash
    AuditHead.objects.update_or_create(pk=1, defaults={"sequence": sequence, "last_hash": previous})


def install_guards(apps, schema_editor):
    from proposals.records import dbguards

    dbguards.install(schema_editor.connection)


def remove_guards(apps, schema_editor):
    from proposals.records import dbguards

    dbguards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0011_assignment_changes"),
        ("measures", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(default="0" * 64, max_length=64)),
            ],
            options={"verbose_name": "审计链末端", "verbose_name_plural": "审计链末端"},
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["-seq"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="用户名"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_role",
            field=models.CharField(blank=True, max_length=20, verbose_name="角色"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一条摘要"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="摘要"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="event",
            field=models.CharField(db_index=True, max_length=50, verbose_name="事件"),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.RunPython(install_guards, remove_guards),
    ]
