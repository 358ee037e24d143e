"""Lists are matched by a background task: each upload says how far its matching is.

The lists uploaded before were matched as they were uploaded: they are ``done``, with
every row matched. A new upload starts ``queued``.
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def all_matched(apps, schema_editor):  # type: ignore[no-untyped-def]
    ListUpload = apps.get_model("matching", "ListUpload")
    ListRow = apps.get_model("matching", "ListRow")
    rows = (
        ListRow.objects.filter(upload=OuterRef("pk"))
        .order_by()
        .values("upload")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ListUpload.objects.update(
        matched_rows=Coalesce(Subquery(rows), 0), match_moved_at=models.F("uploaded_at")
    )


STATES = [
    ("queued", "Waiting to be matched"),
    ("matching", "Being matched"),
    ("done", "Matched"),
    ("failed", "Matching failed"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0017_rekey_stray_symbols"),
    ]

    operations = [
        migrations.AddField(
            model_name="listupload",
            name="match_moved_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="listupload",
            name="match_state",
            field=models.CharField(choices=STATES, default="done", editable=False, max_length=8),
        ),
        migrations.AlterField(
            model_name="listupload",
            name="match_state",
            field=models.CharField(choices=STATES, default="queued", editable=False, max_length=8),
        ),
        migrations.AddField(
            model_name="listupload",
            name="matched_rows",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(all_matched, migrations.RunPython.noop),
    ]
