"""One data key per case, wrapped by the KEK, for the police side's sealed fields (ADR 0044)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_share_defendant'),
        ('store', '0002_credential_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseKey',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='key', serialize=False, to='cases.case')),
                ('wrapped', models.BinaryField()),
                ('kek_id', models.CharField(help_text='Which KEK wrapped it (a public name).', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
