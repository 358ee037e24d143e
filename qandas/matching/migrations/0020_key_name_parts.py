"""Key again the people one of whose names joins a particle to a name (``Abdul Latif``,
``Abdurrahman``, ``Nizam ud-Din``, ``Saifullah``): the name without it is now keyed by
itself too (``keys.name_part``), so that ``Latif`` finds ``Abdul Latif`` and ``Nizam``
finds ``Nizam ud-Din``. Their romanised names do not change. Only they are keyed again,
with the rules of the code being migrated to, and listed for the duplicate review to
compare again."""

from django.db import migrations

from ._rekey import rekey_people


def _touched(text):
    from qandas.matching.keys import analyse, name_part

    return any(name_part(token.rom) for token in analyse(text))


def key_name_parts(apps, schema_editor):
    rekey_people(apps, _touched, romanised=False)


class Migration(migrations.Migration):
    dependencies = [("matching", "0019_rekey_patronymics_apart")]

    operations = [migrations.RunPython(key_name_parts, migrations.RunPython.noop)]
