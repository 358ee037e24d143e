"""The key index by person gets the key too (``NameKey``), in place of the person alone.

Only the index changes. Django would alter the field by copying the whole table on SQLite
(millions of rows in a large registry), so the old index is dropped by hand, found by its
column (its name was generated), and the field's state changed alone.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "matching_namekey"


def _indexes_of_person_alone(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, about in constraints.items()
        if about["index"] and not about["primary_key"] and about["columns"] == ["person_id"]
    ]


def drop_person_index(apps, schema_editor):
    for name in _indexes_of_person_alone(schema_editor):
        schema_editor.execute(
            schema_editor.sql_delete_index
            % {
                "table": schema_editor.quote_name(TABLE),
                "name": schema_editor.quote_name(name),
            }
        )


def create_person_index(apps, schema_editor):
    if _indexes_of_person_alone(schema_editor):
        return
    model = apps.get_model("matching", "NameKey")
    field = model._meta.get_field("person")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_users_organisations_memberships_tokens"),
        ("matching", "0013_key_rows_hold_birth_year"),
        ("people", "0006_person_merged_into"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="namekey",
                    name="person",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_person_index, create_person_index, elidable=False),
            ],
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(fields=["person", "key"], name="namekey_person_key"),
        ),
    ]
