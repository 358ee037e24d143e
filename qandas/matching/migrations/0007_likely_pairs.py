"""The duplicate review's queue is kept in a table, not found again on every visit.

Every live person is listed as stale, so that ``refresh_duplicates`` (run by bin/run
every minute, by hand or by cron in production) finds their pairs once.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def all_stale(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    PairsStale = apps.get_model("matching", "PairsStale")
    quote = schema_editor.quote_name
    # Table and column names from the models; one statement, however many people.
    schema_editor.execute(
        f"INSERT INTO {quote(PairsStale._meta.db_table)} ({quote('person_id')}) "  # noqa: S608
        f"SELECT {quote('id')} FROM {quote(Person._meta.db_table)} "
        f"WHERE {quote('redacted_at')} IS NULL AND {quote('merged_into_id')} IS NULL"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_users_organisations_memberships_tokens"),
        ("matching", "0006_rekey_spelling_alternates"),
        ("people", "0006_person_merged_into"),
    ]

    operations = [
        migrations.CreateModel(
            name="PairsStale",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="LikelyPair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.FloatField()),
                ("found_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "first",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "second",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["organisation", "-score"], name="likely_pair_org_score")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("first", "second"), name="likely_pair_once"),
                    models.CheckConstraint(
                        condition=models.Q(("first__lt", models.F("second"))),
                        name="likely_pair_ordered",
                    ),
                ],
            },
        ),
        migrations.RunPython(all_stale, migrations.RunPython.noop),
    ]
