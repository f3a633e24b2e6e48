"""The rebate cap per credit policy (#5): a customer's own policy and a group default may each
set the share of an order the rebate may pay; empty: the organization's setting."""

from django.db import migrations, models


def share() -> models.DecimalField:
    return models.DecimalField(
        blank=True,
        decimal_places=4,
        max_digits=5,
        null=True,
        verbose_name="rebate may pay at most (share of the order)",
    )


def share_valid(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(
            ("rebate_max_share__isnull", True),
            models.Q(("rebate_max_share__gte", 0), ("rebate_max_share__lte", 1)),
            _connector="OR",
        ),
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [("finance", "0010_aging_speed")]

    operations = [
        migrations.AddField(model_name="creditgrouppolicy", name="rebate_max_share", field=share()),
        migrations.AddField(model_name="customerterms", name="rebate_max_share", field=share()),
        migrations.AddField(
            model_name="historicalcreditgrouppolicy", name="rebate_max_share", field=share()
        ),
        migrations.AddField(
            model_name="historicalcustomerterms", name="rebate_max_share", field=share()
        ),
        migrations.AddConstraint(
            model_name="creditgrouppolicy",
            constraint=share_valid("creditgrouppolicy_rebate_share_valid"),
        ),
        migrations.AddConstraint(
            model_name="customerterms", constraint=share_valid("customerterms_rebate_share_valid")
        ),
    ]
