"""Supplier invoices (进项发票) and credit notes, supplier payments (付款) and their allocation.

Posted documents are never edited: a supplier credit note corrects an invoice. Each posted
document points at the journal entry behind it; the supplier's balance is the sum of its lines
on accounts payable (2202).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field, quantity_field, unit_price_field
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel

HALF_FEN: Final = Value(Decimal("0.005"))


class SupplierInvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Supplier invoice")
    CREDIT_NOTE = "credit_note", _("Supplier credit note")


class SupplierInvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


SUPPLIER_INVOICE_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    SupplierInvoiceStatus.DRAFT: frozenset(
        {SupplierInvoiceStatus.POSTED, SupplierInvoiceStatus.CANCELLED}
    ),
    # a posted invoice is cancelled only by a credit note for its whole total
    SupplierInvoiceStatus.POSTED: frozenset({SupplierInvoiceStatus.CANCELLED}),
}


class SupplierInvoice(OrgScopedModel):
    """What a supplier bills us, or a credit note against such a bill (`credited_invoice`)."""

    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=SupplierInvoiceKind.choices,
        default=SupplierInvoiceKind.INVOICE,
    )
    number = models.CharField(_("number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SupplierInvoiceStatus.choices,
        default=SupplierInvoiceStatus.DRAFT,
    )
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    supplier_name = models.CharField(_("supplier name"), max_length=200, blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    supplier_reference = models.CharField(_("supplier's invoice number"), max_length=60, blank=True)
    fapiao_number = models.CharField(_("fapiao number"), max_length=40, blank=True)
    fapiao_date = models.DateField(_("fapiao date"), null=True, blank=True)
    date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=0)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    subtotal = money_field(verbose_name=_("amount before tax"))
    tax_total = money_field(verbose_name=_("tax"))
    total = money_field(verbose_name=_("total"))
    amount_paid = money_field(verbose_name=_("paid"))
    amount_credited = money_field(verbose_name=_("credited"))
    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    history = history()

    class Meta:
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="supplierinvoice_org_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="posted")
                | (Q(posted_at__isnull=False) & ~Q(number="") & Q(journal_entry__isnull=False)),
                name="supplierinvoice_posted_is_numbered",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0)
                & Q(amount_credited__gte=0)
                # half a fen of slack: SQLite adds decimal columns in binary floating point
                & Q(total__gt=F("amount_paid") + F("amount_credited") - HALF_FEN),
                name="supplierinvoice_never_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="supplierinvoice_credit_note_points_at_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "supplier", "status"], name="supplierinvoice_supplier"),
            models.Index(fields=["org", "-date"], name="supplierinvoice_org_date"),
            models.Index(fields=["org", "due_date"], name="supplierinvoice_org_due"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft supplier invoice"))

    @property
    def open_amount(self) -> Decimal:
        if self.kind != SupplierInvoiceKind.INVOICE or self.status != SupplierInvoiceStatus.POSTED:
            return Decimal("0.00")
        return self.total - self.amount_paid - self.amount_credited

    @property
    def is_credit_note(self) -> bool:
        return self.kind == SupplierInvoiceKind.CREDIT_NOTE


class SupplierInvoiceLine(OrgScopedModel):
    """A billed line: from a goods receipt line (goods) or entered by hand (freight, services)."""

    invoice = models.ForeignKey(
        SupplierInvoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    receipt_line = models.ForeignKey(
        "purchasing.GoodsReceiptLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
        verbose_name=_("goods receipt line"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = quantity_field(verbose_name=_("quantity"))
    unit_price = unit_price_field(verbose_name=_("unit price"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    amount = money_field(verbose_name=_("amount"))
    tax = money_field(verbose_name=_("tax"))
    # the part of `amount` that clears the receipt's GR/IR accrual (a credit note: restores it);
    # the rest is a price difference booked to inventory
    accrual_cleared = money_field(verbose_name=_("GR/IR cleared"))

    class Meta:
        verbose_name = _("supplier invoice line")
        verbose_name_plural = _("supplier invoice lines")
        indexes = [
            models.Index(fields=["org", "invoice"], name="supplierinvoiceline_invoice"),
            models.Index(fields=["org", "receipt_line"], name="supplierinvoiceline_receipt"),
        ]
        ordering = ["position", "pk"]

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


class SupplierPaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    ENDORSED_BILL = "endorsed_bill", _("Endorsed customer's acceptance bill")


class SupplierPayment(OrgScopedModel):
    """Money paid to a supplier; posted when made, allocated to its invoices (maybe later).

    A prepayment against a purchase order carries the `order`; it settles that order's
    invoices first when they are posted. A payment by a customer's bill endorsed to the
    supplier (背书转让) carries that bill (`endorsed_bill`), whose number and maturity it copies;
    its amount is the bill's face value."""

    number = models.CharField(_("number"), max_length=30)
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplier_payments",
        verbose_name=_("prepayment for order"),
    )
    date = models.DateField(_("date"))
    amount = money_field(verbose_name=_("amount"))
    amount_allocated = money_field(verbose_name=_("allocated"))
    method = models.CharField(_("method"), max_length=20, choices=SupplierPaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    bill_number = models.CharField(_("bill number"), max_length=40, blank=True)
    bill_maturity = models.DateField(_("bill maturity date"), null=True, blank=True)
    bill_paid_on = models.DateField(_("bill paid by the bank on"), null=True, blank=True)
    endorsed_bill = models.ForeignKey(
        "finance.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endorsed bill"),
    )
    bill_payment_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bill payment entry"),
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by")
    )

    class Meta:
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="supplierpayment_org_number"),
            models.UniqueConstraint(
                fields=["org", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="supplierpayment_org_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(amount_allocated__gte=0)
                & Q(amount__gt=F("amount_allocated") - HALF_FEN),
                name="supplierpayment_never_overallocated",
            ),
            models.CheckConstraint(
                condition=~Q(method="acceptance_bill")
                | (~Q(bill_number="") & Q(bill_maturity__isnull=False)),
                name="supplierpayment_bill_has_number_and_maturity",
            ),
            models.CheckConstraint(
                condition=Q(method="endorsed_bill", endorsed_bill__isnull=False)
                | (~Q(method="endorsed_bill") & Q(endorsed_bill__isnull=True)),
                name="supplierpayment_endorsement_names_its_bill",
            ),
            models.UniqueConstraint(
                fields=["org", "endorsed_bill"],
                condition=Q(endorsed_bill__isnull=False),
                name="supplierpayment_org_endorsed_bill",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "supplier", "-date"], name="supplierpayment_supplier"),
            models.Index(fields=["org", "-date"], name="supplierpayment_org_date"),
            models.Index(fields=["org", "order"], name="supplierpayment_org_order"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.amount_allocated


class SupplierAllocation(OrgScopedModel):
    """Part of a supplier payment settling part of a supplier invoice (matching only)."""

    payment = models.ForeignKey(
        SupplierPayment,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("payment"),
    )
    invoice = models.ForeignKey(
        SupplierInvoice,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("invoice"),
    )
    amount = money_field(verbose_name=_("amount"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("supplier payment allocation")
        verbose_name_plural = _("supplier payment allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplierallocation_positive"),
        ]
        indexes = [
            models.Index(fields=["org", "payment"], name="supplierallocation_payment"),
            models.Index(fields=["org", "invoice"], name="supplierallocation_invoice"),
        ]
