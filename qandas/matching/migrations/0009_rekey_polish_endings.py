"""Rebuild the search keys: a family name ending -owna, -owa or -ow (Polish women's
forms, the Polish and German -ov) is keyed by its stem too; list every person for the
duplicate review to compare again."""

from importlib import import_module

from django.db import migrations

# The rebuild of 0005 keys every name with the rules of the code being migrated to.
rekey = import_module("qandas.matching.migrations.0005_one_key_row_per_person").rekey
all_stale = import_module("qandas.matching.migrations.0007_likely_pairs").all_stale


class Migration(migrations.Migration):
    dependencies = [("matching", "0008_rekey_sounds_japanese")]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.RunPython(all_stale, migrations.RunPython.noop),
    ]
