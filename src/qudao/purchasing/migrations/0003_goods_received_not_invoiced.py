# GR/IR (暂估入库): a goods receipt keeps its accrual entry and value, a supplier invoice line the
# accrual it clears. A purchase order may say which warehouse it delivers to (on order there).
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


def _money(verbose_name):
    return models.DecimalField(
        decimal_places=2, default=Decimal("0.00"), max_digits=18, verbose_name=verbose_name
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_ledger_invoices_payments"),
        ("inventory", "0002_stockmove_append_only"),
        ("purchasing", "0002_supplier_invoices_and_payments"),
    ]

    operations = [
        migrations.AddField(
            model_name="goodsreceipt",
            name="accrued_value",
            field=_money("accrued at cost (暂估)"),
        ),
        migrations.AddField(
            model_name="goodsreceipt",
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
            model_name="purchaseorder",
            name="warehouse",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="inventory.warehouse",
                verbose_name="deliver to",
            ),
        ),
        migrations.AddField(
            model_name="supplierinvoiceline",
            name="accrual_cleared",
            field=_money("GR/IR cleared"),
        ),
    ]
