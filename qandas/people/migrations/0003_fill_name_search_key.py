"""Fill the search key of names saved before it existed."""

from django.db import migrations


def fill(apps, schema_editor):
    Name = apps.get_model("people", "Name")
    for name in Name.objects.filter(folded="").iterator():
        name.folded = name.text.casefold()
        name.save(update_fields=["folded"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_name_search_key")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
