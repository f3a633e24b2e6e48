"""Reads of the customers' prepayment and rebate accounts: balances now or at the end of a
day, what open orders have reserved, the rebate an order may use, and the lists the account
pages show. Set-based; nothing here writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from qudao.core.money import ZERO, quantize
from qudao.finance.models import (
    DEFAULT_REBATE_SHARE,
    AccountSettings,
    Allocation,
    CustomerRefund,
    Payment,
    PrepaymentTopUp,
    RebateEntry,
    RebateReservation,
    RefundPart,
    TopUpStatus,
)
from qudao.finance.selectors import MONEY
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.models import Membership, Organization


def _money(value: object) -> Decimal:
    """A database sum as an exact amount (SQLite may answer in binary floating point)."""
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _sum(expression: object) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=MONEY)  # type: ignore[arg-type]


def account_settings(org: Organization) -> AccountSettings:
    """The organization's account settings; the defaults until someone saves them."""
    return AccountSettings.objects.filter(org=org).first() or AccountSettings(
        org=org, rebate_max_share=DEFAULT_REBATE_SHARE
    )


def prepayment_balance(customer: Party) -> Decimal:
    """Money received from the customer not yet settling an invoice nor refunded."""
    total = Payment.objects.filter(customer=customer).aggregate(
        left=_sum(F("amount") - F("amount_allocated"))
    )["left"]
    return _money(total)


def rebate_balance(customer: Party) -> Decimal:
    total = RebateEntry.objects.filter(customer=customer).aggregate(balance=_sum("amount"))[
        "balance"
    ]
    return _money(total)


def rebate_reserved(customer: Party, *, exclude_reference: str = "") -> Decimal:
    """What open orders of the customer have reserved (less the one being changed)."""
    rows = RebateReservation.objects.filter(customer=customer)
    if exclude_reference:
        rows = rows.exclude(reference=exclude_reference)
    return _money(rows.aggregate(total=_sum("amount"))["total"])


def reservation_of(reference: str) -> Decimal:
    row = RebateReservation.objects.filter(reference=reference).first()
    return row.amount if row is not None else ZERO


def rebate_used_by(reference: str) -> Decimal:
    """What the order's invoices have taken from the rebate account so far (net of what
    credit notes gave back)."""
    total = RebateEntry.objects.filter(order_reference=reference).aggregate(t=_sum("amount"))["t"]
    return -_money(total)


@dataclass(frozen=True)
class AccountBalances:
    """Both accounts of one customer, as the order, account and portal pages show them."""

    prepayment: Decimal
    rebate: Decimal
    rebate_reserved: Decimal
    pending_top_ups: Decimal

    @property
    def rebate_available(self) -> Decimal:
        return self.rebate - self.rebate_reserved


def balances_of(customer: Party) -> AccountBalances:
    """The customer's prepayment and rebate balances now (four small aggregates)."""
    pending = PrepaymentTopUp.objects.filter(
        customer=customer, status=TopUpStatus.PENDING
    ).aggregate(total=_sum("amount"))["total"]
    return AccountBalances(
        prepayment=prepayment_balance(customer),
        rebate=rebate_balance(customer),
        rebate_reserved=rebate_reserved(customer),
        pending_top_ups=_money(pending),
    )


def balances_at(customer: Party, day: datetime.date) -> tuple[Decimal, Decimal]:
    """(prepayment, rebate) at the end of `day`: payments dated by then less what settled
    invoices or was refunded by then (an allocation counts from its creation, a refund from
    its date); rebate entries dated by then."""
    received = Payment.objects.filter(customer=customer, date__lte=day).aggregate(
        total=_sum("amount")
    )["total"]
    allocated = Allocation.objects.filter(
        payment__customer=customer, payment__date__lte=day, created_at__date__lte=day
    ).aggregate(total=_sum("amount"))["total"]
    refunded = RefundPart.objects.filter(
        payment__customer=customer, payment__date__lte=day, refund__date__lte=day
    ).aggregate(total=_sum("amount"))["total"]
    rebate = RebateEntry.objects.filter(customer=customer, date__lte=day).aggregate(
        total=_sum("amount")
    )["total"]
    return (
        max(_money(received) - _money(allocated) - _money(refunded), ZERO),
        _money(rebate),
    )


# ---------------------------------------------------------------------------------------------
# Lists


def visible_top_ups(membership: Membership) -> QuerySet[PrepaymentTopUp]:
    """Top-ups of the customers this staff member may see."""
    return PrepaymentTopUp.objects.filter(
        customer__in=visible_customers(membership)
    ).select_related("customer", "submitted_by__user", "decided_by__user", "payment")


def pending_top_ups(membership: Membership) -> QuerySet[PrepaymentTopUp]:
    """Finance's queue: top-ups waiting for a decision, oldest first."""
    return (
        visible_top_ups(membership)
        .filter(status=TopUpStatus.PENDING)
        .order_by("submitted_at", "pk")
    )


def top_ups_of(customer: Party, limit: int = 50) -> list[PrepaymentTopUp]:
    return list(
        PrepaymentTopUp.objects.filter(customer=customer)
        .select_related("payment", "decided_by__user")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def refunds_of(customer: Party, limit: int = 50) -> list[CustomerRefund]:
    return list(
        CustomerRefund.objects.filter(customer=customer)
        .select_related("posted_by__user")
        .order_by("-date", "-pk")[:limit]
    )


def rebate_entries_of(customer: Party, limit: int = 100) -> list[RebateEntry]:
    """The rebate account's movements, newest first, with a running balance per row."""
    entries = list(
        RebateEntry.objects.filter(customer=customer)
        .select_related("invoice", "credit_note", "created_by__user")
        .order_by("-date", "-pk")[:limit]
    )
    balance = rebate_balance(customer)
    for entry in entries:
        entry.balance_after = balance  # type: ignore[attr-defined]
        balance -= entry.amount
    reversed_ids = set(
        RebateEntry.objects.filter(reverses__in=[e.pk for e in entries]).values_list(
            "reverses_id", flat=True
        )
    )
    for entry in entries:
        entry.is_reversed = entry.pk in reversed_ids  # type: ignore[attr-defined]
    return entries


def open_payments(customer: Party) -> QuerySet[Payment]:
    """The customer's payments with money left, oldest first (what a refund or a new
    invoice takes from first)."""
    return (
        Payment.objects.filter(customer=customer)
        .filter(amount__gt=F("amount_allocated"))
        .order_by("date", "pk")
    )
