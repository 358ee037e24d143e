"""Rebuild the search keys of the people one of whose names has a piece without a letter
(``Kairat 2``, an emoji): such a piece is no longer keyed. Only they are keyed again, with
the rules of the code being migrated to, and listed for the duplicate review to compare
again; nobody else's keys change."""

from django.db import migrations

from ._rekey import rekey_people


def _letterless(text):
    from qandas.lib.scripts import has_letter
    from qandas.matching.keys import SPLIT, normalise

    return any(piece and not has_letter(piece) for piece in SPLIT.split(normalise(text)))


def rekey_letterless(apps, schema_editor):
    rekey_people(apps, _letterless, romanised=False)


class Migration(migrations.Migration):
    dependencies = [("matching", "0014_namekey_person_key_index")]

    operations = [migrations.RunPython(rekey_letterless, migrations.RunPython.noop)]
