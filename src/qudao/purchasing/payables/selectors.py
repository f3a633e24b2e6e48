"""Every read of payables: supplier invoices and payments, the supplier's account, the three-way
match, the aging by supplier and what falls due. Amounts are costs: callers check SEE_COSTS."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from qudao.core.money import ZERO, quantize
from qudao.finance.aging import DEFAULT_EDGES, bucket_labels
from qudao.finance.models import PAYABLE, JournalLine
from qudao.parties.models import Party, PartyKind
from qudao.purchasing.models import GoodsReceipt
from qudao.purchasing.payables.models import (
    HALF_FEN,
    SupplierAllocation,
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
    SupplierPayment,
    SupplierPaymentMethod,
)

MONEY: Final = DecimalField(max_digits=18, decimal_places=2)
LIVE: Final = (SupplierInvoiceStatus.DRAFT, SupplierInvoiceStatus.POSTED)
DUE_SOON_DAYS: Final = 30


def _money(value: object) -> Decimal:
    """A sum from the database, via str: SQLite hands back floats for decimal sums."""
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _open() -> ExpressionWrapper:
    return ExpressionWrapper(F("total") - F("amount_paid") - F("amount_credited"), MONEY)


def supplier_invoices() -> QuerySet[SupplierInvoice]:
    return SupplierInvoice.objects.select_related("supplier", "credited_invoice")


def invoice_lines(invoice: SupplierInvoice) -> QuerySet[SupplierInvoiceLine]:
    return invoice.lines.select_related(
        "product", "receipt_line__receipt", "receipt_line__order_line__order"
    ).order_by("position", "pk")


def supplier_payments() -> QuerySet[SupplierPayment]:
    return SupplierPayment.objects.select_related("supplier", "order")


def allocations_of_invoice(invoice: SupplierInvoice) -> QuerySet[SupplierAllocation]:
    return invoice.allocations.select_related("payment").order_by("pk")


def allocations_of_payment(payment: SupplierPayment) -> QuerySet[SupplierAllocation]:
    return payment.allocations.select_related("invoice").order_by("pk")


def open_invoices() -> QuerySet[SupplierInvoice]:
    """Posted invoices with something left to pay, soonest due first."""
    return (
        SupplierInvoice.objects.filter(
            kind=SupplierInvoiceKind.INVOICE, status=SupplierInvoiceStatus.POSTED
        )
        .filter(total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN)
        .annotate(open=_open())
        .select_related("supplier")
        .order_by("due_date", "date", "pk")
    )


def suppliers() -> QuerySet[Party]:
    return Party.objects.filter(kind=PartyKind.SUPPLIER)


def payable_balance(supplier: Party) -> Decimal:
    """What we owe the supplier: credits minus debits of its payables lines (negative: it
    holds our money, such as a prepayment not yet invoiced)."""
    total = JournalLine.objects.filter(party=supplier, account__code=PAYABLE).aggregate(
        balance=Coalesce(Sum(F("credit") - F("debit")), Value(ZERO), output_field=MONEY)
    )["balance"]
    return _money(total)


def unallocated_paid(supplier: Party) -> Decimal:
    """Money paid to the supplier that no invoice has taken yet (prepayments included)."""
    total = SupplierPayment.objects.filter(supplier=supplier).aggregate(
        left=Coalesce(Sum(F("amount") - F("amount_allocated")), Value(ZERO), output_field=MONEY)
    )["left"]
    return _money(total)


def uninvoiced_receipts(supplier: Party) -> QuerySet[GoodsReceipt]:
    """The supplier's receipts no live invoice bills yet (reversed ones left out)."""
    billed = SupplierInvoiceLine.objects.filter(
        receipt_line__receipt=OuterRef("pk"),
        invoice__kind=SupplierInvoiceKind.INVOICE,
        invoice__status__in=LIVE,
    )
    return (
        GoodsReceipt.objects.filter(supplier=supplier, reverses__isnull=True)
        .filter(~Exists(GoodsReceipt.objects.filter(reverses=OuterRef("pk"))))
        .filter(~Exists(billed))
        .select_related("order")
        .order_by("received_on", "pk")
    )


def _plain(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def match_warnings(invoice: SupplierInvoice) -> list[str]:
    """The three-way match in plain words: what the supplier billed against what arrived and
    what we ordered. Empty: everything agrees."""
    lines = list(invoice_lines(invoice).filter(receipt_line__isnull=False))
    if not lines or invoice.kind != SupplierInvoiceKind.INVOICE:
        return []
    receipt_line_ids = [line.receipt_line_id for line in lines]
    elsewhere = {
        row["receipt_line_id"]: row["invoice__number"] or str(_("a draft"))
        for row in SupplierInvoiceLine.objects.filter(
            receipt_line_id__in=receipt_line_ids,
            invoice__kind=SupplierInvoiceKind.INVOICE,
            invoice__status__in=LIVE,
        )
        .exclude(invoice=invoice)
        .values("receipt_line_id", "invoice__number")
    }
    order_line_ids = [
        line.receipt_line.order_line_id for line in lines if line.receipt_line.order_line_id
    ]
    invoiced_per_order_line = {
        row["receipt_line__order_line_id"]: row["quantity"]
        for row in SupplierInvoiceLine.objects.filter(
            receipt_line__order_line_id__in=order_line_ids,
            invoice__kind=SupplierInvoiceKind.INVOICE,
        )
        .filter(Q(invoice__status=SupplierInvoiceStatus.POSTED) | Q(invoice=invoice))
        .values("receipt_line__order_line_id")
        .annotate(quantity=Sum("quantity"))
    }
    warnings = []
    for line in lines:
        received = line.receipt_line
        receipt = received.receipt
        name = line.description
        arrived = received.quantity + received.damaged_quantity
        if line.quantity != arrived:
            warnings.append(
                _("%(product)s: %(invoiced)s invoiced, but %(received)s received on %(receipt)s.")
                % {
                    "product": name,
                    "invoiced": _plain(line.quantity),
                    "received": _plain(arrived),
                    "receipt": receipt.number,
                }
            )
        if received.pk in elsewhere:
            warnings.append(
                _("%(product)s received on %(receipt)s is also billed on %(other)s.")
                % {"product": name, "receipt": receipt.number, "other": elsewhere[received.pk]}
            )
        ordered = received.order_line
        if ordered is None:
            warnings.append(
                _("%(product)s on %(receipt)s was not ordered (push stock): check the price.")
                % {"product": name, "receipt": receipt.number}
            )
            continue
        if line.unit_price != ordered.unit_price:
            warnings.append(
                _("%(product)s: billed at %(billed)s a unit, ordered at %(ordered)s on %(order)s.")
                % {
                    "product": name,
                    "billed": line.unit_price,
                    "ordered": ordered.unit_price,
                    "order": ordered.order.number,
                }
            )
        invoiced = invoiced_per_order_line.get(ordered.pk, Decimal(0))
        if invoiced > ordered.quantity:
            warnings.append(
                _(
                    "%(product)s: %(invoiced)s invoiced in all on %(order)s, more than the "
                    "%(ordered)s ordered."
                )
                % {
                    "product": name,
                    "invoiced": _plain(invoiced),
                    "order": ordered.order.number,
                    "ordered": _plain(ordered.quantity),
                }
            )
    return list(dict.fromkeys(warnings))


@dataclass(frozen=True)
class SupplierAging:
    supplier_id: int
    code: str
    name: str
    buckets: tuple[Decimal, ...]
    total: Decimal
    unallocated: Decimal
    net: Decimal


@dataclass(frozen=True)
class PayablesAging:
    as_of: datetime.date
    labels: tuple[str, ...]
    rows: list[SupplierAging]
    totals: tuple[Decimal, ...]
    total: Decimal
    unallocated: Decimal
    net: Decimal


def payables_aging(as_of: datetime.date) -> PayablesAging:
    """What is open per supplier today, by days overdue (current, 1–30, 31–60, 61–90, >90),
    beside the money paid to it that no invoice has taken yet. One grouped query each."""
    limits = [as_of, *(as_of - datetime.timedelta(days=days) for days in DEFAULT_EDGES)]
    conditions = [Q(due_date__gte=limits[0])]
    conditions += [
        Q(due_date__lt=newer, due_date__gte=older)
        for newer, older in zip(limits, limits[1:], strict=False)
    ]
    conditions.append(Q(due_date__lt=limits[-1]))
    sums = {
        f"b{index}": Coalesce(Sum(_open(), filter=condition), Value(ZERO), output_field=MONEY)
        for index, condition in enumerate(conditions)
    }
    grouped = (
        SupplierInvoice.objects.filter(
            kind=SupplierInvoiceKind.INVOICE, status=SupplierInvoiceStatus.POSTED
        )
        .filter(total__gt=F("amount_paid") + F("amount_credited") + HALF_FEN)
        .values("supplier_id")
        .annotate(**sums)
    )
    unallocated = {
        row["supplier_id"]: _money(row["left"])
        for row in SupplierPayment.objects.filter(amount__gt=F("amount_allocated") + HALF_FEN)
        .values("supplier_id")
        .annotate(left=Sum(F("amount") - F("amount_allocated")))
    }
    buckets = {
        row["supplier_id"]: tuple(_money(row[f"b{i}"]) for i in range(len(conditions)))
        for row in grouped
    }
    names = {
        p.pk: (p.code, p.name) for p in Party.objects.filter(pk__in=set(buckets) | set(unallocated))
    }
    empty = tuple(ZERO for _c in conditions)
    rows = []
    for supplier_id in set(buckets) | set(unallocated):
        amounts = buckets.get(supplier_id, empty)
        total = sum(amounts, ZERO)
        paid = unallocated.get(supplier_id, ZERO)
        code, name = names[supplier_id]
        rows.append(SupplierAging(supplier_id, code, name, amounts, total, paid, total - paid))
    rows.sort(key=lambda row: (-row.net, row.code))
    totals = tuple(sum((row.buckets[i] for row in rows), ZERO) for i in range(len(conditions)))
    total = sum(totals, ZERO)
    paid = sum((row.unallocated for row in rows), ZERO)
    return PayablesAging(
        as_of=as_of,
        labels=bucket_labels(DEFAULT_EDGES),
        rows=rows,
        totals=totals,
        total=total,
        unallocated=paid,
        net=total - paid,
    )


def due_soon(today: datetime.date, days: int = DUE_SOON_DAYS) -> QuerySet[SupplierInvoice]:
    """Open invoices due by `today + days` (overdue ones first): the cash plan's outflows."""
    return open_invoices().filter(due_date__lte=today + datetime.timedelta(days=days))


def bills_maturing(today: datetime.date, days: int = DUE_SOON_DAYS) -> QuerySet[SupplierPayment]:
    """Our bank acceptance bills not yet paid by the bank that mature by `today + days`."""
    return (
        SupplierPayment.objects.filter(
            method=SupplierPaymentMethod.ACCEPTANCE_BILL,
            bill_paid_on__isnull=True,
            bill_maturity__lte=today + datetime.timedelta(days=days),
        )
        .select_related("supplier")
        .order_by("bill_maturity", "pk")
    )


def total_open(invoices: QuerySet[SupplierInvoice]) -> Decimal:
    return _money(invoices.aggregate(t=Sum(_open()))["t"])
