"""Paying a supplier by endorsing a customer's bank acceptance bill to it (背书转让): the method
and the bill it endorses (once)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0003_goods_received_not_invoiced"),
        ("finance", "0012_bill_endorsement"),
    ]

    operations = [
        migrations.AddField(
            model_name="supplierpayment",
            name="endorsed_bill",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="finance.payment",
                verbose_name="endorsed bill",
            ),
        ),
        migrations.AlterField(
            model_name="supplierpayment",
            name="method",
            field=models.CharField(
                choices=[
                    ("bank_transfer", "Bank transfer"),
                    ("cash", "Cash"),
                    ("acceptance_bill", "Bank acceptance bill"),
                    ("endorsed_bill", "Endorsed customer's acceptance bill"),
                ],
                max_length=20,
                verbose_name="method",
            ),
        ),
        migrations.AddConstraint(
            model_name="supplierpayment",
            constraint=models.CheckConstraint(
                condition=Q(method="endorsed_bill", endorsed_bill__isnull=False)
                | (~Q(method="endorsed_bill") & Q(endorsed_bill__isnull=True)),
                name="supplierpayment_endorsement_names_its_bill",
            ),
        ),
        migrations.AddConstraint(
            model_name="supplierpayment",
            constraint=models.UniqueConstraint(
                fields=["org", "endorsed_bill"],
                condition=Q(endorsed_bill__isnull=False),
                name="supplierpayment_org_endorsed_bill",
            ),
        ),
    ]
