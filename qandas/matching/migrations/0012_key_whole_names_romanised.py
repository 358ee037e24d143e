"""Rebuild the search keys: every name gets an ``n:`` key, its romanised tokens in
alphabetical order, which ``match_list`` compares spellings by. Duplicate pairs are
found without it, so the review need not compare everyone again."""

from importlib import import_module

from django.db import migrations

# The rebuild of 0005 keys every name with the rules of the code being migrated to.
rekey = import_module("qandas.matching.migrations.0005_one_key_row_per_person").rekey


class Migration(migrations.Migration):
    dependencies = [("matching", "0011_rekey_more_spellings")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
