"""Allocations carry the facts the aging report needs to add back what took effect after a
date: when it took effect (the payment's date; a released one's, the later of its credit
note's and its payment's), the customer, and the invoice's date and due date. Existing rows
are filled from their payment, credit note and invoice."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def fill(apps, schema_editor):
    Allocation = apps.get_model("finance", "Allocation")
    Invoice = apps.get_model("finance", "Invoice")
    Payment = apps.get_model("finance", "Payment")
    invoice = Invoice.objects.filter(pk=OuterRef("invoice_id"))
    paid_on = Subquery(Payment.objects.filter(pk=OuterRef("payment_id")).values("date")[:1])
    credited_on = Subquery(Invoice.objects.filter(pk=OuterRef("credit_note_id")).values("date")[:1])
    Allocation.objects.update(
        customer_id=Subquery(invoice.values("customer_id")[:1]),
        invoice_date=Subquery(invoice.values("date")[:1]),
        invoice_due_date=Subquery(
            invoice.annotate(due=Coalesce("due_date", "date")).values("due")[:1]
        ),
        effective_date=paid_on,
    )
    Allocation.objects.filter(credit_note__isnull=False).update(
        effective_date=Greatest(credited_on, paid_on)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0012_bill_endorsement"),
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocation",
            name="customer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.party",
                verbose_name="customer",
            ),
        ),
        migrations.AddField(
            model_name="allocation",
            name="effective_date",
            field=models.DateField(null=True, verbose_name="effective date"),
        ),
        migrations.AddField(
            model_name="allocation",
            name="invoice_date",
            field=models.DateField(null=True, verbose_name="invoice date"),
        ),
        migrations.AddField(
            model_name="allocation",
            name="invoice_due_date",
            field=models.DateField(null=True, verbose_name="invoice due date"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="allocation",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.party",
                verbose_name="customer",
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="effective_date",
            field=models.DateField(
                help_text="When it takes effect in the receivable: the payment's date; for a"
                " released allocation, the credit note's date, or the payment's if that is"
                " later.",
                verbose_name="effective date",
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="invoice_date",
            field=models.DateField(verbose_name="invoice date"),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="invoice_due_date",
            field=models.DateField(
                help_text="The invoice's due date, or its date when it has none.",
                verbose_name="invoice due date",
            ),
        ),
        migrations.AddIndex(
            model_name="allocation",
            index=models.Index(
                fields=[
                    "org",
                    "effective_date",
                    "customer",
                    "invoice_date",
                    "invoice_due_date",
                    "amount",
                ],
                name="allocation_aging_after",
            ),
        ),
    ]
