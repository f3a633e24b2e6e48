# The part of an order its customer pays from the rebate account (issue #5).

from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sales", "0002_returns_damage_consignment"),
        ("finance", "0008_customer_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name='salesorder',
            name='rebate_amount',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='paid by rebate'),
        ),
        migrations.AddConstraint(
            model_name='salesorder',
            constraint=models.CheckConstraint(condition=models.Q(('rebate_amount__gte', 0)), name='salesorder_rebate_not_negative'),
        ),
    ]
