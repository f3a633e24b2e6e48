"""Supplier payments: posting, idempotency, allocation oldest-first or by hand, refusals that
change nothing, and the nightly payables invariants."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import JournalEntry, JournalLine
from qudao.purchasing import services
from qudao.purchasing.payables.integrity import find_problems
from qudao.purchasing.payables.models import SupplierAllocation, SupplierPayment
from qudao.purchasing.payables.selectors import payable_balance, unallocated_paid
from qudao.purchasing.tests.payables_factories import hand_invoice, supplier_payment
from qudao.tenancy.integrity import find_problems as nightly_problems
from qudao.tenancy.scoping import org_scope


def _data(supplier, **overrides) -> services.SupplierPaymentData:
    values = {
        "supplier_id": supplier.pk,
        "date": datetime.date(2026, 2, 1),
        "amount": Decimal("80.00"),
        "method": "bank_transfer",
    } | overrides
    return services.SupplierPaymentData(**values)


def test_a_payment_debits_the_supplier_and_credits_the_bank(org, boss, supplier):
    # when
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))

    # then
    lines = sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in payment.journal_entry.lines.select_related("account")
    )
    assert lines == [
        ("1002", Decimal("0.00"), Decimal("80.00"), None),
        ("2202", Decimal("80.00"), Decimal("0.00"), supplier.pk),
    ]
    assert payment.number == "SP2026-000001"
    assert payable_balance(supplier) == Decimal("-80.00")


def test_a_bank_acceptance_bill_credits_bills_payable(org, boss, supplier):
    # when
    payment, _created = services.pay_supplier(
        org=org,
        actor=boss,
        data=_data(
            supplier,
            method="acceptance_bill",
            bill_number="BA-2026-01",
            bill_maturity=datetime.date(2026, 8, 1),
        ),
    )

    # then
    credit = payment.journal_entry.lines.get(credit__gt=0)
    assert (credit.account.code, payment.bill_maturity) == ("2201", datetime.date(2026, 8, 1))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": Decimal("0")}, "invalid_amount"),
        ({"amount": Decimal("-5")}, "invalid_amount"),
        ({"amount": Decimal("1.001")}, "invalid_amount"),
        ({"method": "barter"}, "invalid_payment"),
        ({"method": "acceptance_bill"}, "invalid_payment"),
        (
            {
                "method": "acceptance_bill",
                "bill_number": "BA-1",
                "bill_maturity": datetime.date(2026, 1, 1),
            },
            "invalid_payment",
        ),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(org, boss, supplier, overrides, code):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.pay_supplier(org=org, actor=boss, data=_data(supplier, **overrides))
    assert refused.value.code == code
    assert (SupplierPayment.objects.count(), JournalEntry.objects.count()) == (0, 0)


def test_a_payment_in_the_future_is_refused(org, boss, supplier):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(BusinessRuleViolation) as refused:
        services.pay_supplier(org=org, actor=boss, data=_data(supplier, date=tomorrow))
    assert refused.value.code == "future_date"
    assert SupplierPayment.objects.count() == 0


def test_a_repeated_idempotency_key_returns_the_first_payment_and_writes_nothing(
    org, boss, supplier
):
    # given
    first, created = services.pay_supplier(
        org=org, actor=boss, data=_data(supplier, idempotency_key="pay-1")
    )
    entries = JournalEntry.objects.count()

    # when
    again, created_again = services.pay_supplier(
        org=org, actor=boss, data=_data(supplier, idempotency_key="pay-1")
    )

    # then
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert SupplierPayment.objects.count() == 1
    assert JournalEntry.objects.count() == entries


def test_oldest_first_settles_the_invoice_due_first(org, boss, supplier):
    # given two invoices, the older one due first
    older = hand_invoice(
        org=org,
        actor=boss,
        supplier=supplier,
        amount=Decimal("50.00"),
        date=datetime.date(2026, 1, 5),
    )
    newer = hand_invoice(
        org=org,
        actor=boss,
        supplier=supplier,
        amount=Decimal("70.00"),
        date=datetime.date(2026, 1, 9),
    )

    # when
    payment = supplier_payment(
        org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"), auto_allocate=True
    )

    # then
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.open_amount, newer.open_amount) == (Decimal("0.00"), Decimal("40.00"))
    assert payment.amount_allocated == Decimal("80.00")
    assert payable_balance(supplier) == Decimal("40.00")


def test_allocation_by_hand(org, boss, supplier):
    # given
    older = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
    newer = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("70.00"))
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))

    # when
    services.allocate_supplier_payment(
        org=org,
        actor=boss,
        payment=payment,
        parts=[services.SupplierAllocationPart(newer.pk, Decimal("70.00"))],
    )

    # then
    older.refresh_from_db()
    newer.refresh_from_db()
    payment.refresh_from_db()
    assert (older.open_amount, newer.open_amount) == (Decimal("50.00"), Decimal("0.00"))
    assert payment.unallocated == Decimal("10.00")
    assert unallocated_paid(supplier) == Decimal("10.00")


@pytest.mark.parametrize(
    ("amounts", "code"),
    [
        ((Decimal("60.00"),), "invoice_overpaid"),
        ((Decimal("50.00"), Decimal("40.00")), "payment_overallocated"),
        ((Decimal("0.001"),), "invalid_amount"),
    ],
)
def test_over_allocation_is_refused_and_nothing_is_written(org, boss, supplier, amounts, code):
    # given a payment of 80 and two invoices of 50
    invoices = [
        hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
        for _ in range(2)
    ]
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.allocate_supplier_payment(
            org=org,
            actor=boss,
            payment=payment,
            parts=[
                services.SupplierAllocationPart(invoice.pk, amount)
                for invoice, amount in zip(invoices, amounts, strict=False)
            ],
        )

    # then
    assert refused.value.code == code
    payment.refresh_from_db()
    assert payment.amount_allocated == Decimal("0.00")
    assert SupplierAllocation.objects.count() == 0


def test_another_suppliers_invoice_is_refused(org, boss, supplier):
    # given
    other = SupplierFactory(code="S-OTHER")
    foreign_invoice = hand_invoice(org=org, actor=boss, supplier=other)
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.allocate_supplier_payment(
            org=org,
            actor=boss,
            payment=payment,
            parts=[services.SupplierAllocationPart(foreign_invoice.pk, Decimal("10.00"))],
        )

    # then
    assert refused.value.code == "invoice_not_open"
    assert SupplierAllocation.objects.count() == 0


def test_another_organizations_invoice_is_refused(org, boss, supplier, other_org):
    # given an open invoice of another organization
    from qudao.tenancy.tests.factories import MembershipFactory  # noqa: PLC0415

    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org, role="boss")
        foreign_supplier = SupplierFactory(org=other_org, code="S-FOREIGN")
        foreign_invoice = hand_invoice(org=other_org, actor=other_boss, supplier=foreign_supplier)
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.allocate_supplier_payment(
            org=org,
            actor=boss,
            payment=payment,
            parts=[services.SupplierAllocationPart(foreign_invoice.pk, Decimal("10.00"))],
        )

    # then
    assert refused.value.code == "invoice_not_open"
    assert SupplierAllocation.objects.count() == 0
    with org_scope(other_org):
        foreign_invoice.refresh_from_db()
        assert foreign_invoice.amount_paid == Decimal("0.00")


def test_another_organizations_supplier_cannot_be_paid(org, boss, other_org):
    with org_scope(other_org):
        foreign = SupplierFactory(org=other_org, code="S-FOREIGN")
    with pytest.raises(BusinessRuleViolation) as refused:
        services.pay_supplier(org=org, actor=boss, data=_data(foreign))
    assert refused.value.code == "supplier_not_found"
    assert (SupplierPayment.objects.count(), JournalLine.objects.count()) == (0, 0)


def test_the_payables_invariants_hold_after_invoices_credits_and_payments(
    org, boss, supplier, draft_invoice
):
    # given
    invoice = services.post_supplier_invoice(org=org, actor=boss, invoice=draft_invoice)
    supplier_payment(
        org=org, actor=boss, supplier=supplier, amount=Decimal("100.00"), auto_allocate=True
    )
    services.credit_supplier_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="破损折让",
        lines=[
            services.InvoiceLineData(
                description="破损折让",
                quantity=Decimal(1),
                unit_price=Decimal("10"),
                tax_rate=Decimal(0),
            )
        ],
    )

    # then
    assert find_problems(org) == []
    assert payable_balance(supplier) == Decimal("229.00")  # 339 - 100 - 10


def test_the_invariant_check_finds_a_payables_line_without_a_supplier(org, boss, supplier):
    # given a manual entry that books payables without naming a supplier
    from qudao.finance.services import Posting, post_entry  # noqa: PLC0415

    post_entry(
        org=org,
        actor=boss,
        date=datetime.date(2026, 1, 1),
        memo="错账",
        postings=[Posting("2202", credit=Decimal("5.00")), Posting("1002", debit=Decimal("5.00"))],
    )

    # then the nightly run (every registered check) reports it
    _count, problems = nightly_problems(org)
    checks = {problem.check for problem in problems}
    assert "purchasing.payable_lines_have_a_supplier" in checks
    assert "purchasing.supplier_documents_equal_subledgers" not in checks


def _bill(org, boss, supplier) -> SupplierPayment:
    payment, _created = services.pay_supplier(
        org=org,
        actor=boss,
        data=_data(
            supplier,
            method="acceptance_bill",
            bill_number="BA-7",
            bill_maturity=datetime.date(2026, 3, 1),
        ),
    )
    return payment


def test_the_bank_paying_a_bill_clears_bills_payable_against_the_bank(org, boss, supplier):
    # given an acceptance bill of 80 we gave the supplier
    bill = _bill(org, boss, supplier)

    # when
    bill = services.settle_bill(
        org=org, actor=boss, payment=bill, paid_on=datetime.date(2026, 3, 1)
    )

    # then
    lines = sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in bill.bill_payment_entry.lines.select_related("account")
    )
    assert lines == [
        ("1002", Decimal("0.00"), Decimal("80.00"), None),
        ("2201", Decimal("80.00"), Decimal("0.00"), None),
    ]
    assert bill.bill_paid_on == datetime.date(2026, 3, 1)
    assert payable_balance(supplier) == Decimal("-80.00")  # unchanged by the bank's payment
    assert find_problems(org) == []


def test_a_bill_is_paid_by_the_bank_only_once(org, boss, supplier):
    # given
    bill = _bill(org, boss, supplier)
    services.settle_bill(org=org, actor=boss, payment=bill, paid_on=datetime.date(2026, 3, 1))
    entries = JournalEntry.objects.count()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.settle_bill(org=org, actor=boss, payment=bill)

    # then
    assert refused.value.code == "bill_already_paid"
    assert JournalEntry.objects.count() == entries


def test_a_transfer_is_not_a_bill_the_bank_pays(org, boss, supplier):
    payment = supplier_payment(org=org, actor=boss, supplier=supplier, amount=Decimal("80.00"))
    with pytest.raises(BusinessRuleViolation) as refused:
        services.settle_bill(org=org, actor=boss, payment=payment)
    assert refused.value.code == "not_a_bill"
    payment.refresh_from_db()
    assert payment.bill_paid_on is None
