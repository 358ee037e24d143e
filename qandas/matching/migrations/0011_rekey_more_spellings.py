"""Rebuild the search keys: Polish daughters' and wives' forms key their stem, a Latin
mark read as two letters is also keyed as typed without it, a Cyrillic й before a vowel
is also y, Arabic-script ع is read as alef and y, w after a consonant also as i, u; list
every person for the duplicate review to compare again."""

from importlib import import_module

from django.db import migrations

# 0009's two steps: key every name with the rules of the code being migrated to, then
# mark everyone stale for the duplicate review.
REKEY = import_module("qandas.matching.migrations.0009_rekey_polish_endings").Migration.operations


class Migration(migrations.Migration):
    dependencies = [("matching", "0010_key_rows_without_autoincrement")]

    operations = REKEY
