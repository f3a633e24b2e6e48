"""Money invariants for the nightly integrity check (registered in FinanceConfig.ready)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, F, Model, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, Greatest

from qudao.core.money import ZERO, quantize
from qudao.finance.claims import claim_sources
from qudao.finance.models import (
    REBATE_LIABILITY,
    RECEIVABLE,
    Allocation,
    CustomerRefund,
    Invoice,
    JournalLine,
    Payment,
    RebateEntry,
    RefundPart,
)
from qudao.finance.models.ledger import OTHER_RECEIVABLES
from qudao.finance.selectors import MONEY, unbalanced_entries
from qudao.parties.models import PartyKind
from qudao.tenancy.integrity import Problem
from qudao.tenancy.models import Organization


def _money(value: object) -> Decimal:
    return quantize(Decimal(value or ZERO))  # type: ignore[arg-type]


def _control_equals_subledgers(code: str, name: str) -> list[Problem]:
    """The account's balance equals the sum of its customers' sub-ledgers, and every line of
    it names a customer."""
    problems = []
    lines = JournalLine.objects.filter(account__code=code)
    control = _money(lines.aggregate(t=Sum(F("debit") - F("credit")))["t"])
    per_customer = (
        lines.filter(party__kind=PartyKind.CUSTOMER)
        .values("party")
        .annotate(balance=Sum(F("debit") - F("credit")))
    )
    sub_ledgers = sum((_money(row["balance"]) for row in per_customer), ZERO)
    if control != sub_ledgers:
        problems.append(
            Problem(
                f"finance.{name}_equals_customer_subledgers",
                int(abs(control - sub_ledgers) * 100) or 1,
            )
        )
    outside = lines.filter(Q(party__isnull=True) | ~Q(party__kind=PartyKind.CUSTOMER)).count()
    if outside:
        problems.append(Problem(f"finance.{name}_lines_have_a_customer", outside))
    return problems


def _other_receivables_equal_open_claims() -> list[Problem]:
    """1221 other receivables equals what the open damage claims of every context still have
    on it, party by party, and each of its lines comes from a claim."""
    sources = claim_sources()
    lines = JournalLine.objects.filter(account__code=OTHER_RECEIVABLES)
    ledger = {
        row["party"]: _money(row["balance"])
        for row in lines.values("party").annotate(balance=Sum(F("debit") - F("credit")))
    }
    claims: dict[int | None, Decimal] = {}
    for open_claims in sources.values():
        for party, amount in open_claims().items():
            claims[party] = claims.get(party, ZERO) + _money(amount)
    problems = []
    wrong = sum(
        1
        for party in ledger.keys() | claims.keys()
        if ledger.get(party, ZERO) != claims.get(party, ZERO)
    )
    if wrong:
        problems.append(Problem("finance.other_receivables_equal_open_claims", wrong))
    outside = lines.exclude(entry__source_type__in=list(sources)).count()
    if outside:
        problems.append(Problem("finance.other_receivable_lines_have_a_claim", outside))
    return problems


def _sum_by(model: type[Model], key: str, **filters: object) -> Subquery:
    rows = model.objects.filter(**{key: OuterRef("pk")}, **filters)  # type: ignore[attr-defined]
    return Subquery(rows.values(key).annotate(s=Sum("amount")).values("s"), output_field=MONEY)


def find_problems(org: Organization) -> list[Problem]:
    """Every entry balances; the receivable and rebate control accounts equal the customer
    sub-ledgers; each invoice's paid amount equals its allocations and the rebate that paid
    it; each payment's allocated amount equals its allocations and the refunds taken from
    it; each allocation's copied aging facts agree with its documents; each customer's rebate
    account equals its rebate sub-ledger on 2241; 1221 equals the open damage claims on
    carriers and manufacturers."""
    problems: list[Problem] = []
    unbalanced = unbalanced_entries().count()
    if unbalanced:
        problems.append(Problem("finance.entries_balance", unbalanced))
    problems += _control_equals_subledgers(RECEIVABLE, "receivable")
    problems += _control_equals_subledgers(REBATE_LIABILITY, "rebate_liability")
    problems += _other_receivables_equal_open_claims()

    invoices = Invoice.objects.annotate(
        allocated=_sum_by(Allocation, "invoice"),
        rebate=_sum_by(RebateEntry, "invoice"),  # uses are negative, gifts back positive
    ).filter(~Q(amount_paid=0) | Q(allocated__isnull=False) | Q(rebate__isnull=False))
    wrong_invoices = sum(
        1
        for amount_paid, allocated, rebate in invoices.values_list(
            "amount_paid", "allocated", "rebate"
        )
        if _money(amount_paid) != _money(allocated) - _money(rebate)
    )
    if wrong_invoices:
        problems.append(Problem("finance.invoice_paid_equals_allocations", wrong_invoices))

    payments = Payment.objects.annotate(
        allocated=_sum_by(Allocation, "payment"), refunded=_sum_by(RefundPart, "payment")
    ).filter(~Q(amount_allocated=0) | Q(allocated__isnull=False) | Q(refunded__isnull=False))
    wrong_payments = sum(
        1
        for amount_allocated, allocated, refunded in payments.values_list(
            "amount_allocated", "allocated", "refunded"
        )
        if _money(amount_allocated) != _money(allocated) + _money(refunded)
    )
    if wrong_payments:
        problems.append(Problem("finance.payment_allocated_equals_allocations", wrong_payments))

    # the facts each allocation copies for the aging report agree with its payment, credit
    # note and invoice (a released one takes effect on the later of its credit note's and
    # its payment's dates)
    facts_wrong = (
        Allocation.objects.annotate(
            due=Coalesce("invoice__due_date", "invoice__date"),
            effective=Case(
                When(credit_note__isnull=True, then=F("payment__date")),
                default=Greatest("credit_note__date", "payment__date"),
            ),
        )
        .filter(
            ~Q(customer_id=F("invoice__customer_id"))
            | ~Q(invoice_date=F("invoice__date"))
            | ~Q(invoice_due_date=F("due"))
            | ~Q(effective_date=F("effective"))
        )
        .count()
    )
    if facts_wrong:
        problems.append(Problem("finance.allocation_aging_facts", facts_wrong))

    refunds = CustomerRefund.objects.annotate(taken=_sum_by(RefundPart, "refund"))
    wrong_refunds = sum(
        1
        for amount, taken in refunds.values_list("amount", "taken")
        if _money(amount) != _money(taken)
    )
    if wrong_refunds:
        problems.append(Problem("finance.refund_equals_its_parts", wrong_refunds))

    ledger = {
        row["party"]: _money(row["balance"])
        for row in JournalLine.objects.filter(account__code=REBATE_LIABILITY)
        .values("party")
        .annotate(balance=Sum(F("credit") - F("debit")))
    }
    accounts = {
        row["customer"]: _money(row["balance"])
        for row in RebateEntry.objects.values("customer").annotate(balance=Sum("amount"))
    }
    wrong_rebates = sum(
        1
        for party in ledger.keys() | accounts.keys()
        if ledger.get(party, ZERO) != accounts.get(party, ZERO)
    )
    if wrong_rebates:
        problems.append(Problem("finance.rebate_account_equals_ledger", wrong_rebates))
    return problems
