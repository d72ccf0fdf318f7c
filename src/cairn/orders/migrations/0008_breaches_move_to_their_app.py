# The breach models now belong to cairn.breaches (its migration 0001 takes them over). Only
# Django's picture of the models changes here: the tables and their rows stay as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0007_seal_applications_terms_breaches'),
        ('breaches', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='breachoutcome', name='breach'),
                migrations.RemoveField(model_name='breachoutcome', name='by'),
                migrations.DeleteModel(name='Breach'),
                migrations.DeleteModel(name='BreachOutcome'),
            ],
            database_operations=[],
        ),
    ]
