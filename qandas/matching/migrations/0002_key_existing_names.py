"""Key the names that were registered before the search index existed."""

from django.db import migrations


def key_all(apps, schema_editor):
    from qandas.matching.keys import name_keys

    Name = apps.get_model("people", "Name")
    NameKey = apps.get_model("matching", "NameKey")
    rows = []
    names = Name.objects.filter(person__redacted_at__isnull=True).values_list(
        "pk", "person_id", "person__organisation_id", "text"
    )
    for name_id, person_id, organisation_id, text in names.iterator(chunk_size=2000):
        rows.extend(
            NameKey(organisation_id=organisation_id, person_id=person_id, name_id=name_id, key=k)
            for k in sorted(name_keys(text))
        )
        if len(rows) >= 5000:
            NameKey.objects.bulk_create(rows)
            rows = []
    NameKey.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_name_keys")]

    operations = [migrations.RunPython(key_all, migrations.RunPython.noop)]
