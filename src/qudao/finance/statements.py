"""Statements of account (对账单), read from the ledger: a customer's receivable lines before a
period give the opening balance, the lines inside it are the documents (invoices, credit notes,
payments, rebate used or given back, refunds, manual adjustments) with a running balance, in a
few set-based queries. The customer's prepayment and rebate balances at the end of the period
come with it.

Also who may see which issued statements: staff see the customers they may see, a retailer
user only its own account's statements.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    CharField,
    DateField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from qudao.core.money import ZERO, quantize
from qudao.finance.balances import balances_at
from qudao.finance.models import (
    RECEIVABLE,
    CustomerRefund,
    DisputeStatus,
    Invoice,
    InvoiceKind,
    JournalLine,
    Payment,
    RebateEntry,
    Statement,
    StatementDispute,
    StatementLineKind,
)
from qudao.finance.selectors import MONEY
from qudao.parties.models import Party, PartyKind
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

INVOICE_SOURCE = "finance.invoice"
PAYMENT_SOURCE = "finance.payment"
REBATE_SOURCE = "finance.rebate"
REFUND_SOURCE = "finance.refund"


@dataclass(frozen=True)
class StatementRow:
    date: datetime.date
    kind: str
    document_number: str
    description: str
    due_date: datetime.date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal
    source_type: str
    source_id: int | None


@dataclass(frozen=True)
class StatementDraft:
    """What a statement for `customer` over [start, end] says, computed now."""

    customer: Party
    start: datetime.date
    end: datetime.date
    opening_balance: Decimal
    rows: list[StatementRow]
    total_debit: Decimal
    total_credit: Decimal
    closing_balance: Decimal
    prepayment_balance: Decimal = ZERO
    rebate_balance: Decimal = ZERO


def _decimal(value: object) -> Decimal:
    """A database sum as an exact amount (SQLite may answer in binary floating point)."""
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _receivable(customer: Party) -> QuerySet[JournalLine]:
    return JournalLine.objects.filter(party=customer, account__code=RECEIVABLE)


def balance_before(customer: Party, day: datetime.date) -> Decimal:
    """What the customer owed at the start of `day` (sum of earlier receivable lines)."""
    total = (
        _receivable(customer)
        .filter(entry__date__lt=day)
        .aggregate(
            balance=Coalesce(Sum(F("debit") - F("credit")), Value(ZERO), output_field=MONEY)
        )["balance"]
    )
    return _decimal(total)


def _kind(source_type: str, invoice_kind: str | None) -> str:
    if source_type == INVOICE_SOURCE:
        if invoice_kind == InvoiceKind.CREDIT_NOTE:
            return StatementLineKind.CREDIT_NOTE
        return StatementLineKind.INVOICE
    if source_type == PAYMENT_SOURCE:
        return StatementLineKind.PAYMENT
    if source_type == REBATE_SOURCE:
        return StatementLineKind.REBATE
    if source_type == REFUND_SOURCE:
        return StatementLineKind.REFUND
    return StatementLineKind.ADJUSTMENT


def statement_for(customer: Party, start: datetime.date, end: datetime.date) -> StatementDraft:
    """The statement as the ledger tells it today: opening balance, each receivable line of the
    period in date order with the running balance, and the closing balance."""
    opening = balance_before(customer, start)
    invoices = Invoice.objects.filter(pk=OuterRef("entry__source_id"))
    payments = Payment.objects.filter(pk=OuterRef("entry__source_id"))
    refunds = CustomerRefund.objects.filter(pk=OuterRef("entry__source_id"))
    rebates = RebateEntry.objects.filter(pk=OuterRef("entry__source_id"))
    ordering = [F("entry__date").asc(), F("entry_id").asc(), F("pk").asc()]
    lines = (
        _receivable(customer)
        .filter(entry__date__gte=start, entry__date__lte=end)
        .annotate(
            invoice_number=Subquery(invoices.values("number")[:1], output_field=CharField()),
            invoice_kind=Subquery(invoices.values("kind")[:1], output_field=CharField()),
            invoice_due=Subquery(invoices.values("due_date")[:1], output_field=DateField()),
            payment_number=Subquery(payments.values("number")[:1], output_field=CharField()),
            refund_number=Subquery(refunds.values("number")[:1], output_field=CharField()),
            rebate_invoice=Subquery(
                rebates.values("invoice__number")[:1], output_field=CharField()
            ),
            moved=Window(Sum(F("debit") - F("credit")), order_by=ordering, output_field=MONEY),
        )
        .order_by(*ordering)
        .values(
            "debit",
            "credit",
            "moved",
            "entry__date",
            "entry__number",
            "entry__memo",
            "entry__source_type",
            "entry__source_id",
            "invoice_number",
            "invoice_kind",
            "invoice_due",
            "payment_number",
            "refund_number",
            "rebate_invoice",
        )
    )
    rows = []
    for line in lines:
        source_type = line["entry__source_type"]
        kind = _kind(source_type, line["invoice_kind"])
        if source_type == INVOICE_SOURCE:
            number = line["invoice_number"] or ""
        elif source_type == PAYMENT_SOURCE:
            number = line["payment_number"] or ""
        elif source_type == REFUND_SOURCE:
            number = line["refund_number"] or ""
        elif source_type == REBATE_SOURCE:
            number = line["rebate_invoice"] or line["entry__number"]
        else:
            number = line["entry__number"]
        rows.append(
            StatementRow(
                date=line["entry__date"],
                kind=kind,
                document_number=number,
                description=line["entry__memo"],
                due_date=line["invoice_due"] if kind == StatementLineKind.INVOICE else None,
                debit=_decimal(line["debit"]),
                credit=_decimal(line["credit"]),
                balance=opening + _decimal(line["moved"]),
                source_type=source_type,
                source_id=line["entry__source_id"],
            )
        )
    total_debit = sum((row.debit for row in rows), ZERO)
    total_credit = sum((row.credit for row in rows), ZERO)
    prepayment, rebate = balances_at(customer, end)
    return StatementDraft(
        customer=customer,
        start=start,
        end=end,
        opening_balance=opening,
        rows=rows,
        total_debit=total_debit,
        total_credit=total_credit,
        closing_balance=opening + total_debit - total_credit,
        prepayment_balance=prepayment,
        rebate_balance=rebate,
    )


def visible_statements(membership: Membership) -> QuerySet[Statement]:
    """Issued statements this member may see: staff by customer, a retailer its own only."""
    statements = Statement.objects.select_related("customer")
    if can(membership, Perm.VIEW_FINANCE):
        return statements.filter(customer__in=visible_customers(membership))
    if can(membership, Perm.USE_PORTAL) and membership.party_id is not None:
        return statements.filter(customer_id=membership.party_id, customer__kind=PartyKind.CUSTOMER)
    return statements.none()


def open_disputes(membership: Membership) -> QuerySet[StatementDispute]:
    """Open disputes on the statements this member may see, oldest first."""
    return (
        StatementDispute.objects.filter(
            status=DisputeStatus.OPEN, statement__in=visible_statements(membership)
        )
        .select_related("statement__customer", "line", "raised_by__user")
        .order_by("raised_at", "pk")
    )
