"""SPO applications' grounds and interim reasoning, and breaches' accounts and crime
references, sealed (ADR 0040): grounds under a key of the case and of each log they cite,
the rest under the case's key. Existing rows are sealed, then the clear columns dropped."""

from django.db import migrations, models


def cited_vaults(grounds):
    return sorted({str(item["vault"]) for ground in (grounds or {}).values()
                   if isinstance(ground, dict)
                   for item in ground.get("evidence") or [] if item.get("vault")})


def seal_existing(apps, schema_editor):
    from cairn.store.keys import KeyUnavailable
    from cairn.store.sealed import seal_case_row

    Application = apps.get_model("orders", "Application")
    for application in Application.objects.iterator():
        values = {"grounds": application.grounds or {},
                  "interim_reasoning": application.interim_reasoning}
        vaults = cited_vaults(values["grounds"])
        try:
            application.sealed = seal_case_row(Application, application.pk,
                                               application.case_id, vaults, values)
        except KeyUnavailable:  # a cited log was destroyed: what quoted it goes with it
            values["grounds"] = {}
            vaults = []
            application.sealed = seal_case_row(Application, application.pk,
                                               application.case_id, vaults, values)
        application.quoted_vaults = vaults
        application.save(update_fields=["sealed", "quoted_vaults"])
    Breach = apps.get_model("orders", "Breach")
    for breach in Breach.objects.iterator():
        breach.sealed = seal_case_row(Breach, breach.pk, breach.case_id, [],
                                      {"account": breach.account,
                                       "crime_reference": breach.crime_reference})
        breach.save(update_fields=["sealed"])


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_breaches'),
        ('store', '0003_case_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='quoted_vaults',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='application',
            name='sealed',
            field=models.BinaryField(default=b'', editable=False),
        ),
        migrations.AddField(
            model_name='breach',
            name='quoted_vaults',
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name='breach',
            name='sealed',
            field=models.BinaryField(default=b'', editable=False),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name='application', name='grounds'),
        migrations.RemoveField(model_name='application', name='interim_reasoning'),
        migrations.RemoveField(model_name='breach', name='account'),
        migrations.RemoveField(model_name='breach', name='crime_reference'),
    ]
