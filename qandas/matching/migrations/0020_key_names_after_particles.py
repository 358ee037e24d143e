"""Key again the people one of whose names joins a particle to the name after it
(``Abdul Latif``, ``Abdurrahman``, ``Abu Bakr``): that name is now keyed by itself too
(``keys.after_prefix``), so that ``Latif`` finds ``Abdul Latif``. Their romanised names do
not change. Only they are keyed again, with the rules of the code being migrated to, and
listed for the duplicate review to compare again."""

from django.db import migrations

from ._rekey import rekey_people


def _touched(text):
    from qandas.matching.keys import after_prefix, analyse

    return any(after_prefix(token.rom) for token in analyse(text))


def key_names_after_particles(apps, schema_editor):
    rekey_people(apps, _touched, romanised=False)


class Migration(migrations.Migration):
    dependencies = [("matching", "0019_rekey_patronymics_apart")]

    operations = [migrations.RunPython(key_names_after_particles, migrations.RunPython.noop)]
