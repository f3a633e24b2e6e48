"""Collection targets against actuals (回款目标与回款率), for one period, set-based:

- a manufacturer's target against what we paid it: debits of its payables sub-ledger posted by
  supplier payments dated in the period, and what we still owe it now;
- a sales rep's target against what their customers paid (payments dated in the period), with
  the sales invoiced in the period (less credit notes) and the collection rate 回款率 =
  collected / sales, what is still needed, and a forecast: collected so far plus what is open
  on their customers' invoices, each expected on its due date shifted by the customer's habitual
  delay and weighted by the share the customer usually pays in time (`finance.behaviour`).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db.models import F, QuerySet, Sum

from qudao.core.money import ZERO, quantize
from qudao.finance.behaviour import (
    Behaviour,
    expected_receipts,
    open_by_due_date,
    payment_behaviour,
)
from qudao.finance.models import (
    PAYABLE,
    CollectionTarget,
    Invoice,
    InvoiceKind,
    JournalLine,
    Payment,
    PeriodKind,
    TargetKind,
)
from qudao.parties.models import Party
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

# finance never imports purchasing: its supplier payments are known by their source type
SUPPLIER_PAYMENT_SOURCE: Final = "purchasing.supplier_payment"
# a collection rate beyond this reads ">999 %": the period's sales are tiny next to what came in
# (money for older invoices), and the exact figure says nothing
RATE_SHOWN_UP_TO: Final = Decimal(999)


def period_bounds(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month, quarter or year that contains `day`."""
    if kind == PeriodKind.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    if kind == PeriodKind.QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        last = calendar.monthrange(day.year, last_month)[1]
        return datetime.date(day.year, first_month, 1), datetime.date(day.year, last_month, last)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _money(value: object) -> Decimal:
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole <= 0 else (part / whole * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class SupplierTargetRow:
    target: CollectionTarget
    paid: Decimal
    still_needed: Decimal
    owed_now: Decimal
    progress: Decimal | None  # percent of the target


@dataclass(frozen=True)
class CustomerForecast:
    """Why the forecast expects what it does from one customer."""

    customer: Party
    behaviour: Behaviour
    open_amount: Decimal  # open on invoices due by the end of the period
    first_expected_on: datetime.date
    expected_by_end: Decimal


@dataclass(frozen=True)
class RepTargetRow:
    target: CollectionTarget
    collected: Decimal
    sales: Decimal
    collection_rate: Decimal | None  # percent
    still_needed: Decimal
    due_by_end: Decimal
    forecast: Decimal
    progress: Decimal | None
    expected_by_end: Decimal = ZERO
    reasons: tuple[CustomerForecast, ...] = ()

    @property
    def has_no_sales(self) -> bool:
        """No sales in the period (net of credit notes): the rate collected ÷ sales is undefined."""
        return self.collection_rate is None

    @property
    def rate_beyond_shown(self) -> bool:
        """The rate is above `RATE_SHOWN_UP_TO`: mostly older invoices paid against tiny sales."""
        return self.collection_rate is not None and self.collection_rate > RATE_SHOWN_UP_TO


@dataclass(frozen=True)
class TargetReport:
    period_kind: str
    start: datetime.date
    end: datetime.date
    suppliers: list[SupplierTargetRow]
    reps: list[RepTargetRow]


def _targets(kind: str, period_kind: str, start: datetime.date) -> QuerySet[CollectionTarget]:
    return CollectionTarget.objects.filter(
        kind=kind, period_kind=period_kind, period_start=start
    ).select_related("supplier", "rep__user")


def _supplier_rows(
    period_kind: str, start: datetime.date, end: datetime.date
) -> list[SupplierTargetRow]:
    targets = list(_targets(TargetKind.SUPPLIER, period_kind, start).order_by("supplier__name"))
    ids = [t.supplier_id for t in targets]
    payables = JournalLine.objects.filter(party_id__in=ids, account__code=PAYABLE)
    paid = dict(
        payables.filter(
            entry__source_type=SUPPLIER_PAYMENT_SOURCE,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .values("party_id")
        .annotate(total=Sum("debit"))
        .values_list("party_id", "total")
    )
    owed = dict(
        payables.values("party_id")
        .annotate(total=Sum("credit") - Sum("debit"))
        .values_list("party_id", "total")
    )
    rows = []
    for target in targets:
        done = _money(paid.get(target.supplier_id))
        rows.append(
            SupplierTargetRow(
                target=target,
                paid=done,
                still_needed=max(target.amount - done, ZERO),
                owed_now=_money(owed.get(target.supplier_id)),
                progress=_rate(done, target.amount),
            )
        )
    return rows


def _by_owner(rows: QuerySet[Payment] | QuerySet[Invoice], amount: str) -> dict[int, Decimal]:
    return {
        owner: _money(total)
        for owner, total in rows.values("customer__owner_id")
        .annotate(total=Sum(amount))
        .values_list("customer__owner_id", "total")
    }


def _rep_rows(
    period_kind: str,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    only: Membership | None,
) -> list[RepTargetRow]:
    targets = _targets(TargetKind.REP, period_kind, start).order_by("rep__user__username")
    if only is not None:
        targets = targets.filter(rep=only)
    found = list(targets)
    customers = Party.objects.filter(owner_id__in=[t.rep_id for t in found])
    collected = _by_owner(
        Payment.objects.filter(customer__in=customers, date__gte=start, date__lte=end), "amount"
    )
    in_period = Invoice.objects.filter(
        customer__in=customers, posted_at__isnull=False, date__gte=start, date__lte=end
    )
    invoiced = _by_owner(in_period.filter(kind=InvoiceKind.INVOICE), "total")
    credited = _by_owner(in_period.filter(kind=InvoiceKind.CREDIT_NOTE), "total")
    open_rows = list(
        open_by_due_date(Invoice.objects.filter(customer__in=customers)).annotate(
            owner=F("customer__owner_id")
        )
    )
    behaviour = payment_behaviour(as_of=today, within_days=max((end - today).days, 0))
    receipts = expected_receipts(open_rows, behaviour, today=today)
    owner_of = {row["customer_id"]: row["owner"] for row in open_rows}
    names = {c.pk: c for c in Party.objects.filter(pk__in={r.customer_id for r in receipts})}
    due_by_end: dict[int, Decimal] = {}
    expected: dict[int, Decimal] = {}
    reasons: dict[int, dict[int, CustomerForecast]] = {}
    for receipt in receipts if end >= today else []:
        owner = owner_of[receipt.customer_id]
        counted = receipt.expected_on <= end
        if receipt.due_on > end and not counted:
            continue
        if receipt.due_on <= end:
            due_by_end[owner] = due_by_end.get(owner, ZERO) + receipt.open_amount
        amount = receipt.expected_amount if counted else ZERO
        expected[owner] = expected.get(owner, ZERO) + amount
        mine = reasons.setdefault(owner, {})
        before = mine.get(receipt.customer_id)
        mine[receipt.customer_id] = CustomerForecast(
            customer=names[receipt.customer_id],
            behaviour=behaviour.of(receipt.customer_id),
            open_amount=(before.open_amount if before else ZERO)
            + (receipt.open_amount if receipt.due_on <= end else ZERO),
            first_expected_on=before.first_expected_on if before else receipt.expected_on,
            expected_by_end=(before.expected_by_end if before else ZERO) + amount,
        )
    rows = []
    for target in found:
        done = collected.get(target.rep_id, ZERO)
        sales = invoiced.get(target.rep_id, ZERO) - credited.get(target.rep_id, ZERO)
        due = due_by_end.get(target.rep_id, ZERO)
        coming = expected.get(target.rep_id, ZERO)
        rows.append(
            RepTargetRow(
                target=target,
                collected=done,
                sales=sales,
                collection_rate=_rate(done, sales),
                still_needed=max(target.amount - done, ZERO),
                due_by_end=due,
                forecast=done + coming,
                progress=_rate(done, target.amount),
                expected_by_end=coming,
                reasons=tuple(
                    sorted(
                        reasons.get(target.rep_id, {}).values(),
                        key=lambda r: (-r.expected_by_end, r.customer.name),
                    )
                ),
            )
        )
    return rows


def target_report(
    membership: Membership, *, period_kind: str, day: datetime.date, today: datetime.date
) -> TargetReport:
    """The period's targets against actuals; a rep sees only their own target."""
    start, end = period_bounds(period_kind, day)
    sees_all = can(membership, Perm.VIEW_ALL_CUSTOMERS)
    return TargetReport(
        period_kind=period_kind,
        start=start,
        end=end,
        suppliers=_supplier_rows(period_kind, start, end) if sees_all else [],
        reps=_rep_rows(period_kind, start, end, today, None if sees_all else membership),
    )
