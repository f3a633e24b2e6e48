"""Payables invariants for the nightly integrity run (registered in PurchasingConfig.ready)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum

from qudao.core.money import ZERO, quantize
from qudao.finance.models import PAYABLE, JournalLine
from qudao.parties.models import PartyKind
from qudao.purchasing.payables.models import (
    SupplierAllocation,
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierPayment,
)
from qudao.purchasing.payables.selectors import MONEY
from qudao.tenancy.integrity import Problem
from qudao.tenancy.models import Organization


def _money(value: object) -> Decimal:
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value or 0)))


def _fen(difference: Decimal) -> int:
    return int(abs(difference) * 100) or 1


def find_problems(org: Organization) -> list[Problem]:
    """The payables control account equals the supplier sub-ledgers and the posted documents;
    each invoice's paid amount and each payment's allocated amount equal their allocations."""
    problems: list[Problem] = []
    payable = JournalLine.objects.filter(account__code=PAYABLE)
    control = _money(payable.aggregate(t=Sum(F("credit") - F("debit")))["t"])
    per_supplier = (
        payable.filter(party__kind=PartyKind.SUPPLIER)
        .values("party")
        .annotate(balance=Sum(F("credit") - F("debit")))
    )
    sub_ledgers = sum((_money(row["balance"]) for row in per_supplier), ZERO)
    if control != sub_ledgers:
        problems.append(
            Problem("purchasing.payable_equals_supplier_subledgers", _fen(control - sub_ledgers))
        )
    outside = payable.filter(Q(party__isnull=True) | ~Q(party__kind=PartyKind.SUPPLIER)).count()
    if outside:
        problems.append(Problem("purchasing.payable_lines_have_a_supplier", outside))

    posted = SupplierInvoice.objects.filter(posted_at__isnull=False)
    invoiced = _money(
        posted.filter(kind=SupplierInvoiceKind.INVOICE).aggregate(t=Sum("total"))["t"]
    )
    credited = _money(
        posted.filter(kind=SupplierInvoiceKind.CREDIT_NOTE).aggregate(t=Sum("total"))["t"]
    )
    paid = _money(SupplierPayment.objects.aggregate(t=Sum("amount"))["t"])
    documents = invoiced - credited - paid
    if documents != sub_ledgers:
        problems.append(
            Problem("purchasing.supplier_documents_equal_subledgers", _fen(documents - sub_ledgers))
        )

    taken = (
        SupplierAllocation.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    wrong_invoices = sum(
        1
        for amount_paid, allocated in SupplierInvoice.objects.annotate(
            allocated=Subquery(taken, output_field=MONEY)
        )
        .filter(~Q(amount_paid=0) | Q(allocated__isnull=False))
        .values_list("amount_paid", "allocated")
        if _money(amount_paid) != _money(allocated)
    )
    if wrong_invoices:
        problems.append(Problem("purchasing.invoice_paid_equals_allocations", wrong_invoices))

    spent = (
        SupplierAllocation.objects.filter(payment=OuterRef("pk"))
        .values("payment")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    wrong_payments = sum(
        1
        for amount_allocated, allocated in SupplierPayment.objects.annotate(
            allocated=Subquery(spent, output_field=MONEY)
        )
        .filter(~Q(amount_allocated=0) | Q(allocated__isnull=False))
        .values_list("amount_allocated", "allocated")
        if _money(amount_allocated) != _money(allocated)
    )
    if wrong_payments:
        problems.append(Problem("purchasing.payment_allocated_equals_allocations", wrong_payments))
    return problems
