"""Suspects' names, dates of birth and identifiers, and the case timeline's text, sealed under
the case's key (ADR 0040): existing rows are sealed, then the clear columns dropped."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from cairn.store.sealed import seal_case_row

    CaseSuspect = apps.get_model("cases", "CaseSuspect")
    for suspect in CaseSuspect.objects.iterator():
        values = {"name": suspect.name, "identifiers": suspect.identifiers or [],
                  "date_of_birth": (suspect.date_of_birth.isoformat()
                                    if suspect.date_of_birth else None)}
        suspect.sealed = seal_case_row(CaseSuspect, suspect.pk, suspect.case_id, [], values)
        suspect.save(update_fields=["sealed"])
    CaseEntry = apps.get_model("cases", "CaseEntry")
    for entry in CaseEntry.objects.iterator():
        entry.sealed = seal_case_row(CaseEntry, entry.pk, entry.case_id, [], {"text": entry.text})
        entry.save(update_fields=["sealed"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_share_defendant'),
        ('store', '0003_case_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='caseentry',
            name='quoted_vaults',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='caseentry',
            name='sealed',
            field=models.BinaryField(default=b'', editable=False),
        ),
        migrations.AddField(
            model_name='casesuspect',
            name='quoted_vaults',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='casesuspect',
            name='sealed',
            field=models.BinaryField(default=b'', editable=False),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name='caseentry', name='text'),
        migrations.RemoveField(model_name='casesuspect', name='date_of_birth'),
        migrations.RemoveField(model_name='casesuspect', name='identifiers'),
        migrations.RemoveField(model_name='casesuspect', name='name'),
    ]
