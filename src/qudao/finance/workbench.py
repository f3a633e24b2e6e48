"""The collection workbench (回款工作台) of a sales rep: invoices due today, due later this
week and overdue, and the promises to pay with whether they were kept, read set-based for
the customers the member may see (a rep: own customers; boss and finance: all, or one rep's).

A promise is kept when the customer's payments dated from the day it was made to the promised
day add up to its amount; broken when that day has passed without; pending until then."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from qudao.core.money import ZERO, quantize
from qudao.finance.models import (
    HALF_FEN,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PromiseToPay,
)
from qudao.finance.selectors import MONEY, open_amount_expression
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership

ROWS: Final = 100
RECENT_PROMISE_DAYS: Final = 30


class PromiseState:
    PENDING: Final = "pending"
    KEPT: Final = "kept"
    BROKEN: Final = "broken"


@dataclass(frozen=True)
class DueRow:
    invoice: Invoice
    open_amount: Decimal
    days_overdue: int  # negative: days until due


@dataclass(frozen=True)
class Section:
    """Up to ROWS invoices, with the count and total of all of them."""

    rows: list[DueRow]
    count: int
    total: Decimal


@dataclass(frozen=True)
class PromiseRow:
    promise: PromiseToPay
    paid: Decimal
    state: str


@dataclass(frozen=True)
class Workbench:
    today: datetime.date
    week_end: datetime.date
    due_today: Section
    due_this_week: Section
    overdue: Section
    promises: list[PromiseRow]


def workbench_customers(membership: Membership, rep_id: int | None = None) -> QuerySet[Party]:
    """The customers on this member's workbench; `rep_id` narrows to one rep's (when the member
    may see all customers, else it is ignored: a rep only ever sees their own)."""
    customers = visible_customers(membership)
    if rep_id is not None:
        customers = customers.filter(owner_id=rep_id)
    return customers


def _open_invoices(customers: QuerySet[Party]) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(
            customer__in=customers, kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED
        )
        .filter(total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN)
        .annotate(open=open_amount_expression())
        .select_related("customer", "customer__owner__user")
    )


def _section(invoices: QuerySet[Invoice], today: datetime.date) -> Section:
    summary = invoices.aggregate(
        count=Count("pk"),
        total=Coalesce(Sum("open"), Value(ZERO), output_field=MONEY),
    )
    total = summary["total"]
    return Section(
        rows=[
            DueRow(invoice, invoice.open_amount, (today - invoice.due_date).days)
            for invoice in invoices.order_by("due_date", "customer__name", "pk")[:ROWS]
            if invoice.due_date is not None
        ],
        count=summary["count"] or 0,
        total=quantize(total if isinstance(total, Decimal) else Decimal(str(total))),
    )


def promises(customers: QuerySet[Party], today: datetime.date) -> list[PromiseRow]:
    """Promises still pending, and those due in the last 30 days, kept or broken."""
    paid = (
        Payment.objects.filter(
            customer=OuterRef("customer"),
            date__gte=OuterRef("recorded_on"),
            date__lte=OuterRef("promised_on"),
        )
        .values("customer")
        .annotate(sum=Sum("amount"))
        .values("sum")
    )
    rows = (
        PromiseToPay.objects.filter(
            customer__in=customers,
            promised_on__gte=today - datetime.timedelta(days=RECENT_PROMISE_DAYS),
        )
        .annotate(
            paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY)
        )
        .select_related("customer", "recorded_by__user")
        .order_by("promised_on", "pk")[: ROWS * 2]
    )
    found = []
    for promise in rows:
        received = quantize(Decimal(str(promise.paid)))  # type: ignore[attr-defined]
        if received >= promise.amount:
            state = PromiseState.KEPT
        elif promise.promised_on < today:
            state = PromiseState.BROKEN
        else:
            state = PromiseState.PENDING
        found.append(PromiseRow(promise, received, state))
    return found


def workbench(
    membership: Membership, *, today: datetime.date, rep_id: int | None = None
) -> Workbench:
    customers = workbench_customers(membership, rep_id)
    invoices = _open_invoices(customers)
    week_end = today + datetime.timedelta(days=6 - today.weekday())  # through Sunday
    return Workbench(
        today=today,
        week_end=week_end,
        due_today=_section(invoices.filter(due_date=today), today),
        due_this_week=_section(invoices.filter(due_date__gt=today, due_date__lte=week_end), today),
        overdue=_section(invoices.filter(due_date__lt=today), today),
        promises=promises(customers, today),
    )
