"""Sales damage claims on the shared claim receivable (1221 other receivables): the carrier as a
party, the recording and settlement entries, the settlement note, and the shared claim states.

Claims recorded before have no entry and settle without one (see `services.damages`), so no
data moves here."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_ledger_invoices_payments"),
        ("parties", "0001_initial"),
        ("sales", "0004_return_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="damageclaim",
            name="carrier_party",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.party",
                verbose_name="carrier (as a party)",
            ),
        ),
        migrations.AddField(
            model_name="damageclaim",
            name="journal_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="finance.journalentry",
                verbose_name="journal entry",
            ),
        ),
        migrations.AddField(
            model_name="damageclaim",
            name="settlement_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="finance.journalentry",
                verbose_name="settlement entry",
            ),
        ),
        migrations.AddField(
            model_name="damageclaim",
            name="settlement_note",
            field=models.CharField(blank=True, max_length=300, verbose_name="settlement note"),
        ),
        migrations.AlterField(
            model_name="damageclaim",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("settled", "Settled"),
                    ("closed", "Closed, nothing owed"),
                    ("cancelled", "Cancelled"),
                ],
                default="closed",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
