"""Claims for goods damaged on arrival at a goods receipt (进货破损索赔)."""

from decimal import Decimal

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0004_bill_endorsement"),
        ("catalog", "0001_initial"),
        ("finance", "0001_ledger_invoices_payments"),
        ("parties", "0003_archive_territories_contacts_and_reassignments"),
        ("tenancy", "0002_warehouse_keeper_role_label"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReceiptClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(blank=True, max_length=30, verbose_name="number")),
                (
                    "bearer",
                    models.CharField(
                        choices=[
                            ("supplier", "The supplier (deducted from what we owe)"),
                            ("carrier", "The carrier"),
                            ("us", "We bear it"),
                        ],
                        max_length=10,
                        verbose_name="who bears the loss",
                    ),
                ),
                (
                    "disposition",
                    models.CharField(
                        choices=[
                            ("return", "Returned to the supplier"),
                            ("scrap", "Scrapped"),
                            ("keep", "Kept as damaged stock"),
                        ],
                        max_length=10,
                        verbose_name="damaged goods",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("settled", "Settled"),
                            ("closed", "Written off"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("description", models.CharField(max_length=300, verbose_name="what happened")),
                ("carrier", models.CharField(blank=True, max_length=100, verbose_name="carrier")),
                (
                    "claim_amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="claimed (before tax)",
                    ),
                ),
                (
                    "settled_amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="settled",
                    ),
                ),
                (
                    "cost_value",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="moved out at cost",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                (
                    "settled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="settled at"),
                ),
                (
                    "settlement_note",
                    models.CharField(blank=True, max_length=300, verbose_name="settlement note"),
                ),
                (
                    "cancelled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="cancelled at"),
                ),
                (
                    "cancel_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="why cancelled"),
                ),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.membership",
                        verbose_name="cancelled by",
                    ),
                ),
                (
                    "carrier_party",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="parties.party",
                        verbose_name="carrier (as a party)",
                    ),
                ),
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
                    "credit_note",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="purchasing.supplierinvoice",
                        verbose_name="supplier credit note",
                    ),
                ),
                (
                    "journal_entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
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
                    "receipt",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claims",
                        to="purchasing.goodsreceipt",
                        verbose_name="goods receipt",
                    ),
                ),
                (
                    "reversal_entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="finance.journalentry",
                        verbose_name="reversal entry",
                    ),
                ),
                (
                    "settled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.membership",
                        verbose_name="settled by",
                    ),
                ),
                (
                    "settlement_entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="finance.journalentry",
                        verbose_name="settlement entry",
                    ),
                ),
                (
                    "supplier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="parties.party",
                        verbose_name="supplier",
                    ),
                ),
            ],
            options={
                "verbose_name": "receipt damage claim",
                "verbose_name_plural": "receipt damage claims",
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="ReceiptClaimLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "quantity",
                    models.DecimalField(decimal_places=3, max_digits=14, verbose_name="quantity"),
                ),
                (
                    "unit_price",
                    models.DecimalField(
                        decimal_places=4, max_digits=18, verbose_name="purchase price"
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=18,
                        verbose_name="claimed (before tax)",
                    ),
                ),
                ("serials", models.TextField(blank=True, verbose_name="serial numbers")),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="purchasing.receiptclaim",
                        verbose_name="claim",
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
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.product",
                        verbose_name="product",
                    ),
                ),
                (
                    "receipt_line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claim_lines",
                        to="purchasing.goodsreceiptline",
                        verbose_name="goods receipt line",
                    ),
                ),
            ],
            options={
                "verbose_name": "receipt damage claim line",
                "verbose_name_plural": "receipt damage claim lines",
                "ordering": ["pk"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddIndex(
            model_name="receiptclaim",
            index=models.Index(fields=["org", "status", "-id"], name="receiptclaim_org_status"),
        ),
        migrations.AddIndex(
            model_name="receiptclaim",
            index=models.Index(fields=["org", "bearer", "-id"], name="receiptclaim_org_bearer"),
        ),
        migrations.AddIndex(
            model_name="receiptclaim",
            index=models.Index(fields=["org", "receipt"], name="receiptclaim_org_receipt"),
        ),
        migrations.AddIndex(
            model_name="receiptclaim",
            index=models.Index(fields=["org", "supplier", "-id"], name="receiptclaim_org_supplier"),
        ),
        migrations.AddConstraint(
            model_name="receiptclaim",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number", ""), _negated=True),
                fields=("org", "number"),
                name="receiptclaim_org_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="receiptclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("claim_amount__gte", 0),
                    ("settled_amount__gte", 0),
                    ("cost_value__gte", 0),
                    ("settled_amount__lte", models.F("claim_amount")),
                ),
                name="receiptclaim_amounts_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="receiptclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("bearer", "carrier"), _negated=True),
                    models.Q(("carrier", ""), _negated=True),
                    _connector="OR",
                ),
                name="receiptclaim_carrier_named",
            ),
        ),
        migrations.AddConstraint(
            model_name="receiptclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("disposition", "return"), _negated=True),
                    ("bearer", "supplier"),
                    _connector="OR",
                ),
                name="receiptclaim_return_to_supplier_only",
            ),
        ),
        migrations.AddConstraint(
            model_name="receiptclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "settled"), _negated=True),
                    ("settled_at__isnull", False),
                    _connector="OR",
                ),
                name="receiptclaim_settled_is_dated",
            ),
        ),
        migrations.AddIndex(
            model_name="receiptclaimline",
            index=models.Index(fields=["org", "receipt_line"], name="receiptclaimline_org_line"),
        ),
        migrations.AddConstraint(
            model_name="receiptclaimline",
            constraint=models.UniqueConstraint(
                fields=("org", "claim", "receipt_line"), name="receiptclaimline_org_claim_line"
            ),
        ),
        migrations.AddConstraint(
            model_name="receiptclaimline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gt", 0), ("amount__gte", 0), ("unit_price__gte", 0)),
                name="receiptclaimline_valid",
            ),
        ),
    ]
