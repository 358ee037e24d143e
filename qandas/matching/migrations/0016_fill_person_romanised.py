"""Fill ``Person.romanised`` from each person's romanised name keys (``n:``): the search
reads it with the access gate, one row a person, and no longer from the keys."""

from django.db import migrations

CHUNK = 5000

# Only table names are formatted in. COLLATE "C" orders as Python's sorted() does, as
# matching.index.romanised_names writes them.
FILL_POSTGRESQL = """
UPDATE {person} p SET romanised = s.names FROM (
    SELECT person_id, STRING_AGG(SUBSTR(key, 3), E'\\n' ORDER BY key COLLATE "C") AS names
    FROM {key} WHERE key LIKE %s GROUP BY person_id
) s WHERE s.person_id = p.id
"""


def fill_romanised(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    NameKey = apps.get_model("matching", "NameKey")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    person, key = quote(Person._meta.db_table), quote(NameKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(FILL_POSTGRESQL.format(person=person, key=key), ["n:%"])
            return
        cursor.execute(
            f"SELECT person_id, SUBSTR(key, 3) FROM {key} "  # noqa: S608
            "WHERE key >= 'n:' AND key < 'n;' ORDER BY person_id, key"
        )
        names = {}
        for pk, text in cursor.fetchall():
            before = names.get(pk)
            names[pk] = text if before is None else f"{before}\n{text}"
        rows = [(text, pk) for pk, text in names.items()]
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(
                f"UPDATE {person} SET romanised = %s WHERE id = %s",  # noqa: S608
                rows[start : start + CHUNK],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0015_rekey_letterless_pieces"),
        ("people", "0007_person_romanised"),
    ]

    operations = [migrations.RunPython(fill_romanised, migrations.RunPython.noop)]
