"""What the migrations that key some people again share (Django loads no migration from a
module whose name starts with "_")."""

from collections import defaultdict

CHUNK = 500


def rekey_people(apps, touched, *, romanised):
    """Key again, with the rules of the code being migrated to, the live people whose
    names ``touched(text)`` says changed, and list them for the duplicate review.
    ``romanised``: write their ``Person.romanised`` too (once the column exists)."""
    from qandas.matching.index import person_keys, romanised_names

    Name = apps.get_model("people", "Name")
    Person = apps.get_model("people", "Person")
    NameKey = apps.get_model("matching", "NameKey")
    PairsStale = apps.get_model("matching", "PairsStale")
    live = Name.objects.filter(person__redacted_at__isnull=True, person__merged_into__isnull=True)
    ids_touched = sorted(
        {
            pk
            for pk, text in live.values_list("person_id", "text").iterator(chunk_size=5000)
            if touched(text)
        }
    )
    for start in range(0, len(ids_touched), CHUNK):
        ids = ids_touched[start : start + CHUNK]
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
            if romanised:
                Person.objects.filter(pk=pk).update(romanised=romanised_names(found))
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(rows, batch_size=2000)
        PairsStale.objects.bulk_create([PairsStale(person_id=pk) for pk in ids])
