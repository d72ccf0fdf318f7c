"""The police side of a case sealed (ADR 0044): suspects' names, dates of birth and
identifiers, timeline entries, status notes, risk answers and summaries, review notes,
closure reasons, how a stalker was identified and the reasons for a right-to-know decision,
the agency and note of a referral. Existing rows are sealed under the case's key (risk answers from the
evidence also under the keys of the logs shared with the case), then the clear columns
dropped."""

from django.db import migrations, models

SEALED = {  # model: (path to the case, {field: its value when empty})
    "CaseSuspect": ("case", {"name": "", "identifiers": [], "date_of_birth": None}),
    "CaseEntry": ("case", {"text": ""}),
    "CaseStatusChange": ("case", {"note": ""}),
    "RiskAssessment": ("case", {"answers": {}, "summary": ""}),
    "RiskReview": ("assessment__case", {"note": ""}),
    "ClosureSignOff": ("case", {"reason": ""}),
    "RightToKnow": ("case", {"how_identified": "", "reasons": ""}),
    "Referral": ("case", {"agency": "", "note": ""}),
}


def case_id_of(row, path):
    *through, last = path.split("__")
    for name in through:
        row = getattr(row, name)
    return getattr(row, f"{last}_id")


def seal_existing(apps, schema_editor):
    from cairn.store.keys import KeyUnavailable
    from cairn.store.sealed import seal_case_row

    Share = apps.get_model("cases", "Share")
    for name, (path, fields) in SEALED.items():
        model = apps.get_model("cases", name)
        for row in model.objects.iterator():
            values = {field: getattr(row, field) or empty for field, empty in fields.items()}
            if name == "CaseSuspect" and row.date_of_birth:
                values["date_of_birth"] = row.date_of_birth.isoformat()
            vaults = []
            if name == "RiskAssessment" and row.prefilled:
                vaults = sorted(str(v) for v in Share.objects.filter(
                    case_id=row.case_id, withdrawn_at__isnull=True)
                    .values_list("vault_id", flat=True))
            case_id = case_id_of(row, path)
            try:
                row.sealed = seal_case_row(model, row.pk, case_id, vaults, values)
            except KeyUnavailable:  # a log shared then was destroyed since
                values["answers"] = {q: a for q, a in values["answers"].items()
                                     if q not in set(row.prefilled)}
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
        ('cases', '0008_right_to_know_and_referrals'),
        ('store', '0003_case_keys'),
    ]

    operations = [
        *[op for name in SEALED for op in sealed_columns(name.lower())],
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        *[migrations.RemoveField(model_name=name.lower(), name=field)
          for name, (_path, fields) in SEALED.items() for field in fields],
    ]
