"""Customer accounts beside the receivable: the prepayment account (预付款账户) and the rebate
account (返利账户).

The prepayment balance is the customer's money received and not yet matched: what is left of
its payments after allocations to invoices and refunds paid back (`RefundPart`). A payment
credits the receivable in full when posted, so the money sits in the ledger as a credit
balance on the customer's receivable until it settles an invoice or is refunded. A top-up
(`PrepaymentTopUp`) is the request behind such a payment: the retailer uploads the transfer
voucher (凭证) and finance approves it, which records the payment; staff may record one on the
customer's behalf.

The rebate balance is the sum of the customer's `RebateEntry` rows, mirrored line by line in
the ledger on "Other payables - rebates" (2241) with the customer as party. A grant credits it,
using it on an invoice debits it (and settles that part of the invoice like an allocation),
a credit note on an invoice paid by rebate gives the rebate back. Orders reserve rebate
(`RebateReservation`) until they are invoiced or cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qudao.core.money import money_field
from qudao.finance.models.ledger import Invoice, JournalEntry, Payment, PaymentMethod
from qudao.tenancy.models import Membership
from qudao.tenancy.scoping import OrgScopedModel

DEFAULT_REBATE_SHARE: Final = Decimal("0.1000")

# Money that moves by hand between us and a retailer; bills go through the payment page.
ACCOUNT_METHODS: Final = (
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.CASH,
)
ACCOUNT_METHOD_CHOICES: Final = [(m.value, m.label) for m in ACCOUNT_METHODS]


class AccountSettings(OrgScopedModel):
    """How the organization runs its customers' accounts (one row; defaults until saved)."""

    # a credit policy (a customer's own or a group default) may set its own cap instead
    rebate_max_share = models.DecimalField(
        _("rebate may pay at most (share of the order)"),
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_REBATE_SHARE,
    )
    settle_from_prepayments = models.BooleanField(
        _("settle new invoices from the prepayment balance"), default=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer account settings")
        verbose_name_plural = _("customer account settings")
        constraints = [
            models.UniqueConstraint(fields=["org"], name="accountsettings_org"),
            models.CheckConstraint(
                condition=Q(rebate_max_share__gte=0) & Q(rebate_max_share__lte=1),
                name="accountsettings_share_valid",
            ),
        ]


# ---------------------------------------------------------------------------------------------
# Prepayment top-ups (预付款充值)


class TopUpStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for finance")
    APPROVED = "approved", _("Credited to the account")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


TOPUP_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    TopUpStatus.PENDING: frozenset(
        {TopUpStatus.APPROVED, TopUpStatus.REJECTED, TopUpStatus.WITHDRAWN}
    ),
}


class TopUpSource(models.TextChoices):
    PORTAL = "portal", _("Retailer portal")
    API = "api", _("API")
    STAFF = "staff", _("Recorded by staff")


class PrepaymentTopUp(OrgScopedModel):
    """Money the customer says it sent us for its prepayment account, with the voucher (凭证).

    Pending until finance approves it (the payment is recorded then) or rejects it with a
    reason; staff recording a top-up for the customer approve it in the same step."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    amount = money_field(verbose_name=_("amount"))
    date = models.DateField(_("transfer date"))
    method = models.CharField(_("method"), max_length=20, choices=ACCOUNT_METHOD_CHOICES)
    reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    voucher = models.FileField(_("voucher"), upload_to="topups/%Y/%m/", max_length=200, blank=True)
    voucher_sha256 = models.CharField(_("voucher fingerprint"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TopUpStatus.choices, default=TopUpStatus.PENDING
    )
    source = models.CharField(_("source"), max_length=10, choices=TopUpSource.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment"),
    )

    class Meta:
        verbose_name = _("prepayment top-up")
        verbose_name_plural = _("prepayment top-ups")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="prepaymenttopup_org_number"),
            models.UniqueConstraint(
                fields=["org", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="prepaymenttopup_org_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["org", "payment"],
                condition=Q(payment__isnull=False),
                name="prepaymenttopup_org_payment",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="prepaymenttopup_positive"),
            models.CheckConstraint(
                condition=(Q(status="approved") & Q(payment__isnull=False))
                | (~Q(status="approved") & Q(payment__isnull=True)),
                name="prepaymenttopup_approved_has_payment",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="prepaymenttopup_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "submitted_at"], name="topup_org_status"),
            models.Index(fields=["org", "customer", "-submitted_at"], name="topup_org_customer"),
            models.Index(fields=["org", "customer", "voucher_sha256"], name="topup_org_voucher"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_pending(self) -> bool:
        return self.status == TopUpStatus.PENDING


# ---------------------------------------------------------------------------------------------
# Refunds (退款): money paid back out of the prepayment balance


class CustomerRefund(OrgScopedModel):
    """Money paid back to a customer from its prepayment balance; posted when made
    (Dr receivable, Cr bank/cash/WeChat or Alipay funds). `parts` say which payments it
    takes the money from."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    date = models.DateField(_("date"))
    amount = money_field(verbose_name=_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=ACCOUNT_METHOD_CHOICES)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    journal_entry = models.ForeignKey(
        JournalEntry,
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
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="customerrefund_org_number"),
            models.UniqueConstraint(
                fields=["org", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="customerrefund_org_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & ~Q(reason=""), name="customerrefund_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "-date"], name="refund_org_customer"),
        ]

    def __str__(self) -> str:
        return self.number


class RefundPart(OrgScopedModel):
    """What one refund takes from one payment's unallocated money."""

    refund = models.ForeignKey(
        CustomerRefund, on_delete=models.PROTECT, related_name="parts", verbose_name=_("refund")
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refund_parts", verbose_name=_("payment")
    )
    amount = money_field(verbose_name=_("amount"))

    class Meta:
        verbose_name = _("refund part")
        verbose_name_plural = _("refund parts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refundpart_positive"),
        ]
        indexes = [
            models.Index(fields=["org", "payment"], name="refundpart_org_payment"),
            models.Index(fields=["org", "refund"], name="refundpart_org_refund"),
        ]


# ---------------------------------------------------------------------------------------------
# The rebate account (返利账户)


class RebateSource(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer program")
    TARGET = "target", _("Sales target reached")
    YEAR_END = "year_end", _("Year-end rebate")
    OTHER = "other", _("Other")


class RebateEntryKind(models.TextChoices):
    GRANT = "grant", _("Granted")
    USE = "use", _("Used on an invoice")
    RELEASE = "release", _("Given back by a credit note")
    REVERSAL = "reversal", _("Grant reversed")


CREDITING_KINDS: Final = frozenset({RebateEntryKind.GRANT, RebateEntryKind.RELEASE})


class RebateEntry(OrgScopedModel):
    """One movement of a customer's rebate account: positive adds to the balance, negative
    takes from it. Append-only; each has the journal entry that mirrors it on 2241."""

    number = models.CharField(_("number"), max_length=30, blank=True)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RebateEntryKind.choices)
    date = models.DateField(_("date"))
    amount = money_field(verbose_name=_("amount"))
    source = models.CharField(_("source"), max_length=20, choices=RebateSource.choices, blank=True)
    reference = models.CharField(_("program or document"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebate_entries",
        verbose_name=_("invoice"),
    )
    credit_note = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("credit note"),
    )
    order_reference = models.CharField(_("order"), max_length=100, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    journal_entry = models.ForeignKey(
        JournalEntry,
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

    class Meta:
        verbose_name = _("rebate account entry")
        verbose_name_plural = _("rebate account entries")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="rebateentry_org_number"
            ),
            models.UniqueConstraint(
                fields=["org", "reverses"],
                condition=Q(reverses__isnull=False),
                name="rebateentry_reversed_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["grant", "release"]) & Q(amount__gt=0))
                | (Q(kind__in=["use", "reversal"]) & Q(amount__lt=0)),
                name="rebateentry_sign_follows_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["use", "release"]) | Q(invoice__isnull=False),
                name="rebateentry_use_names_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "date"], name="rebateentry_customer"),
            models.Index(fields=["org", "invoice"], name="rebateentry_invoice"),
            models.Index(fields=["org", "order_reference"], name="rebateentry_order"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} {self.amount}"


class RebateReservation(OrgScopedModel):
    """Rebate an open order will use when it is invoiced (its reference: "sales_order:42")."""

    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    reference = models.CharField(_("reference"), max_length=100)
    amount = money_field(verbose_name=_("amount"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rebate reservation")
        verbose_name_plural = _("rebate reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "reference"], name="rebatereservation_org_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="rebatereservation_positive"),
        ]
        indexes = [
            models.Index(fields=["org", "customer"], name="rebatereservation_customer"),
        ]
