"""Each customer's payment behaviour (回款习惯), learnt from how its invoices were really paid,
and the receipts it lets us expect from what is open now. Set-based: three grouped queries.

- days late: the amount-weighted average of (payment date − invoice due date, never below 0)
  over the allocations of payments dated in the lookback window (as_of − months, as_of];
- collected share: of the invoices that fell due in (as_of − months, as_of − within_days]
  (each long enough ago to have had `within_days` to be paid), the part of their total (less
  credit notes) paid by payments dated no later than `within_days` after the due date.

A customer without history takes the organization's average; with no history at all, due dates
hold and everything is collected (0 days late, share 1).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from django.db.models import F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from qudao.core.money import ZERO, quantize
from qudao.finance.models import Allocation, Invoice, InvoiceKind, InvoiceStatus
from qudao.finance.selectors import MONEY

LOOKBACK_MONTHS: Final = 6
ONE: Final = Decimal(1)


class DayNumber(Func):
    """A date as a whole day count, so that date differences can be summed in SQL."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '2000-01-01')", **extra
        )


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _decimal(value: object) -> Decimal:
    """A sum from the database, via str: SQLite hands back floats for decimal sums."""
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


@dataclass(frozen=True)
class Behaviour:
    """How a customer pays: average days late and the share collected within the horizon."""

    days_late: Decimal  # one decimal
    collected_share: Decimal  # 0 to 1, four decimals
    own_lateness: bool = False  # False: the organization's average stands in
    own_share: bool = False

    @property
    def shift_days(self) -> int:
        return int(self.days_late.to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def share_percent(self) -> Decimal:
        return (self.collected_share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def expected_on(self, due: datetime.date, *, today: datetime.date) -> datetime.date:
        """Due date shifted by the habitual delay; never before today (the past is past)."""
        return max(due + datetime.timedelta(days=self.shift_days), today)


NO_HISTORY: Final = Behaviour(days_late=Decimal("0.0"), collected_share=Decimal("1.0000"))


@dataclass(frozen=True)
class PaymentBehaviour:
    as_of: datetime.date
    within_days: int
    average: Behaviour
    by_customer: dict[int, Behaviour] = field(default_factory=dict)

    def of(self, customer_id: int) -> Behaviour:
        return self.by_customer.get(customer_id, self.average)


def _days_late(paid: Decimal, weighted: Decimal) -> Decimal:
    return (weighted / paid).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _share(collected: Decimal, billed: Decimal) -> Decimal:
    return min(collected / billed, ONE).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def payment_behaviour(
    *, as_of: datetime.date, within_days: int = 90, months: int = LOOKBACK_MONTHS
) -> PaymentBehaviour:
    """Every customer's behaviour as known on `as_of` (later payments are not seen)."""
    start = months_before(as_of, months)
    due = Coalesce("invoice__due_date", "invoice__date")
    lateness = Greatest(DayNumber("payment__date") - DayNumber(due), Value(0))
    late_rows = (
        Allocation.objects.filter(
            invoice__kind=InvoiceKind.INVOICE, payment__date__gt=start, payment__date__lte=as_of
        )
        .values("invoice__customer_id")
        .annotate(paid=Sum("amount"), weighted=Sum(F("amount") * lateness, output_field=MONEY))
        .values_list("invoice__customer_id", "paid", "weighted")
    )
    share_end = as_of - datetime.timedelta(days=within_days)
    in_window = Q(invoice__due_date__gt=start, invoice__due_date__lte=share_end)
    collected_rows = (
        Allocation.objects.filter(in_window, invoice__kind=InvoiceKind.INVOICE)
        .annotate(delay=DayNumber("payment__date") - DayNumber("invoice__due_date"))
        .filter(delay__lte=within_days, payment__date__lte=as_of)
        .values("invoice__customer_id")
        .annotate(collected=Sum("amount"))
        .values_list("invoice__customer_id", "collected")
    )
    billed_rows = (
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE,
            status__in=[InvoiceStatus.POSTED, InvoiceStatus.CANCELLED],
            posted_at__isnull=False,
            due_date__gt=start,
            due_date__lte=share_end,
        )
        .values("customer_id")
        .annotate(billed=Sum(F("total") - F("amount_credited"), output_field=MONEY))
        .values_list("customer_id", "billed")
    )
    lateness_of = {c: (_decimal(p), _decimal(w)) for c, p, w in late_rows}
    collected_of = {c: _decimal(v) for c, v in collected_rows}
    billed_of = {c: _decimal(v) for c, v in billed_rows if _decimal(v) > 0}

    all_paid = sum((p for p, _w in lateness_of.values()), Decimal(0))
    all_weighted = sum((w for _p, w in lateness_of.values()), Decimal(0))
    all_billed = sum(billed_of.values(), Decimal(0))
    all_collected = sum((collected_of.get(c, Decimal(0)) for c in billed_of), Decimal(0))
    average = Behaviour(
        days_late=_days_late(all_paid, all_weighted) if all_paid > 0 else NO_HISTORY.days_late,
        collected_share=(
            _share(all_collected, all_billed) if all_billed > 0 else NO_HISTORY.collected_share
        ),
    )
    by_customer = {}
    for customer_id in set(lateness_of) | set(billed_of):
        paid, weighted = lateness_of.get(customer_id, (Decimal(0), Decimal(0)))
        billed = billed_of.get(customer_id, Decimal(0))
        by_customer[customer_id] = Behaviour(
            days_late=_days_late(paid, weighted) if paid > 0 else average.days_late,
            collected_share=(
                _share(collected_of.get(customer_id, Decimal(0)), billed)
                if billed > 0
                else average.collected_share
            ),
            own_lateness=paid > 0,
            own_share=billed > 0,
        )
    return PaymentBehaviour(
        as_of=as_of, within_days=within_days, average=average, by_customer=by_customer
    )


@dataclass(frozen=True)
class ExpectedReceipt:
    """What is open on a customer's invoices due on one day, and when and how much of it we
    expect: the due date shifted by its habit, the amount weighted by its collected share."""

    customer_id: int
    due_on: datetime.date
    open_amount: Decimal
    expected_on: datetime.date
    expected_amount: Decimal


def open_by_due_date(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Open amounts of posted invoices grouped by customer and due date (one query)."""
    return (
        invoices.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED)
        .values("customer_id", due=Coalesce("due_date", "date"))
        .annotate(
            open=Sum(F("total") - F("amount_paid") - F("amount_credited"), output_field=MONEY)
        )
        .order_by("due", "customer_id")
    )


def expected_receipts(
    rows: Iterable[dict[str, Any]], behaviour: PaymentBehaviour, *, today: datetime.date
) -> list[ExpectedReceipt]:
    """Each (customer, due date) group of `open_by_due_date` as an expected receipt."""
    receipts = []
    for row in rows:
        open_amount = quantize(_decimal(row["open"]))
        if open_amount <= ZERO:
            continue
        habit = behaviour.of(row["customer_id"])
        receipts.append(
            ExpectedReceipt(
                customer_id=row["customer_id"],
                due_on=row["due"],
                open_amount=open_amount,
                expected_on=habit.expected_on(row["due"], today=today),
                expected_amount=quantize(open_amount * habit.collected_share),
            )
        )
    return receipts
