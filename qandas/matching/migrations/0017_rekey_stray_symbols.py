"""Rebuild the search keys and romanised names of the people one of whose names has a
symbol stuck to a word (``Kairat😀``, ``Aigul?``), or the Arabic comma or semicolon or
the Japanese double hyphen between words: the symbol is no longer part of the word, and
those marks part words. Only they are keyed again, with the rules of the code being
migrated to, and listed for the duplicate review to compare again; nobody else's keys
change."""

from django.db import migrations

from ._rekey import rekey_people


def _touched(text):
    from qandas.matching.keys import normalise, stray

    return any(stray(c) or c in "،؛゠" for c in normalise(text))


def rekey_stray(apps, schema_editor):
    rekey_people(apps, _touched, romanised=True)


class Migration(migrations.Migration):
    dependencies = [("matching", "0016_fill_person_romanised")]

    operations = [migrations.RunPython(rekey_stray, migrations.RunPython.noop)]
