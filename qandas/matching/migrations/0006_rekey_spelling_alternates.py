"""Rebuild the search keys: the key rules changed (spellings of other orthographies are
keyed too, дз is z, the h of kh and sh is kept at the end of a name)."""

from importlib import import_module

from django.db import migrations

# The rebuild of 0005 keys every name with the rules of the code being migrated to.
rekey = import_module("qandas.matching.migrations.0005_one_key_row_per_person").rekey


class Migration(migrations.Migration):
    dependencies = [("matching", "0005_one_key_row_per_person")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
