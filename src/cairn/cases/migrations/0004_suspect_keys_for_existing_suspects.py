"""Keyed hashes for the suspects recorded before cross-case links existed (ADR 0018)."""

from django.db import migrations


def write_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cairn.cases.links import key_hash, suspect_values

    CaseSuspect = apps.get_model("cases", "CaseSuspect")
    SuspectKey = apps.get_model("cases", "SuspectKey")
    rows = []
    for suspect in CaseSuspect.objects.select_related("case").iterator():
        organisation_id = suspect.case.organisation_id
        rows += [SuspectKey(organisation_id=organisation_id, case_id=suspect.case_id,
                            suspect=suspect, kind=kind,
                            key_hash=key_hash(organisation_id, kind, value))
                 for kind, value in sorted(suspect_values(suspect))]
    SuspectKey.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [("cases", "0003_closure_sign_offs_reopen_requests_suspect_keys")]

    operations = [migrations.RunPython(write_keys, migrations.RunPython.noop)]
