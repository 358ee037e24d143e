from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0006_person_merged_into")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="romanised",
            field=models.TextField(blank=True, default="", editable=False),
        ),
    ]
