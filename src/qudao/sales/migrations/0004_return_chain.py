# Returns run the order's approval chain: finance review (财务审核), warehouse acceptance
# (入库审核) and goods on their way (发货确认) can be switched on beside return review.
from django.db import migrations, models


def _step(verbose_name):
    return models.BooleanField(default=False, verbose_name=verbose_name)


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_order_rebate")]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=_step(label))
            for model in ("salessettings", "historicalsalessettings")
            for name, label in (
                ("return_finance_review", "return finance review (财务审核)"),
                ("return_warehouse_acceptance", "return warehouse acceptance (入库审核)"),
                ("return_shipment", "return on its way (发货确认)"),
            )
        ),
        migrations.AddField(
            model_name="salesreturn",
            name="carrier",
            field=models.CharField(blank=True, max_length=100, verbose_name="carrier / driver"),
        ),
        migrations.AddField(
            model_name="salesreturn",
            name="shipped_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="on the way since"),
        ),
        migrations.AlterField(
            model_name="salesreturn",
            name="status",
            field=models.CharField(
                choices=[
                    ("review", "Waiting for review"),
                    ("finance", "Waiting for finance review"),
                    ("acceptance", "Waiting for the warehouse to accept"),
                    ("approved", "Approved, goods expected"),
                    ("in_transit", "On the way back"),
                    ("received", "Goods received"),
                    ("rejected", "Rejected"),
                ],
                default="review",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
