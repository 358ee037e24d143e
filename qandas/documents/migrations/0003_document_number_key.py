"""Documents keep their number as numbers are compared (``lib.numbers.number_key``),
indexed, so that a search given a number finds its holders however it was written."""

from django.conf import settings
from django.db import migrations, models

CHUNK = 5000


def key_numbers(apps, schema_editor):
    from qandas.lib.numbers import number_key

    Document = apps.get_model("documents", "Document")
    quote = schema_editor.quote_name
    # Table and column names from the model; every value is a parameter.
    sql = (
        f"UPDATE {quote(Document._meta.db_table)} SET {quote('number_key')} = %s "  # noqa: S608
        f"WHERE {quote('id')} = %s"
    )
    numbered = Document.objects.exclude(number="").order_by("pk").values_list("pk", "number")
    rows = [(number_key(number), pk) for pk, number in numbered.iterator(chunk_size=CHUNK)]
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_users_organisations_memberships_tokens"),
        ("documents", "0002_longer_content_type"),
        ("people", "0006_person_merged_into"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="number_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.RunPython(key_numbers, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["number_key"], name="document_number_key"),
        ),
    ]
