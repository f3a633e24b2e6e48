# Clearing received bank acceptance bills (承兑汇票): paid at maturity or discounted.
from decimal import Decimal

import django.db.models.deletion
import django.db.models.expressions
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0008_customer_accounts"),
        ("tenancy", "0002_warehouse_keeper_role_label"),
    ]

    operations = [
        migrations.CreateModel(
            name="BillClearing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("matured", "Paid by the bank at maturity"),
                            ("discounted", "Discounted at a bank"),
                        ],
                        max_length=12,
                        verbose_name="cleared by",
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "face_amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="face amount",
                    ),
                ),
                (
                    "proceeds",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="received in the bank",
                    ),
                ),
                (
                    "discount_interest",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="discount interest",
                    ),
                ),
                (
                    "bank_reference",
                    models.CharField(blank=True, max_length=100, verbose_name="bank reference"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.membership",
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "journal_entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="finance.journalentry",
                        verbose_name="journal entry",
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organization",
                    ),
                ),
                (
                    "payment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bill_clearings",
                        to="finance.payment",
                        verbose_name="bill",
                    ),
                ),
            ],
            options={
                "verbose_name": "bill clearing",
                "verbose_name_plural": "bill clearings",
                "indexes": [models.Index(fields=["org", "-date"], name="billclearing_org_date")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("org", "payment"), name="billclearing_org_payment"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("face_amount__gt", 0),
                            ("proceeds__gt", 0),
                            ("discount_interest__gte", 0),
                            (
                                "face_amount__gt",
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("proceeds"), "+", models.F("discount_interest")
                                    ),
                                    "-",
                                    models.Value(Decimal("0.005")),
                                ),
                            ),
                            (
                                "face_amount__lt",
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("proceeds"), "+", models.F("discount_interest")
                                    ),
                                    "+",
                                    models.Value(Decimal("0.005")),
                                ),
                            ),
                        ),
                        name="billclearing_amounts_add_up",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind", "discounted"), ("discount_interest", 0), _connector="OR"
                        ),
                        name="billclearing_interest_only_when_discounted",
                    ),
                ],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
    ]
