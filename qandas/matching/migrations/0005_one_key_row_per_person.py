"""One key row per person and key, without the name: fewer rows and indexes to write.

An import of tens of thousands of people spent most of its time writing key rows into
five B-trees (the table, the key index and one index per foreign key) and checking
three foreign keys for each. The keys of a
person's names overlap (the same name in Latin and Cyrillic letters shares most of
them), and nothing reads which name a key came from: scoring works that out again.
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models


def rekey(apps, schema_editor):
    """Rebuild the keys, one row per person and key (the old rows repeat them)."""
    from qandas.matching.keys import name_keys

    Name = apps.get_model("people", "Name")
    NameKey = apps.get_model("matching", "NameKey")
    NameKey.objects.all().delete()
    texts = defaultdict(list)
    names = Name.objects.filter(
        person__redacted_at__isnull=True, person__merged_into__isnull=True
    ).values_list("person__organisation_id", "person_id", "text")
    for organisation_id, person_id, text in names.iterator(chunk_size=2000):
        texts[(organisation_id, person_id)].append(text)
    rows = []
    for (organisation_id, person_id), person_names in texts.items():
        found = set()
        for text in person_names:
            found |= name_keys(text)
        rows.extend(
            NameKey(organisation_id=organisation_id, person_id=person_id, key=key)
            for key in sorted(found)
        )
        if len(rows) >= 5000:
            NameKey.objects.bulk_create(rows)
            rows = []
    NameKey.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_users_organisations_memberships_tokens"),
        ("matching", "0004_longer_content_type"),
        ("people", "0006_person_merged_into"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="namekey", name="namekey_key_person"),
        migrations.RemoveField(model_name="namekey", name="name"),
        migrations.AlterField(
            model_name="namekey",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="namekey",
            name="person",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="people.person",
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(
                fields=["key", "organisation", "person"], name="namekey_key_org_person"
            ),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
