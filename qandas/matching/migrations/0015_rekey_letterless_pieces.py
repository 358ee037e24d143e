"""Rebuild the search keys of the people one of whose names has a piece without a letter
(``Kairat 2``, an emoji): such a piece is no longer keyed. Only they are keyed again, with
the rules of the code being migrated to, and listed for the duplicate review to compare
again; nobody else's keys change."""

from collections import defaultdict

from django.db import migrations

CHUNK = 500


def _letterless(text):
    from qandas.lib.scripts import has_letter
    from qandas.matching.keys import SPLIT, normalise

    return any(piece and not has_letter(piece) for piece in SPLIT.split(normalise(text)))


def rekey_letterless(apps, schema_editor):
    from qandas.matching.keys import name_keys

    Name = apps.get_model("people", "Name")
    Person = apps.get_model("people", "Person")
    NameKey = apps.get_model("matching", "NameKey")
    PairsStale = apps.get_model("matching", "PairsStale")
    live = Name.objects.filter(person__redacted_at__isnull=True, person__merged_into__isnull=True)
    touched = sorted(
        {
            pk
            for pk, text in live.values_list("person_id", "text").iterator(chunk_size=5000)
            if _letterless(text)
        }
    )
    for start in range(0, len(touched), CHUNK):
        ids = touched[start : start + CHUNK]
        texts = defaultdict(list)
        for pk, text in live.filter(person_id__in=ids).values_list("person_id", "text"):
            texts[pk].append(text)
        rows = []
        people = Person.objects.filter(pk__in=ids)
        for pk, organisation_id, born in people.values_list("pk", "organisation_id", "birth_date"):
            found = set()
            for text in texts[pk]:
                found |= name_keys(text)
            year = born.year if born else None
            rows.extend(
                NameKey(organisation_id=organisation_id, person_id=pk, key=key, born=year)
                for key in sorted(found)
            )
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(rows, batch_size=2000)
        PairsStale.objects.bulk_create([PairsStale(person_id=pk) for pk in ids])


class Migration(migrations.Migration):
    dependencies = [("matching", "0014_namekey_person_key_index")]

    operations = [migrations.RunPython(rekey_letterless, migrations.RunPython.noop)]
