"""SPO applications, terms and breaches sealed (ADR 0044): grounds, interim reasoning, the
court, the s.1(3) and s.2(3) reasons under a key of the case and of each log the grounds
cite; terms' words, places and coordinates, breach accounts and crime references, status
notes, outcome reasons and the station a notification was given at under the case's key.
Existing rows are sealed, then the clear columns dropped."""

from django.db import migrations, models

SEALED = {  # model: (path to the case, {field: its value when empty})
    "Application": ("case", {"grounds": {}, "interim_reasoning": "", "court": "",
                             "defendant_area_reasons": "", "conflicts_considered": ""}),
    "ApplicationStatusChange": ("application__case", {"note": ""}),
    "Breach": ("case", {"account": "", "crime_reference": ""}),
    "BreachOutcome": ("breach__case", {"reason": ""}),
    "NotificationEvent": ("application__case", {"station": ""}),
    "Term": (None, {"details": "", "necessity": "", "place": "", "place_lat": None,
                    "place_lon": None, "exception": "", "area": None, "centre_lat": None,
                    "centre_lon": None}),
}


def cited_vaults(grounds):
    return sorted({str(item["vault"]) for ground in (grounds or {}).values()
                   if isinstance(ground, dict)
                   for item in ground.get("evidence") or [] if item.get("vault")})


def case_id_of(row, path):
    if path is None:  # a term: of an application, or of an order made on one
        return (row.application if row.application_id else row.order.application).case_id
    *through, last = path.split("__")
    for name in through:
        row = getattr(row, name)
    return getattr(row, f"{last}_id")


def seal_existing(apps, schema_editor):
    from cairn.store.keys import KeyUnavailable
    from cairn.store.sealed import seal_case_row

    for name, (path, fields) in SEALED.items():
        model = apps.get_model("orders", name)
        for row in model.objects.iterator():
            values = {field: empty if getattr(row, field) is None else getattr(row, field)
                      for field, empty in fields.items()}
            vaults = cited_vaults(values["grounds"]) if name == "Application" else []
            case_id = case_id_of(row, path)
            try:
                row.sealed = seal_case_row(model, row.pk, case_id, vaults, values)
            except KeyUnavailable:  # a cited log was destroyed: what quoted it goes with it
                values["grounds"] = {}
                vaults = []
                row.sealed = seal_case_row(model, row.pk, case_id, vaults, values)
            row.quoted_vaults = vaults
            row.save(update_fields=["sealed", "quoted_vaults"])


def sealed_columns(model_name):
    return [
        migrations.AddField(model_name=model_name, name='quoted_vaults',
                            field=models.JSONField(blank=True, default=list, editable=False)),
        migrations.AddField(model_name=model_name, name='sealed',
                            field=models.BinaryField(default=b'', editable=False)),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_order_types_and_court_made_orders'),
        ('store', '0003_case_keys'),
    ]

    operations = [
        *[op for name in SEALED for op in sealed_columns(name.lower())],
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        *[migrations.RemoveField(model_name=name.lower(), name=field)
          for name, (_path, fields) in SEALED.items() for field in fields],
    ]
