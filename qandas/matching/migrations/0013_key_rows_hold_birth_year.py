"""Each key row holds its person's birth year, so that a search given a birth year finds
who of everyone sharing a key was born near it in the key index alone."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import ExtractYear


def copy_birth_years(apps, schema_editor):
    """One statement: every key row takes its person's birth year (None without one)."""
    NameKey = apps.get_model("matching", "NameKey")
    Person = apps.get_model("people", "Person")
    year = Person.objects.filter(pk=OuterRef("person_id")).annotate(year=ExtractYear("birth_date"))
    NameKey.objects.update(born=Subquery(year.values("year")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_users_organisations_memberships_tokens"),
        ("matching", "0012_key_whole_names_romanised"),
        ("people", "0006_person_merged_into"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="namekey", name="namekey_key_org_person"),
        migrations.AddField(
            model_name="namekey",
            name="born",
            field=models.SmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(copy_birth_years, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(
                fields=["key", "organisation", "person", "born"],
                name="namekey_key_org_person_born",
            ),
        ),
    ]
