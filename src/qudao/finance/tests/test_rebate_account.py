"""The rebate account (返利账户): grants and their reversal, reservations, use on an invoice,
what a credit note gives back; always mirrored on 2241 and checked by the integrity run."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance import balances, services
from qudao.finance.credit import credit_exposure
from qudao.finance.integrity import find_problems
from qudao.finance.models import (
    CommitmentStage,
    JournalLine,
    RebateEntry,
    RebateEntryKind,
    RebateReservation,
)
from qudao.finance.selectors import party_balance
from qudao.finance.tests.accounts_helpers import granted
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory

D = Decimal


def _lines(entry: RebateEntry) -> list[tuple[str, Decimal, Decimal]]:
    return sorted(
        (line.account.code, line.debit, line.credit)
        for line in JournalLine.objects.filter(entry=entry.journal_entry)
    )


def test_a_grant_credits_the_account_and_posts_the_expense_against_2241(org, boss):
    customer = CustomerFactory(org=org)

    grant = granted(org=org, actor=boss, customer=customer, amount="1200.00")

    assert grant.number.startswith("RB") and grant.kind == RebateEntryKind.GRANT
    assert balances.rebate_balance(customer) == D("1200.00")
    assert _lines(grant) == [("2241", D("0.00"), D("1200.00")), ("6601", D("1200.00"), D("0.00"))]
    assert grant.journal_entry.source_type == "finance.rebate"
    assert grant.journal_entry.source_id == grant.pk
    assert party_balance(customer) == D("0.00")  # the receivable is untouched
    assert find_problems(org) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": D("-1.00")}, "amount"),
        ({"amount": D("0.001")}, "amount"),
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "date"),
        ({"source": "gift"}, "source"),
        ({"reason": " "}, "reason"),
    ],
)
def test_a_bad_grant_is_refused_and_writes_nothing(org, boss, fields, field):
    customer = CustomerFactory(org=org)
    data = {
        "customer_id": customer.pk,
        "amount": D("10.00"),
        "date": timezone.localdate(),
        "source": "year_end",
        "reason": "年终返利",
    } | fields
    with pytest.raises(BusinessRuleViolation) as refused:
        services.grant_rebate(org=org, actor=boss, data=services.RebateGrantData(**data))
    assert field in refused.value.fields
    assert RebateEntry.objects.count() == 0 and JournalLine.objects.count() == 0


def test_only_finance_and_the_boss_grant_rebates(org, rep):
    with pytest.raises(PermissionDenied):
        granted(org=org, actor=rep, customer=CustomerFactory(org=org))


def test_a_reservation_takes_from_what_is_available_and_never_more(org, boss):
    customer = CustomerFactory(org=org)
    granted(org=org, actor=boss, customer=customer, amount="100.00")

    services.reserve_rebate(org=org, customer=customer, reference="sales_order:1", amount=D("70"))
    with pytest.raises(BusinessRuleViolation) as refused:
        services.reserve_rebate(
            org=org, customer=customer, reference="sales_order:2", amount=D("30.01")
        )
    # the same order may change its own reservation up to the whole balance
    services.reserve_rebate(org=org, customer=customer, reference="sales_order:1", amount=D("100"))

    assert refused.value.code == "rebate_insufficient"
    assert balances.balances_of(customer).rebate_available == D("0.00")
    services.reserve_rebate(org=org, customer=customer, reference="sales_order:1", amount=D("0"))
    assert RebateReservation.objects.count() == 0


def test_using_rebate_on_an_invoice_settles_that_part_and_consumes_the_reservation(org, boss):
    # given
    customer = CustomerFactory(org=org)
    granted(org=org, actor=boss, customer=customer, amount="100.00")
    services.reserve_rebate(org=org, customer=customer, reference="sales_order:7", amount=D("80"))
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("800.00"))

    # when
    used = services.apply_rebate(
        org=org, actor=boss, invoice=invoice, amount=D("50.00"), reference="sales_order:7"
    )

    # then
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.open_amount) == (D("50.00"), D("750.00"))
    assert _lines(used) == [("1122", D("0.00"), D("50.00")), ("2241", D("50.00"), D("0.00"))]
    assert balances.rebate_balance(customer) == D("50.00")
    assert balances.reservation_of("sales_order:7") == D("30.00")
    assert balances.rebate_used_by("sales_order:7") == D("50.00")
    assert party_balance(customer) == D("750.00")
    assert find_problems(org) == []


def test_rebate_never_pays_more_than_is_open_or_available(org, boss):
    customer = CustomerFactory(org=org)
    granted(org=org, actor=boss, customer=customer, amount="30.00")
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("20.00"))

    with pytest.raises(BusinessRuleViolation) as over_open:
        services.apply_rebate(org=org, actor=boss, invoice=invoice, amount=D("20.01"))
    bigger = posted_invoice(org=org, actor=boss, customer=customer, amount=D("500.00"))
    with pytest.raises(BusinessRuleViolation) as over_balance:
        services.apply_rebate(org=org, actor=boss, invoice=bigger, amount=D("30.01"))

    assert (over_open.value.code, over_balance.value.code) == (
        "invoice_overpaid",
        "rebate_insufficient",
    )


def test_a_credit_note_gives_the_rebate_its_share_back_and_the_money_its_own(org, boss):
    # given: 1000 paid 100 by rebate and 900 by a payment
    customer = CustomerFactory(org=org)
    granted(org=org, actor=boss, customer=customer, amount="100.00")
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("1000.00"))
    services.apply_rebate(org=org, actor=boss, invoice=invoice, amount=D("100.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("900.00"), auto_allocate=True)

    # when: half of it comes back
    services.credit_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="退货",
        lines=[services.LineData("退货", D("1"), D("500.00"), D("0"))],
    )

    # then: in proportion, 50 to the rebate account and 450 to the prepayment balance
    invoice.refresh_from_db()
    paid.refresh_from_db()
    assert balances.rebate_balance(customer) == D("50.00")
    assert paid.unallocated == D("450.00")
    assert (invoice.amount_paid, invoice.open_amount) == (D("500.00"), D("0.00"))
    back = RebateEntry.objects.get(kind=RebateEntryKind.RELEASE)
    assert _lines(back) == [("1122", D("50.00"), D("0.00")), ("2241", D("0.00"), D("50.00"))]
    assert party_balance(customer) == D("-450.00")
    assert find_problems(org) == []


def test_a_grant_is_reversed_while_unused_and_not_after(org, boss):
    customer = CustomerFactory(org=org)
    grant = granted(org=org, actor=boss, customer=customer, amount="100.00")
    services.reserve_rebate(org=org, customer=customer, reference="sales_order:3", amount=D("1"))

    with pytest.raises(BusinessRuleViolation) as in_use:
        services.reverse_rebate_grant(org=org, actor=boss, grant=grant, reason="录错")
    services.release_rebate_reservation(org=org, reference="sales_order:3")
    reversal = services.reverse_rebate_grant(org=org, actor=boss, grant=grant, reason="录错")
    with pytest.raises(BusinessRuleViolation) as twice:
        services.reverse_rebate_grant(org=org, actor=boss, grant=grant, reason="录错")

    assert in_use.value.code == "rebate_in_use"
    assert (reversal.amount, reversal.reverses_id) == (D("-100.00"), grant.pk)
    assert twice.value.code == "already_reversed"
    assert balances.rebate_balance(customer) == D("0.00")
    assert find_problems(org) == []


def test_credit_exposure_counts_confirmed_orders_net_of_their_rebate(org, boss):
    customer = CustomerFactory(org=org)
    granted(org=org, actor=boss, customer=customer, amount="100.00")
    services.record_open_order(
        org=org,
        customer=customer,
        reference="sales_order:1",
        stage=CommitmentStage.CONFIRMED,
        amount=D("1000.00"),
    )
    services.reserve_rebate(org=org, customer=customer, reference="sales_order:1", amount=D("80"))
    # a draft's reservation counts only for the draft itself
    services.reserve_rebate(org=org, customer=customer, reference="sales_order:2", amount=D("20"))

    assert credit_exposure(customer).total == D("920.00")
    assert credit_exposure(customer, exclude_reference="sales_order:2").rebate_reserved == D("100")

    services.release_open_order(org=org, reference="sales_order:1")
    assert balances.reservation_of("sales_order:1") == D("0.00")


def test_the_integrity_run_finds_a_rebate_account_out_of_step_with_its_ledger(org, boss):
    customer = CustomerFactory(org=org)
    grant = granted(org=org, actor=boss, customer=customer, amount="100.00")
    RebateEntry.objects.filter(pk=grant.pk).update(amount=D("90.00"))

    assert [p.check for p in find_problems(org)] == ["finance.rebate_account_equals_ledger"]
