"""Document numbers are compared with the digits of any script as 0-9
(``lib.numbers.number_key``): a number written in Urdu digits is keyed again."""

from django.db import migrations

CHUNK = 5000


def key_again(apps, schema_editor):
    from qandas.lib.numbers import number_key

    Document = apps.get_model("documents", "Document")
    numbered = (
        Document.objects.exclude(number="").order_by("pk").values_list("pk", "number", "number_key")
    )
    changed = [
        (pk, key)
        for pk, number, old in numbered.iterator(chunk_size=CHUNK)
        if (key := number_key(number)) != old
    ]
    for pk, key in changed:
        Document.objects.filter(pk=pk).update(number_key=key)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_document_number_key")]

    operations = [migrations.RunPython(key_again, migrations.RunPython.noop)]
