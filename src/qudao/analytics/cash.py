"""The cash squeeze (资金挤压): how long money sits with retailers, in stock and with us before we
pay manufacturers, and the cash gap week by week over the next 90 days. Set-based: a fixed
number of aggregate queries whatever the size of the books.

Over a period of `days` days ending on `end` (both balances are averages of the opening and
closing ones):

- DSO (days sales outstanding) = average receivables ÷ sales × days; receivables are what
  customers owe: each customer's 1122 balance floored at zero, so one customer's money paid
  ahead does not hide what another owes. Those credit balances are prepayments held (预收款),
  money we hold and owe in goods: a liability, shown beside, never netted. Sales are posted
  invoices less credit notes, tax included like the receivables;
- DIO (days inventory outstanding) = average inventory value ÷ cost of goods sold × days; both
  from the stock moves at their unit cost: value is what came in from outside less what went
  out, cost of goods sold is what was shipped to customers less what came back;
- DPO (days payables outstanding) = average payables ÷ purchases × days; payables are what we
  owe suppliers: each supplier's 2202 balance floored at zero (what we paid one manufacturer
  ahead does not lower what we owe another; it is shown as money tied up in prepayments);
  purchases are posted supplier invoices less supplier credit notes, tax included;
- CCC (cash conversion cycle) = DSO + DIO − DPO.

The projection: customer invoices expected by each customer's habit (`finance.behaviour`),
bills receivable at maturity; supplier invoices by due date, prepayments requested on purchase
orders and not paid, our acceptance bills at maturity. Anything already late counts today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from qudao.core.money import ZERO, quantize
from qudao.finance.behaviour import expected_receipts, open_by_due_date, payment_behaviour
from qudao.finance.bills import uncleared_bills
from qudao.finance.models import (
    BANK,
    CASH,
    OTHER_MONETARY_FUNDS,
    PAYABLE,
    RECEIVABLE,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    JournalLine,
    Payment,
)
from qudao.inventory.models import MoveKind, StockMove
from qudao.purchasing.models import OrderStatus, PaymentCondition, PurchaseOrder
from qudao.purchasing.payables.models import (
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceStatus,
    SupplierPayment,
    SupplierPaymentMethod,
)

PERIODS: Final = (30, 90, 180, 365)
HORIZON_DAYS: Final = 90
WEEKS: Final = 13  # 13 weeks of 7 days: today .. today + 90
VALUE: Final = DecimalField(max_digits=24, decimal_places=6)
MONEY: Final = DecimalField(max_digits=18, decimal_places=2)


def _money(value: object) -> Decimal:
    """A sum from the database, via str: SQLite hands back floats for decimal sums."""
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _days(part: Decimal, whole: Decimal, days: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (part / whole * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Balance:
    opening: Decimal
    closing: Decimal

    @property
    def average(self) -> Decimal:
        return quantize((self.opening + self.closing) / 2)


@dataclass(frozen=True)
class Ratios:
    days: int
    first: datetime.date
    end: datetime.date
    receivables: Balance  # what customers owe: their debit balances only
    sales: Decimal
    inventory: Balance
    cost_of_goods_sold: Decimal
    payables: Balance
    purchases: Decimal
    prepayments_held: Balance  # customers' credit balances (预收款): a liability

    @property
    def dso(self) -> Decimal | None:
        return _days(self.receivables.average, self.sales, self.days)

    @property
    def dio(self) -> Decimal | None:
        return _days(self.inventory.average, self.cost_of_goods_sold, self.days)

    @property
    def dpo(self) -> Decimal | None:
        return _days(self.payables.average, self.purchases, self.days)

    @property
    def ccc(self) -> Decimal | None:
        if self.dso is None or self.dio is None or self.dpo is None:
            return None
        return self.dso + self.dio - self.dpo


@dataclass(frozen=True)
class Week:
    start: datetime.date
    end: datetime.date
    from_customers: Decimal
    from_bills: Decimal
    to_supplier_invoices: Decimal
    to_prepayments: Decimal
    to_bills: Decimal
    cumulative: Decimal  # cash in less cash out from today to the end of this week

    @property
    def cash_in(self) -> Decimal:
        return self.from_customers + self.from_bills

    @property
    def cash_out(self) -> Decimal:
        return self.to_supplier_invoices + self.to_prepayments + self.to_bills

    @property
    def net(self) -> Decimal:
        return self.cash_in - self.cash_out


@dataclass(frozen=True)
class TiedUp:
    """Money tied up today: with manufacturers ahead of goods, with retailers on credit."""

    prepayments_to_suppliers: Decimal  # paid ahead on purchase orders, not yet matched
    receivables_open: Decimal  # open on customer invoices
    receivables_overdue: Decimal
    bills_receivable: Decimal  # bills received and not yet cleared
    customer_money_held: Decimal  # received, not allocated to invoices

    @property
    def credit_extended(self) -> Decimal:
        return self.receivables_open + self.bills_receivable


@dataclass(frozen=True)
class CashSqueeze:
    today: datetime.date
    ratios: Ratios
    cash_on_hand: Decimal
    weeks: list[Week]
    not_expected: Decimal  # open on customer invoices that their habits do not bring in time
    tied_up: TiedUp

    @property
    def total_in(self) -> Decimal:
        return sum((w.cash_in for w in self.weeks), ZERO)

    @property
    def total_out(self) -> Decimal:
        return sum((w.cash_out for w in self.weeks), ZERO)

    @property
    def totals(self) -> Week:
        """The 13 weeks added up, column by column."""

        def column(name: str) -> Decimal:
            return sum((getattr(w, name) for w in self.weeks), ZERO)

        return Week(
            start=self.today,
            end=self.weeks[-1].end if self.weeks else self.today,
            from_customers=column("from_customers"),
            from_bills=column("from_bills"),
            to_supplier_invoices=column("to_supplier_invoices"),
            to_prepayments=column("to_prepayments"),
            to_bills=column("to_bills"),
            cumulative=self.weeks[-1].cumulative if self.weeks else ZERO,
        )

    @property
    def deepest_gap(self) -> Decimal:
        """The lowest cumulative position over the horizon (0 if it never goes negative)."""
        return min((w.cumulative for w in self.weeks), default=ZERO).min(ZERO)

    @property
    def projected_cash(self) -> Decimal:
        return self.cash_on_hand + (self.weeks[-1].cumulative if self.weeks else ZERO)


def _ledger(
    codes: tuple[str, ...], *, sign: int, first: datetime.date, end: datetime.date
) -> Balance:
    """Balance of accounts `codes` before `first` and at the end of `end` (one query)."""
    amount = (F("debit") - F("credit")) if sign > 0 else (F("credit") - F("debit"))
    sums = JournalLine.objects.filter(account__code__in=codes, entry__date__lte=end).aggregate(
        opening=Sum(amount, filter=Q(entry__date__lt=first), output_field=MONEY),
        closing=Sum(amount, output_field=MONEY),
    )
    return Balance(_money(sums["opening"]), _money(sums["closing"]))


def _split_by_party(
    code: str, *, sign: int, first: datetime.date, end: datetime.date
) -> tuple[Balance, Balance]:
    """Account `code` party by party, before `first` and at the end of `end` (one query, a row
    per party): what is owed (the balance on the account's normal side, `sign` 1 for a debit
    account like 1122, -1 for a credit one like 2202) apart from what was paid ahead (a balance
    on the other side), so one party's prepayment never hides what another owes."""
    amount = (F("debit") - F("credit")) if sign > 0 else (F("credit") - F("debit"))
    per_party = (
        JournalLine.objects.filter(account__code=code, entry__date__lte=end)
        .values("party")
        .order_by()
        .annotate(
            opening=Sum(amount, filter=Q(entry__date__lt=first), output_field=MONEY),
            closing=Sum(amount, output_field=MONEY),
        )
        .values_list("opening", "closing")
    )
    owed = [ZERO, ZERO]
    ahead = [ZERO, ZERO]
    for balances in per_party:
        for index, raw in enumerate(balances):
            balance = _money(raw)
            if balance > 0:
                owed[index] += balance
            else:
                ahead[index] -= balance
    return Balance(*owed), Balance(*ahead)


def _inventory(first: datetime.date, end: datetime.date) -> tuple[Balance, Decimal]:
    """Stock value before `first` and after `end`, and the cost of goods sold in between."""
    start_at, end_at = _midnight(first), _midnight(end + datetime.timedelta(days=1))
    value = F("quantity") * F("unit_cost")
    inward = Q(from_location__isnull=True, to_location__isnull=False)
    outward = Q(from_location__isnull=False, to_location__isnull=True)
    signed = Case(
        When(inward, then=value),
        When(outward, then=-value),
        default=Value(ZERO),
        output_field=VALUE,
    )
    sold = Q(kind__in=[MoveKind.SHIPMENT, MoveKind.RETURN], moved_at__gte=start_at)
    sold_value = Case(
        When(sold & outward, then=value),
        When(sold & inward, then=-value),
        default=Value(ZERO),
        output_field=VALUE,
    )
    sums = StockMove.objects.filter(moved_at__lt=end_at).aggregate(
        opening=Sum(signed, filter=Q(moved_at__lt=start_at), output_field=VALUE),
        closing=Sum(signed, output_field=VALUE),
        cogs=Sum(sold_value, output_field=VALUE),
    )
    return Balance(_money(sums["opening"]), _money(sums["closing"])), _money(sums["cogs"])


def _net_documents(
    rows: QuerySet[Invoice] | QuerySet[SupplierInvoice], invoice_kind: str
) -> Decimal:
    sums = rows.aggregate(
        invoiced=Sum("total", filter=Q(kind=invoice_kind), output_field=MONEY),
        credited=Sum("total", filter=~Q(kind=invoice_kind), output_field=MONEY),
    )
    return _money(sums["invoiced"]) - _money(sums["credited"])


def ratios(*, end: datetime.date, days: int) -> Ratios:
    """DSO, DIO, DPO and the figures behind them over the `days` days ending on `end`."""
    first = end - datetime.timedelta(days=days - 1)
    inventory, cogs = _inventory(first, end)
    receivables, prepayments_held = _split_by_party(RECEIVABLE, sign=1, first=first, end=end)
    payables, _paid_ahead = _split_by_party(PAYABLE, sign=-1, first=first, end=end)
    return Ratios(
        days=days,
        first=first,
        end=end,
        receivables=receivables,
        sales=_net_documents(
            Invoice.objects.filter(posted_at__isnull=False, date__gte=first, date__lte=end),
            InvoiceKind.INVOICE,
        ),
        inventory=inventory,
        cost_of_goods_sold=cogs,
        payables=payables,
        purchases=_net_documents(
            SupplierInvoice.objects.filter(posted_at__isnull=False, date__gte=first, date__lte=end),
            SupplierInvoiceKind.INVOICE,
        ),
        prepayments_held=prepayments_held,
    )


def _by_day(rows: QuerySet, day: str, amount: str) -> list[tuple[datetime.date, Decimal]]:  # type: ignore[type-arg]
    return [(d, _money(a)) for d, a in rows.values_list(day, amount)]


def _week_of(day: datetime.date, today: datetime.date) -> int | None:
    """Index of the week holding `day` (anything late counts today); None beyond the horizon."""
    index = max((day - today).days, 0) // 7
    return index if (day - today).days <= HORIZON_DAYS else None


def cash_squeeze(*, today: datetime.date, days: int = 90) -> CashSqueeze:
    """The ratios over the last `days` days and the next 90 days' cash in, out and gap."""
    horizon_end = today + datetime.timedelta(days=HORIZON_DAYS)
    columns: dict[str, list[Decimal]] = {
        name: [ZERO] * WEEKS
        for name in ("customers", "bills_in", "supplier_invoices", "prepayments", "bills_out")
    }

    def add(column: str, day: datetime.date, amount: Decimal) -> None:
        index = _week_of(day, today)
        if index is not None and amount > 0:
            columns[column][index] += amount

    behaviour = payment_behaviour(as_of=today, within_days=HORIZON_DAYS)
    receipts = expected_receipts(open_by_due_date(Invoice.objects.all()), behaviour, today=today)
    not_expected = ZERO
    for receipt in receipts:
        if receipt.expected_on <= horizon_end:
            add("customers", receipt.expected_on, receipt.expected_amount)
            not_expected += receipt.open_amount - receipt.expected_amount
        else:
            not_expected += receipt.open_amount
    bills_in = (
        uncleared_bills()
        .filter(bill_maturity__lte=horizon_end)
        .values("bill_maturity")
        .annotate(total=Sum("amount"))
    )
    for day, amount in _by_day(bills_in, "bill_maturity", "total"):
        add("bills_in", day, amount)
    supplier_open = (
        SupplierInvoice.objects.filter(
            kind=SupplierInvoiceKind.INVOICE, status=SupplierInvoiceStatus.POSTED
        )
        .annotate(due=Coalesce("due_date", "date"))
        .filter(due__lte=horizon_end)
        .values("due")
        .annotate(
            open=Sum(F("total") - F("amount_paid") - F("amount_credited"), output_field=MONEY)
        )
    )
    for day, amount in _by_day(supplier_open, "due", "open"):
        add("supplier_invoices", day, amount)
    prepayments = (
        PurchaseOrder.objects.filter(
            payment_condition=PaymentCondition.PREPAYMENT,
            status__in=[OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_RECEIVED],
            prepayment_requested__gt=F("prepayment_paid"),
        )
        .annotate(due=Coalesce("prepayment_due_on", Value(today)))
        .filter(due__lte=horizon_end)
        .values("due")
        .annotate(
            unpaid=Sum(
                Greatest(F("prepayment_requested") - F("prepayment_paid"), Value(ZERO)),
                output_field=MONEY,
            )
        )
    )
    for day, amount in _by_day(prepayments, "due", "unpaid"):
        add("prepayments", day, amount)
    bills_out = (
        SupplierPayment.objects.filter(
            method=SupplierPaymentMethod.ACCEPTANCE_BILL,
            bill_paid_on__isnull=True,
            bill_maturity__lte=horizon_end,
        )
        .values("bill_maturity")
        .annotate(total=Sum("amount"))
    )
    for day, amount in _by_day(bills_out, "bill_maturity", "total"):
        add("bills_out", day, amount)

    weeks = []
    running = ZERO
    for index in range(WEEKS):
        start = today + datetime.timedelta(days=7 * index)
        week = Week(
            start=start,
            end=min(start + datetime.timedelta(days=6), horizon_end),
            from_customers=columns["customers"][index],
            from_bills=columns["bills_in"][index],
            to_supplier_invoices=columns["supplier_invoices"][index],
            to_prepayments=columns["prepayments"][index],
            to_bills=columns["bills_out"][index],
            cumulative=ZERO,
        )
        running += week.net
        weeks.append(replace(week, cumulative=running))
    return CashSqueeze(
        today=today,
        ratios=ratios(end=today, days=days),
        cash_on_hand=_ledger(
            (CASH, BANK, OTHER_MONETARY_FUNDS), sign=1, first=today, end=today
        ).closing,
        weeks=weeks,
        not_expected=quantize(not_expected),
        tied_up=tied_up(today=today),
    )


def tied_up(*, today: datetime.date) -> TiedUp:
    """Prepayments with manufacturers, open receivables (and overdue), bills not cleared."""
    prepaid = SupplierPayment.objects.filter(order__isnull=False).aggregate(
        t=Sum(F("amount") - F("amount_allocated"), output_field=MONEY)
    )["t"]
    open_amount = F("total") - F("amount_paid") - F("amount_credited")
    receivables = Invoice.objects.filter(
        kind=InvoiceKind.INVOICE, status=InvoiceStatus.POSTED
    ).aggregate(
        open=Sum(open_amount, output_field=MONEY),
        overdue=Sum(open_amount, filter=Q(due_date__lt=today), output_field=MONEY),
    )
    held = Payment.objects.aggregate(t=Sum(F("amount") - F("amount_allocated"), output_field=MONEY))
    return TiedUp(
        prepayments_to_suppliers=_money(prepaid),
        receivables_open=_money(receivables["open"]),
        receivables_overdue=_money(receivables["overdue"]),
        bills_receivable=_money(uncleared_bills().aggregate(t=Sum("amount"))["t"]),
        customer_money_held=_money(held["t"]),
    )
