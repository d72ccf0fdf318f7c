# The breach models move here from cairn.orders (ADR 0055). Only Django's picture of the models
# changes: the tables stay as they were (orders_breach, orders_breachoutcome), because every
# sealed value is bound to its table's name, and no row is copied or altered.

import cairn.store.sealed
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def _content_types_follow(apps, schema_editor):
    """Any content type rows Django made for the models under their old app now name this
    one (they are created after migrating, so a new database has none to move)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("breach", "breachoutcome"):
        if not content_type.objects.filter(app_label="breaches", model=model).exists():
            content_type.objects.filter(app_label="orders", model=model).update(
                app_label="breaches"
            )


def _content_types_go_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="breaches").update(app_label="orders")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0009_seal_police_side_of_cases'),
        ('orders', '0007_seal_applications_terms_breaches'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('vault', '0003_person_combined_with'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Breach',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('kind', models.CharField(choices=[('breach', 'Breach of the order'), ('notification_failure', 'Failure to notify (s.11)')], default='breach', max_length=24)),
                        ('source', models.CharField(choices=[('victim', 'Reported by the victim'), ('officer', 'Recorded by an officer')], max_length=8)),
                        ('occurred_at', models.DateTimeField()),
                        ('sealed', models.BinaryField(default=b'')),
                        ('quoted_vaults', models.JSONField(blank=True, default=list, editable=False)),
                        ('outcome', models.CharField(blank=True, choices=[('arrested', 'Arrested'), ('voluntary_interview', 'Interviewed under caution'), ('charged', 'Charged'), ('summonsed', 'Summonsed'), ('cautioned', 'Cautioned'), ('no_further_action', 'No further action'), ('convicted', 'Convicted'), ('acquitted', 'Acquitted')], max_length=24)),
                        ('reported_at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='breaches', to='cases.case')),
                        ('incident', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.incident')),
                        ('notification', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='failures', to='orders.notificationevent')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='breaches', to='orders.order')),
                        ('reported_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('term', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='breaches', to='orders.term')),
                        ('vault', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.vault')),
                    ],
                    options={
                        'db_table': 'orders_breach',
                        'ordering': ['-occurred_at', '-reported_at'],
                    },
                    bases=(cairn.store.sealed.CaseSealedFields, models.Model),
                ),
                migrations.CreateModel(
                    name='BreachOutcome',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('outcome', models.CharField(choices=[('arrested', 'Arrested'), ('voluntary_interview', 'Interviewed under caution'), ('charged', 'Charged'), ('summonsed', 'Summonsed'), ('cautioned', 'Cautioned'), ('no_further_action', 'No further action'), ('convicted', 'Convicted'), ('acquitted', 'Acquitted')], max_length=24)),
                        ('on', models.DateField()),
                        ('sealed', models.BinaryField(default=b'')),
                        ('quoted_vaults', models.JSONField(blank=True, default=list, editable=False)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('breach', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outcomes', to='breaches.breach')),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'orders_breachoutcome',
                        'ordering': ['on', 'at', 'id'],
                    },
                    bases=(cairn.store.sealed.CaseSealedFields, models.Model),
                ),
                migrations.AddIndex(
                    model_name='breach',
                    index=models.Index(fields=['case', 'reported_at'], name='orders_brea_case_id_b14d0a_idx'),
                ),
                migrations.AddConstraint(
                    model_name='breach',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('incident__isnull', False), ('source', 'victim'), ('vault__isnull', False)), ('source', 'officer'), _connector='OR'), name='spo_breach_victim_has_incident'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_types_follow, _content_types_go_back),
    ]
