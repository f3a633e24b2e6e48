"""Claims for goods damaged on arrival at a goods receipt (进货破损索赔).

A claim takes damaged units of a posted receipt (never more than arrived damaged and are not on
another live claim), says who bears the loss — the supplier, the carrier or us — and what
happens to the goods: returned to the supplier, scrapped, or kept as damaged stock. See
`services.claims` for the documents each bearer turns into; the claim's life and the carrier's
receivable are the ones sales damage claims share (`finance.claims`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field, quantity_field, unit_price_field
from qudao.finance.claims import CLAIM_TRANSITIONS, ClaimEntries, ClaimStatus
from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel


class ClaimBearer(models.TextChoices):
    SUPPLIER = "supplier", _("The supplier (deducted from what we owe)")
    CARRIER = "carrier", _("The carrier")
    US = "us", _("We bear it")


class ClaimDisposition(models.TextChoices):
    RETURN = "return", _("Returned to the supplier")
    SCRAP = "scrap", _("Scrapped")
    KEEP = "keep", _("Kept as damaged stock")


class ReceiptClaim(OrgScopedModel, ClaimEntries):
    """Units damaged on arrival (破损) at a goods receipt, and who bears the loss.

    Recorded once and never edited: the supplier's claim is settled by a supplier credit note,
    the carrier's when finance records what it paid; a claim recorded in error is cancelled,
    which reverses its stock moves and its ledger entry.
    """

    number = models.CharField(_("number"), max_length=30, blank=True)  # set last when recorded
    receipt = models.ForeignKey(
        "purchasing.GoodsReceipt",
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("goods receipt"),
    )
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    bearer = models.CharField(_("who bears the loss"), max_length=10, choices=ClaimBearer.choices)
    disposition = models.CharField(
        _("damaged goods"), max_length=10, choices=ClaimDisposition.choices
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ClaimStatus.choices,
        default=ClaimStatus.OPEN,
    )
    description = models.CharField(_("what happened"), max_length=300)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    carrier_party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carrier (as a party)"),
    )
    claim_amount = money_field(verbose_name=_("claimed (before tax)"))
    settled_amount = money_field(verbose_name=_("settled"))
    cost_value = money_field(verbose_name=_("moved out at cost"))
    credit_note = models.ForeignKey(
        "purchasing.SupplierInvoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier credit note"),
    )
    reversal_entry = models.ForeignKey(
        "finance.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reversal entry"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("receipt damage claim")
        verbose_name_plural = _("receipt damage claims")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="receiptclaim_org_number"
            ),
            models.CheckConstraint(
                condition=Q(claim_amount__gte=0)
                & Q(settled_amount__gte=0)
                & Q(cost_value__gte=0)
                & Q(settled_amount__lte=F("claim_amount")),
                name="receiptclaim_amounts_valid",
            ),
            models.CheckConstraint(
                condition=~Q(bearer="carrier") | ~Q(carrier=""),
                name="receiptclaim_carrier_named",
            ),
            models.CheckConstraint(
                condition=~Q(disposition="return") | Q(bearer="supplier"),
                name="receiptclaim_return_to_supplier_only",
            ),
            models.CheckConstraint(
                condition=~Q(status="settled") | Q(settled_at__isnull=False),
                name="receiptclaim_settled_is_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-id"], name="receiptclaim_org_status"),
            models.Index(fields=["org", "bearer", "-id"], name="receiptclaim_org_bearer"),
            models.Index(fields=["org", "receipt"], name="receiptclaim_org_receipt"),
            models.Index(fields=["org", "supplier", "-id"], name="receiptclaim_org_supplier"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == ClaimStatus.OPEN

    @property
    def can_cancel(self) -> bool:
        return ClaimStatus.CANCELLED in CLAIM_TRANSITIONS.get(self.status, frozenset())


class ReceiptClaimLine(OrgScopedModel):
    """Damaged units of one receipt line on a claim, at the line's purchase price."""

    claim = models.ForeignKey(
        ReceiptClaim, on_delete=models.CASCADE, related_name="lines", verbose_name=_("claim")
    )
    receipt_line = models.ForeignKey(
        "purchasing.GoodsReceiptLine",
        on_delete=models.PROTECT,
        related_name="claim_lines",
        verbose_name=_("goods receipt line"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(verbose_name=_("quantity"))
    unit_price = unit_price_field(verbose_name=_("purchase price"))
    amount = money_field(verbose_name=_("claimed (before tax)"))
    serials = models.TextField(_("serial numbers"), blank=True)  # one per line

    class Meta:
        verbose_name = _("receipt damage claim line")
        verbose_name_plural = _("receipt damage claim lines")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "claim", "receipt_line"], name="receiptclaimline_org_claim_line"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(amount__gte=0) & Q(unit_price__gte=0),
                name="receiptclaimline_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "receipt_line"], name="receiptclaimline_org_line"),
        ]
        ordering = ["pk"]

    @property
    def serial_list(self) -> list[str]:
        return self.serials.splitlines()
