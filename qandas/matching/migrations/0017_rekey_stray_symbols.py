"""Rebuild the search keys and romanised names of the people one of whose names has a
symbol stuck to a word (``Kairat😀``, ``Aigul?``), or the Arabic comma or semicolon or
the Japanese double hyphen between words: the symbol is no longer part of the word, and
those marks part words. Only they are keyed again, with the rules of the code being migrated to, and listed for
the duplicate review to compare again; nobody else's keys change."""

import unicodedata
from collections import defaultdict

from django.db import migrations

CHUNK = 500


def _touched(text):
    from qandas.matching.keys import STRAY, STRAY_CATEGORIES, normalise

    return any(
        c in STRAY or c in "،؛゠" or unicodedata.category(c) in STRAY_CATEGORIES
        for c in normalise(text)
    )


def rekey_stray(apps, schema_editor):
    from qandas.matching.index import person_keys, romanised_names

    Name = apps.get_model("people", "Name")
    Person = apps.get_model("people", "Person")
    NameKey = apps.get_model("matching", "NameKey")
    PairsStale = apps.get_model("matching", "PairsStale")
    live = Name.objects.filter(person__redacted_at__isnull=True, person__merged_into__isnull=True)
    touched = sorted(
        {
            pk
            for pk, text in live.values_list("person_id", "text").iterator(chunk_size=5000)
            if _touched(text)
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
            found = person_keys(texts[pk])
            year = born.year if born else None
            rows.extend(
                NameKey(organisation_id=organisation_id, person_id=pk, key=key, born=year)
                for key in sorted(found)
            )
            Person.objects.filter(pk=pk).update(romanised=romanised_names(found))
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(rows, batch_size=2000)
        PairsStale.objects.bulk_create([PairsStale(person_id=pk) for pk in ids])


class Migration(migrations.Migration):
    dependencies = [("matching", "0016_fill_person_romanised")]

    operations = [migrations.RunPython(rekey_stray, migrations.RunPython.noop)]
