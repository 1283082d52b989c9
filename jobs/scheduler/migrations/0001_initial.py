from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="EntrySchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entry", models.CharField(max_length=63, unique=True)),
                ("last_schedule_time", models.DateTimeField()),
                (
                    "fired_by",
                    models.CharField(blank=True, help_text="Host and process id.", max_length=253),
                ),
            ],
        ),
    ]
