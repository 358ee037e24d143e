"""Rebuild the search keys and romanised names of the people one of whose names writes a
patronymic's ending apart from the father's name (``Marat uly``, ``Марат ұлы``,
``Marat-ovich``): it is now joined to it, and set aside as ``Maratuly`` is, instead of the
father's name being left over as a word. Only they are keyed again, with the rules of the
code being migrated to, and listed for the duplicate review to compare again."""

from django.db import migrations

from ._rekey import rekey_people


def _touched(text):
    from qandas.matching.keys import PATRONYMIC_WORDS, SPLIT, bare, folded, romanise, unify

    return any(
        len(word) <= 5 and romanise(unify(word)) in PATRONYMIC_WORDS
        for word in map(bare, SPLIT.split(folded(text)))
    )


def rekey_patronymics(apps, schema_editor):
    rekey_people(apps, _touched, romanised=True)


class Migration(migrations.Migration):
    dependencies = [("matching", "0018_list_matching_in_background")]

    operations = [migrations.RunPython(rekey_patronymics, migrations.RunPython.noop)]
