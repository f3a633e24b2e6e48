"""Money: the ledger (accounts, journal entries and lines), customer invoices and credit notes,
payments received and their allocation to invoices, and each customer's payment terms.

Journal entries and lines are append-only: database triggers refuse UPDATE and DELETE
(migration 0002). A posted invoice or payment is corrected by a new document, never edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Round
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qudao.core.money import money_field, quantity_field, unit_price_field
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel

HALF_FEN: Final = Value(Decimal("0.005"))

# ---------------------------------------------------------------------------------------------
# The chart of accounts (China's enterprise accounting standards, the codes every bookkeeper
# knows). `ensure_chart(org)` creates them for an organization.

RECEIVABLE: Final = "1122"
PAYABLE: Final = "2202"
BANK: Final = "1002"
CASH: Final = "1001"
OTHER_MONETARY_FUNDS: Final = "1012"  # WeChat Pay and Alipay balances
BILLS_RECEIVABLE: Final = "1121"
CUSTOMER_PREPAYMENTS: Final = "2203"
REBATE_LIABILITY: Final = "2241"
REVENUE: Final = "6001"
OUTPUT_VAT: Final = "22210102"
INVENTORY: Final = "1405"  # 库存商品: supplier invoices debit it
INPUT_VAT: Final = "22210101"
BILLS_PAYABLE: Final = "2201"  # our bank acceptance bills until the bank pays them
# 应付账款-暂估应付款: goods receipts credit it at cost, supplier invoices clear it (GR/IR)
GOODS_RECEIVED_NOT_INVOICED: Final = "220202"
FINANCIAL_EXPENSES: Final = "6603"  # 财务费用: discount interest on bills, bank charges
SALES_REBATES: Final = "6601"  # 销售费用: rebates granted to customers (2241 until used)
OTHER_RECEIVABLES: Final = "1221"  # 其他应收款: claims on carriers for goods damaged in transit


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    REVENUE = "revenue", _("Revenue")
    EXPENSE = "expense", _("Expense")


CHART: Final[tuple[tuple[str, Promise, str], ...]] = (
    (CASH, _("Cash on hand"), AccountKind.ASSET),
    (BANK, _("Bank deposits"), AccountKind.ASSET),
    (OTHER_MONETARY_FUNDS, _("Other monetary funds (WeChat Pay, Alipay)"), AccountKind.ASSET),
    (BILLS_RECEIVABLE, _("Bills receivable"), AccountKind.ASSET),
    (RECEIVABLE, _("Accounts receivable"), AccountKind.ASSET),
    (OTHER_RECEIVABLES, _("Other receivables"), AccountKind.ASSET),
    (PAYABLE, _("Accounts payable"), AccountKind.LIABILITY),
    (
        GOODS_RECEIVED_NOT_INVOICED,
        _("Accounts payable - goods received not invoiced"),
        AccountKind.LIABILITY,
    ),
    (CUSTOMER_PREPAYMENTS, _("Customer prepayments"), AccountKind.LIABILITY),
    (INVENTORY, _("Inventory goods"), AccountKind.ASSET),
    (BILLS_PAYABLE, _("Bills payable"), AccountKind.LIABILITY),
    (INPUT_VAT, _("Taxes payable - input VAT"), AccountKind.LIABILITY),
    (OUTPUT_VAT, _("Taxes payable - output VAT"), AccountKind.LIABILITY),
    (REBATE_LIABILITY, _("Other payables - rebates"), AccountKind.LIABILITY),
    (REVENUE, _("Main business revenue"), AccountKind.REVENUE),
    (FINANCIAL_EXPENSES, _("Financial expenses"), AccountKind.EXPENSE),
    (SALES_REBATES, _("Selling expenses - customer rebates"), AccountKind.EXPENSE),
)


class Account(OrgScopedModel):
    """An account of the organization's chart; lines with a party form that party's sub-ledger."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="account_org_code")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(OrgScopedModel):
    """A balanced set of ledger lines; append-only. A reversal points at what it cancels."""

    number = models.CharField(_("number"), max_length=30)
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    source_type = models.CharField(_("source document type"), max_length=40, blank=True)
    source_id = models.BigIntegerField(_("source document id"), null=True, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="journalentry_org_number"),
            models.UniqueConstraint(
                fields=["org", "reverses"],
                condition=Q(reverses__isnull=False),
                name="journalentry_reversed_once",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "-date"], name="journalentry_org_date"),
            models.Index(fields=["org", "source_type", "source_id"], name="journalentry_source"),
        ]

    def __str__(self) -> str:
        return self.number


class JournalLine(OrgScopedModel):
    """One debit or credit of an entry; a reversal's lines carry negated amounts (red ink)."""

    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="lines", verbose_name=_("entry")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    debit = money_field(verbose_name=_("debit"))
    credit = money_field(verbose_name=_("credit"))

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        indexes = [
            models.Index(fields=["org", "account", "party"], name="journalline_account_party"),
            models.Index(fields=["org", "party"], name="journalline_org_party"),
            models.Index(fields=["org", "entry"], name="journalline_org_entry"),
        ]


# ---------------------------------------------------------------------------------------------
# Payment terms and credit policy


class CreditMode(models.TextChoices):
    PREPAY = "prepay", _("Prepay only")
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    CREDIT = "credit", pgettext_lazy("credit mode", "Credit")
    CONSIGNMENT = "consignment", _("Consignment")


class TermKind(models.TextChoices):
    NET = "net", _("Net N days")
    MONTH_END = "month_end", _("Month-end + N days")
    FIXED_DAY = "fixed_day", _("Fixed day of the next month")


class ExceededAction(models.TextChoices):
    BLOCK = "block", _("Block")
    WARN = "warn", _("Warn")
    APPROVE = "approve", _("Require approval")


class CreditGrade(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", _("C (prepay only)")


class CreditPolicyFields(models.Model):
    """What a credit policy says; a customer's own terms and a group default share it."""

    mode = models.CharField(
        _("mode"), max_length=12, choices=CreditMode.choices, default=CreditMode.CREDIT
    )
    credit_limit = money_field(verbose_name=_("credit limit"))
    term_kind = models.CharField(
        _("payment term kind"), max_length=10, choices=TermKind.choices, default=TermKind.NET
    )
    payment_term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=0)
    due_day = models.PositiveSmallIntegerField(
        _("due day of month"), default=0, help_text=_("For a fixed-day term: 1 to 31.")
    )
    overdue_tolerance_days = models.PositiveSmallIntegerField(
        _("overdue tolerance (days)"), default=0
    )
    overdue_tolerance_amount = money_field(verbose_name=_("overdue tolerance (amount)"))
    on_exceeded = models.CharField(
        _("when exceeded"),
        max_length=10,
        choices=ExceededAction.choices,
        default=ExceededAction.BLOCK,
    )
    grade = models.CharField(
        _("credit grade"), max_length=3, choices=CreditGrade.choices, blank=True
    )
    # empty: the organization's setting (AccountSettings.rebate_max_share)
    rebate_max_share = models.DecimalField(
        _("rebate may pay at most (share of the order)"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
    )

    class Meta:
        abstract = True


class CustomerTerms(CreditPolicyFields, OrgScopedModel):
    """A customer's own credit policy and payment term; without one, its group default applies.

    Edited by MANAGE_CREDIT only; field history and events record every change."""

    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )

    history = history()

    class Meta:
        verbose_name = _("customer terms")
        verbose_name_plural = _("customer terms")
        constraints = [
            models.UniqueConstraint(fields=["org", "party"], name="customerterms_org_party"),
            models.CheckConstraint(
                condition=Q(due_day__lte=31) & Q(credit_limit__gte=0),
                name="customerterms_valid",
            ),
            models.CheckConstraint(
                condition=Q(rebate_max_share__isnull=True)
                | (Q(rebate_max_share__gte=0) & Q(rebate_max_share__lte=1)),
                name="customerterms_rebate_share_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.mode} {self.credit_limit}"


class CreditGroupPolicy(CreditPolicyFields, OrgScopedModel):
    """The default policy of a customer group: a tier and/or a customer type ("" = any)."""

    tier = models.CharField(_("tier"), max_length=2, blank=True)
    customer_type = models.CharField(_("customer type"), max_length=20, blank=True)

    history = history()

    class Meta:
        verbose_name = _("group credit policy")
        verbose_name_plural = _("group credit policies")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "tier", "customer_type"], name="creditgrouppolicy_org_group"
            ),
            models.CheckConstraint(
                condition=Q(due_day__lte=31) & Q(credit_limit__gte=0),
                name="creditgrouppolicy_valid",
            ),
            models.CheckConstraint(
                condition=Q(rebate_max_share__isnull=True)
                | (Q(rebate_max_share__gte=0) & Q(rebate_max_share__lte=1)),
                name="creditgrouppolicy_rebate_share_valid",
            ),
        ]
        ordering = ["tier", "customer_type"]

    def __str__(self) -> str:
        return f"{self.tier or '*'}/{self.customer_type or '*'}: {self.mode} {self.credit_limit}"


class TemporaryCreditRaise(OrgScopedModel):
    """A limit increase (临时额度) valid from `starts_on` to `expires_on`, both included."""

    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    amount = money_field(verbose_name=_("amount"))
    starts_on = models.DateField(_("starts on"))
    expires_on = models.DateField(_("expires on"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("temporary credit raise")
        verbose_name_plural = _("temporary credit raises")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(expires_on__gte=F("starts_on")),
                name="temporarycreditraise_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "expires_on"], name="creditraise_customer"),
        ]


class CommitmentStage(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed, not shipped")
    SHIPPED = "shipped", _("Shipped, not invoiced")


class CreditCommitment(OrgScopedModel):
    """An open order's amount at one stage, counted in the customer's credit exposure.

    Finance never imports sales: the order is named by `reference` ("sales_order:42") and
    sales keeps these rows current through `reserve_credit`, `record_open_order` and
    `release_open_order`. A released (or invoiced) order has no rows."""

    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    reference = models.CharField(_("reference"), max_length=100)
    stage = models.CharField(_("stage"), max_length=10, choices=CommitmentStage.choices)
    amount = money_field(verbose_name=_("amount"))
    overridden_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("credit commitment")
        verbose_name_plural = _("credit commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "reference", "stage"], name="creditcommitment_org_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="creditcommitment_positive"),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "stage"], name="creditcommitment_customer"),
        ]


# ---------------------------------------------------------------------------------------------
# Invoices and credit notes


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


INVOICE_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.POSTED, InvoiceStatus.CANCELLED}),
    # a posted invoice is cancelled only by a credit note for its whole total
    InvoiceStatus.POSTED: frozenset({InvoiceStatus.CANCELLED}),
}


class Invoice(OrgScopedModel):
    """A customer invoice, or a credit note for part or all of one (`credited_invoice`)."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    number = models.CharField(_("number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    payment_term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=0)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    subtotal = money_field(verbose_name=_("amount before tax"))
    tax_total = money_field(verbose_name=_("tax"))
    total = money_field(verbose_name=_("total"))
    amount_paid = money_field(verbose_name=_("paid"))
    amount_credited = money_field(verbose_name=_("credited"))
    # what is open now, in whole fen, kept by the database from the counters: the aging report
    # sums integers over the open invoices, from the covering index below
    open_fen = models.GeneratedField(
        expression=Cast(
            Round((F("total") - F("amount_paid") - F("amount_credited")) * 100),
            models.BigIntegerField(),
        ),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("open (fen)"),
    )
    fapiao_number = models.CharField(_("fapiao number"), max_length=40, blank=True)
    fapiao_date = models.DateField(_("fapiao date"), null=True, blank=True)
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
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "number"], condition=~Q(number=""), name="invoice_org_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="posted")
                | (Q(posted_at__isnull=False) & ~Q(number="") & Q(journal_entry__isnull=False)),
                name="invoice_posted_is_numbered_and_dated",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0)
                & Q(amount_credited__gte=0)
                # half a fen of slack: SQLite adds decimal columns in binary floating point
                & Q(total__gt=F("amount_paid") + F("amount_credited") - HALF_FEN),
                name="invoice_never_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="invoice_credit_note_points_at_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "status"], name="invoice_customer_status"),
            models.Index(fields=["org", "-date"], name="invoice_org_date"),
            models.Index(fields=["org", "due_date"], name="invoice_org_due"),
            # the aging report: the open invoices per customer, read from the index alone
            models.Index(
                fields=["org", "customer", "due_date", "date", "open_fen"],
                condition=Q(kind="invoice", posted_at__isnull=False, open_fen__gt=0),
                name="invoice_open_aging",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft invoice"))

    @property
    def open_amount(self) -> Decimal:
        if self.kind != InvoiceKind.INVOICE or self.status != InvoiceStatus.POSTED:
            return Decimal("0.00")
        return self.total - self.amount_paid - self.amount_credited

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(OrgScopedModel):
    """A line: quantity × unit price (before tax), rounded; tax on the rounded amount."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
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

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        indexes = [models.Index(fields=["org", "invoice"], name="invoiceline_org_invoice")]
        ordering = ["position", "pk"]

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


# ---------------------------------------------------------------------------------------------
# Payments received and allocations


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")


DEBIT_ACCOUNT_OF_METHOD: Final[Mapping[str, str]] = {
    PaymentMethod.BANK_TRANSFER: BANK,
    PaymentMethod.CASH: CASH,
    PaymentMethod.WECHAT: OTHER_MONETARY_FUNDS,
    PaymentMethod.ALIPAY: OTHER_MONETARY_FUNDS,
    PaymentMethod.ACCEPTANCE_BILL: BILLS_RECEIVABLE,  # until the bill is cleared
}


class Payment(OrgScopedModel):
    """Money received from a customer; posted on receipt, allocated to invoices (maybe later)."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    date = models.DateField(_("date"))
    amount = money_field(verbose_name=_("amount"))
    amount_allocated = money_field(verbose_name=_("allocated"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    bill_number = models.CharField(_("bill number"), max_length=40, blank=True)
    bill_maturity = models.DateField(_("bill maturity date"), null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
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
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="payment_org_number"),
            models.UniqueConstraint(
                fields=["org", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_org_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(amount_allocated__gte=0)
                & Q(amount__gt=F("amount_allocated") - HALF_FEN),
                name="payment_positive_and_never_overallocated",
            ),
            models.CheckConstraint(
                condition=~Q(method="acceptance_bill")
                | (~Q(bill_number="") & Q(bill_maturity__isnull=False)),
                name="payment_bill_has_number_and_maturity",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "customer", "-date"], name="payment_customer_date"),
            models.Index(fields=["org", "-date"], name="payment_org_date"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.amount_allocated


class Allocation(OrgScopedModel):
    """Part of a payment settling part of an invoice (matching only: both are in the ledger).

    A negative allocation (red ink) gives part of an earlier one back to the payment: a credit
    note on a paid invoice (`credit_note`) leaves that money on the customer's prepayment
    balance."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("payment")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("invoice")
    )
    amount = money_field(verbose_name=_("amount"))
    credit_note = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by credit note"),
    )
    # Facts copied from the payment and the invoice when the allocation is made (both are
    # posted, so they never change; `finance.integrity` proves they agree): the aging report
    # as of a past date adds back what took effect after it from these rows alone.
    effective_date = models.DateField(
        _("effective date"),
        help_text=_(
            "When it takes effect in the receivable: the payment's date; for a released "
            "allocation, the credit note's date, or the payment's if that is later."
        ),
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    invoice_date = models.DateField(_("invoice date"))
    invoice_due_date = models.DateField(
        _("invoice due date"), help_text=_("The invoice's due date, or its date when it has none.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(credit_note__isnull=True))
                | (Q(amount__lt=0) & Q(credit_note__isnull=False)),
                name="allocation_positive_or_released",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "payment"], name="allocation_org_payment"),
            models.Index(fields=["org", "invoice"], name="allocation_org_invoice"),
            # what took effect after a date, read from the index alone by the aging report
            models.Index(
                fields=[
                    "org",
                    "effective_date",
                    "customer",
                    "invoice_date",
                    "invoice_due_date",
                    "amount",
                ],
                name="allocation_aging_after",
            ),
        ]
