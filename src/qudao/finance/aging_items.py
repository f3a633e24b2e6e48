"""A customer's open invoices as of a date: the documents behind one row of the aging report
(what `finance.aging` sums, read invoice by invoice in one query)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from qudao.core.money import ZERO
from qudao.finance.models import Allocation, Invoice, InvoiceKind
from qudao.parties.models import Party

_MONEY = DecimalField(max_digits=18, decimal_places=2)
HALF_FEN = Decimal("0.005")


def _later(queryset: QuerySet, amount: str) -> Coalesce:
    """The sum of `amount` over `queryset` (rows after the date, of the outer invoice)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("org").annotate(sum=Sum(amount)).values("sum")[:1],
            output_field=_MONEY,
        ),
        ZERO,
        output_field=_MONEY,
    )


def open_invoices_as_of(customer: Party, as_of: datetime.date) -> QuerySet[Invoice]:
    """The customer's invoices open on `as_of`, oldest due first, each with `open_as_of`: what
    is open now plus what was allocated (in effect) or credited after that date, as the aging
    report counts it."""
    later_allocations = Allocation.objects.filter(invoice=OuterRef("pk"), effective_date__gt=as_of)
    later_credit_notes = Invoice.objects.filter(
        credited_invoice=OuterRef("pk"),
        kind=InvoiceKind.CREDIT_NOTE,
        posted_at__isnull=False,
        date__gt=as_of,
    )
    return (
        Invoice.objects.filter(
            customer=customer, kind=InvoiceKind.INVOICE, posted_at__isnull=False, date__lte=as_of
        )
        .annotate(
            open_as_of=ExpressionWrapper(
                F("total")
                - F("amount_paid")
                - F("amount_credited")
                + _later(later_allocations, "amount")
                + _later(later_credit_notes, "total"),
                output_field=_MONEY,
            )
        )
        .filter(open_as_of__gt=HALF_FEN)
        .order_by("due_date", "date", "pk")
    )
