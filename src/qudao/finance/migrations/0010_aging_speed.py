"""The aging report's speed (#5): what is open on an invoice, in whole fen, as a stored generated
column, and a partial covering index of the open invoices per customer, for an index-only scan."""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Cast, Round


def open_fen() -> models.GeneratedField:
    return models.GeneratedField(
        expression=Cast(
            Round((F("total") - F("amount_paid") - F("amount_credited")) * 100),
            models.BigIntegerField(),
        ),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name="open (fen)",
    )


class Migration(migrations.Migration):
    dependencies = [("finance", "0009_bill_clearing")]

    operations = [
        migrations.AddField(model_name="historicalinvoice", name="open_fen", field=open_fen()),
        migrations.AddField(model_name="invoice", name="open_fen", field=open_fen()),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(kind="invoice", posted_at__isnull=False, open_fen__gt=0),
                fields=["org", "customer", "due_date", "date", "open_fen"],
                name="invoice_open_aging",
            ),
        ),
    ]
