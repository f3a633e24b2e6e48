"""Reads of the bank acceptance bills customers paid us with (承兑汇票): open or cleared, what
matures soon, and what is still at risk. A bill past maturity and not cleared is still open."""

from __future__ import annotations

import datetime
from typing import Final

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from qudao.finance.models import BillClearing, Payment, PaymentMethod
from qudao.finance.selectors import visible_payments
from qudao.tenancy.models import Membership

DUE_SOON_DAYS: Final = 30


class BillStatus:
    OPEN = "open"
    OVERDUE = "overdue"  # past maturity, not yet recorded as paid
    CLEARED = "cleared"


def _cleared() -> Exists:
    return Exists(BillClearing.objects.filter(payment=OuterRef("pk")))


def bills_received(membership: Membership) -> QuerySet[Payment]:
    """Every bill the membership may see, with `is_cleared` and its clearing's kind and date."""
    clearing = BillClearing.objects.filter(payment=OuterRef("pk"))
    return (
        visible_payments(membership)
        .filter(method=PaymentMethod.ACCEPTANCE_BILL)
        .annotate(
            is_cleared=_cleared(),
            cleared_kind=Subquery(clearing.values("kind")[:1]),
            cleared_on=Subquery(clearing.values("date")[:1]),
        )
    )


def uncleared_bills() -> QuerySet[Payment]:
    """The organization's bills still in bills receivable, whatever their maturity."""
    return Payment.objects.filter(method=PaymentMethod.ACCEPTANCE_BILL).exclude(_cleared())


def filter_bills(
    bills: QuerySet[Payment], *, status: str, due_within: int | None, today: datetime.date
) -> QuerySet[Payment]:
    """Narrow `bills_received` to a status and to those maturing within `due_within` days."""
    if status == BillStatus.OPEN:
        bills = bills.filter(is_cleared=False, bill_maturity__gte=today)
    elif status == BillStatus.OVERDUE:
        bills = bills.filter(is_cleared=False, bill_maturity__lt=today)
    elif status == BillStatus.CLEARED:
        bills = bills.filter(is_cleared=True)
    if due_within is not None:
        bills = bills.filter(
            is_cleared=False, bill_maturity__lte=today + datetime.timedelta(days=due_within)
        )
    return bills
