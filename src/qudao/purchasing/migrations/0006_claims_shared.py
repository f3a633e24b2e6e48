"""Receipt damage claims take the claim states they share with sales (`finance.claims`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0005_receipt_claims"),
    ]

    operations = [
        migrations.AlterField(
            model_name="receiptclaim",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("settled", "Settled"),
                    ("closed", "Closed, nothing owed"),
                    ("cancelled", "Cancelled"),
                ],
                default="open",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
