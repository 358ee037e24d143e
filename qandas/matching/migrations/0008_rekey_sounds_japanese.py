"""Rebuild the search keys: the key rules changed (a ``v:`` key of how a token and a name
run together sound, Japanese syllables as Kunrei spells them, case and Slavic adjective
endings), and list every person for the duplicate review to compare again."""

from importlib import import_module

from django.db import migrations

# The rebuild of 0005 keys every name with the rules of the code being migrated to.
rekey = import_module("qandas.matching.migrations.0005_one_key_row_per_person").rekey
all_stale = import_module("qandas.matching.migrations.0007_likely_pairs").all_stale


class Migration(migrations.Migration):
    dependencies = [("matching", "0007_likely_pairs")]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.RunPython(all_stale, migrations.RunPython.noop),
    ]
