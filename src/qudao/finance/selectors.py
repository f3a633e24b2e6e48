"""Reads of the ledger, invoices, payments and customer accounts; set-based, role-scoped."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from qudao.core.money import ZERO, quantize
from qudao.finance.models import (
    RECEIVABLE,
    Allocation,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    JournalEntry,
    JournalLine,
    Payment,
    RebateEntry,
)
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership

MONEY = DecimalField(max_digits=18, decimal_places=2)


def _sum(expression: object) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=MONEY)  # type: ignore[arg-type]


def party_balance(party: Party) -> Decimal:
    """What the customer owes: debits minus credits of its receivable lines (negative: credit)."""
    total = JournalLine.objects.filter(party=party, account__code=RECEIVABLE).aggregate(
        balance=_sum(F("debit") - F("credit"))
    )["balance"]
    return quantize(Decimal(total))


def unallocated_amount(party: Party) -> Decimal:
    """Money received from the customer not yet allocated to an invoice (its credit with us)."""
    total = Payment.objects.filter(customer=party).aggregate(
        left=_sum(F("amount") - F("amount_allocated"))
    )["left"]
    return quantize(Decimal(total))


def open_amount_expression() -> ExpressionWrapper:
    return ExpressionWrapper(F("total") - F("amount_paid") - F("amount_credited"), MONEY)


def visible_invoices(membership: Membership) -> QuerySet[Invoice]:
    """Invoices and credit notes of the customers this member may see."""
    return Invoice.objects.filter(customer__in=visible_customers(membership)).select_related(
        "customer"
    )


def visible_payments(membership: Membership) -> QuerySet[Payment]:
    return Payment.objects.filter(customer__in=visible_customers(membership)).select_related(
        "customer"
    )


def overdue(invoices: QuerySet[Invoice], today: datetime.date) -> QuerySet[Invoice]:
    return invoices.filter(
        kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED, due_date__lt=today
    ).filter(total__gt=F("amount_paid") + F("amount_credited"))


def customer_accounts(membership: Membership) -> QuerySet[Party]:
    """Visible customers with their receivable balance, open invoices, unallocated money (the
    prepayment balance) and rebate balance."""
    lines = (
        JournalLine.objects.filter(party=OuterRef("pk"), account__code=RECEIVABLE)
        .values("party")
        .annotate(balance=Sum(F("debit") - F("credit")))
        .values("balance")
    )
    open_invoices = (
        Invoice.objects.filter(
            customer=OuterRef("pk"), kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED
        )
        .values("customer")
        .annotate(open=Sum(F("total") - F("amount_paid") - F("amount_credited")))
        .values("open")
    )
    unallocated = (
        Payment.objects.filter(customer=OuterRef("pk"))
        .values("customer")
        .annotate(left=Sum(F("amount") - F("amount_allocated")))
        .values("left")
    )
    rebate = (
        RebateEntry.objects.filter(customer=OuterRef("pk"))
        .values("customer")
        .annotate(balance=Sum("amount"))
        .values("balance")
    )
    return visible_customers(membership).annotate(
        balance=Coalesce(Subquery(lines, output_field=MONEY), Value(ZERO), output_field=MONEY),
        open_total=Coalesce(
            Subquery(open_invoices, output_field=MONEY), Value(ZERO), output_field=MONEY
        ),
        unallocated=Coalesce(
            Subquery(unallocated, output_field=MONEY), Value(ZERO), output_field=MONEY
        ),
        rebate=Coalesce(Subquery(rebate, output_field=MONEY), Value(ZERO), output_field=MONEY),
    )


def ledger_lines(party: Party, limit: int = 200) -> QuerySet[JournalLine]:
    return (
        JournalLine.objects.filter(party=party)
        .select_related("entry", "account")
        .order_by("-entry__date", "-entry_id", "-pk")[:limit]
    )


def journal_entries() -> QuerySet[JournalEntry]:
    return JournalEntry.objects.annotate(
        amount=_sum("lines__debit"),
    ).select_related("posted_by__user", "reverses")


def allocations_of_invoice(invoice: Invoice) -> QuerySet[Allocation]:
    return invoice.allocations.select_related("payment", "credit_note").order_by("pk")


def unbalanced_entries() -> QuerySet[JournalEntry]:
    """Entries whose debits and credits differ by at least one fen (should be none)."""
    half_fen = Decimal("0.005")
    return (
        JournalEntry.objects.annotate(difference=_sum(F("lines__debit") - F("lines__credit")))
        .filter(Q(difference__gte=half_fen) | Q(difference__lte=-half_fen))
        .order_by("pk")
    )
