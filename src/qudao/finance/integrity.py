"""Money invariants for the nightly integrity check (registered in FinanceConfig.ready)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum

from qudao.core.money import ZERO, quantize
from qudao.finance.models import RECEIVABLE, Allocation, Invoice, JournalLine, Payment
from qudao.finance.selectors import MONEY, unbalanced_entries
from qudao.parties.models import PartyKind
from qudao.tenancy.integrity import Problem
from qudao.tenancy.models import Organization


def _money(value: object) -> Decimal:
    return quantize(Decimal(value or ZERO))  # type: ignore[arg-type]


def find_problems(org: Organization) -> list[Problem]:
    """Every entry balances; the receivable control account equals the customer sub-ledgers;
    each invoice's and payment's allocated amounts equal their allocation rows."""
    problems: list[Problem] = []
    unbalanced = unbalanced_entries().count()
    if unbalanced:
        problems.append(Problem("finance.entries_balance", unbalanced))

    receivable = JournalLine.objects.filter(account__code=RECEIVABLE)
    control = _money(receivable.aggregate(t=Sum(F("debit") - F("credit")))["t"])
    per_customer = (
        receivable.filter(party__kind=PartyKind.CUSTOMER)
        .values("party")
        .annotate(balance=Sum(F("debit") - F("credit")))
    )
    sub_ledgers = sum((_money(row["balance"]) for row in per_customer), ZERO)
    if control != sub_ledgers:
        problems.append(
            Problem(
                "finance.receivable_equals_customer_subledgers",
                int(abs(control - sub_ledgers) * 100) or 1,
            )
        )
    outside = receivable.filter(Q(party__isnull=True) | ~Q(party__kind=PartyKind.CUSTOMER)).count()
    if outside:
        problems.append(Problem("finance.receivable_lines_have_a_customer", outside))

    paid = (
        Allocation.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    invoices = Invoice.objects.annotate(allocated=Subquery(paid, output_field=MONEY)).filter(
        ~Q(amount_paid=0) | Q(allocated__isnull=False)
    )
    wrong_invoices = sum(
        1
        for amount_paid, allocated in invoices.values_list("amount_paid", "allocated")
        if _money(amount_paid) != _money(allocated)
    )
    if wrong_invoices:
        problems.append(Problem("finance.invoice_paid_equals_allocations", wrong_invoices))

    spent = (
        Allocation.objects.filter(payment=OuterRef("pk"))
        .values("payment")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    payments = Payment.objects.annotate(allocated=Subquery(spent, output_field=MONEY)).filter(
        ~Q(amount_allocated=0) | Q(allocated__isnull=False)
    )
    wrong_payments = sum(
        1
        for amount_allocated, allocated in payments.values_list("amount_allocated", "allocated")
        if _money(amount_allocated) != _money(allocated)
    )
    if wrong_payments:
        problems.append(Problem("finance.payment_allocated_equals_allocations", wrong_payments))
    return problems
