"""The prepayment account (预付款账户): vouchers, finance's decision, staff top-ups, refunds,
and credit notes on paid invoices leaving the money on the balance."""

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
    Allocation,
    CustomerRefund,
    Invoice,
    InvoiceStatus,
    JournalLine,
    Payment,
    PrepaymentTopUp,
    TopUpStatus,
)
from qudao.finance.selectors import party_balance
from qudao.finance.tests.accounts_helpers import (
    requested,
    top_up_data,
    topped_up,
    voucher,
)
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role

D = Decimal


@pytest.fixture
def shop(member):
    """The retailer's portal user (its party is the customer)."""
    return member(Role.RETAILER)


@pytest.fixture
def finance(member):
    return member(Role.FINANCE)


# ---------------------------------------------------------------------------------------------
# Top-ups sent by the retailer


def test_a_voucher_is_a_pending_request_and_not_money_yet(org, shop):
    # when
    top_up = requested(org=org, shop=shop, amount="800.00", reference="HX20260301001")

    # then
    assert (top_up.status, top_up.amount, top_up.number[:6]) == (
        TopUpStatus.PENDING,
        D("800.00"),
        f"TU{timezone.localdate().year}",
    )
    assert top_up.voucher.name.startswith("topups/") and top_up.voucher.name.endswith(".png")
    assert len(top_up.voucher_sha256) == 64
    assert Payment.objects.count() == 0
    assert balances.balances_of(shop.party).prepayment == D("0.00")
    assert balances.balances_of(shop.party).pending_top_ups == D("800.00")


def test_approving_records_the_payment_which_credits_the_balance_and_lowers_exposure(
    org, shop, finance
):
    # given
    top_up = requested(org=org, shop=shop, amount="800.00", reference="HX1")

    # when
    top_up = services.approve_top_up(org=org, actor=finance, top_up=top_up)

    # then
    payment_row = top_up.payment
    assert top_up.status == TopUpStatus.APPROVED and top_up.decided_by == finance
    assert (payment_row.amount, payment_row.reference, payment_row.method) == (
        D("800.00"),
        "HX1",
        "bank_transfer",
    )
    assert balances.prepayment_balance(shop.party) == D("800.00")
    assert credit_exposure(shop.party).unallocated_prepayments == D("800.00")
    assert party_balance(shop.party) == D("-800.00")  # a credit balance on the receivable
    assert find_problems(org) == []


def test_approving_twice_is_refused_and_posts_once(org, shop, finance):
    top_up = requested(org=org, shop=shop)
    services.approve_top_up(org=org, actor=finance, top_up=top_up)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.approve_top_up(org=org, actor=finance, top_up=top_up)

    assert refused.value.code == "invalid_transition"
    assert Payment.objects.count() == 1


def test_approving_with_allocation_settles_open_invoices_oldest_first(org, boss, shop, finance):
    invoice = posted_invoice(org=org, actor=boss, customer=shop.party, amount=D("300.00"))
    top_up = requested(org=org, shop=shop, amount="500.00")

    services.approve_top_up(org=org, actor=finance, top_up=top_up, allocate=True)

    invoice.refresh_from_db()
    assert invoice.open_amount == D("0.00")
    assert balances.prepayment_balance(shop.party) == D("200.00")


def test_a_rejection_needs_a_reason_which_the_retailer_sees(org, shop, finance):
    top_up = requested(org=org, shop=shop)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.reject_top_up(org=org, actor=finance, top_up=top_up, reason="  ")
    assert refused.value.code == "reason_required"

    services.reject_top_up(org=org, actor=finance, top_up=top_up, reason="银行未到账")
    top_up.refresh_from_db()
    assert (top_up.status, top_up.rejection_reason) == (TopUpStatus.REJECTED, "银行未到账")
    assert Payment.objects.count() == 0


def test_the_retailer_may_withdraw_its_pending_request_only(org, shop, member, finance):
    mine = requested(org=org, shop=shop)
    other_shop = member(Role.RETAILER)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.withdraw_top_up(org=org, actor=other_shop, top_up=mine)
    assert refused.value.code == "not_your_account"

    services.withdraw_top_up(org=org, actor=shop, top_up=mine)
    mine.refresh_from_db()
    assert mine.status == TopUpStatus.WITHDRAWN
    with pytest.raises(BusinessRuleViolation):
        services.approve_top_up(org=org, actor=finance, top_up=mine)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"amount": D("-5.00")}, "invalid_top_up", "amount"),
        ({"amount": D("0")}, "invalid_top_up", "amount"),
        ({"amount": D("1.005")}, "invalid_top_up", "amount"),
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "invalid_top_up", "date"),
        ({"date": timezone.localdate() - datetime.timedelta(days=400)}, "invalid_top_up", "date"),
        ({"method": "acceptance_bill"}, "invalid_top_up", "method"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_writes_nothing(org, shop, fields, code, field):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.request_top_up(
            org=org, actor=shop, data=top_up_data(shop.party, **fields), voucher=voucher()
        )

    assert refused.value.code == code and field in refused.value.fields
    assert PrepaymentTopUp.objects.count() == 0


def test_a_request_needs_a_voucher_that_is_an_image_or_a_pdf(org, shop):
    with pytest.raises(BusinessRuleViolation) as missing:
        services.request_top_up(org=org, actor=shop, data=top_up_data(shop.party), voucher=None)
    with pytest.raises(BusinessRuleViolation) as wrong:
        services.request_top_up(
            org=org,
            actor=shop,
            data=top_up_data(shop.party),
            voucher=voucher(b"MZ\x90\x00 not a picture", name="凭证.png"),
        )

    assert "voucher" in missing.value.fields
    assert wrong.value.code == "voucher_not_accepted"
    assert PrepaymentTopUp.objects.count() == 0


def test_the_same_voucher_or_reference_twice_is_refused_as_a_duplicate(org, shop, finance):
    first = requested(org=org, shop=shop, amount="800.00", reference="HX9", content=b"%PDF-1 a")

    with pytest.raises(BusinessRuleViolation) as same_file:
        requested(org=org, shop=shop, amount="900.00", content=b"%PDF-1 a")
    with pytest.raises(BusinessRuleViolation) as same_reference:
        requested(org=org, shop=shop, amount="900.00", reference="hx9", content=b"%PDF-1 b")

    assert same_file.value.code == "duplicate_voucher" and first.number in same_file.value.message
    assert same_reference.value.code == "duplicate_reference"
    # once rejected, the same voucher may be sent again (e.g. with the right amount)
    services.reject_top_up(org=org, actor=finance, top_up=first, reason="金额不符")
    requested(org=org, shop=shop, amount="900.00", reference="HX9", content=b"%PDF-1 a")


def test_a_reference_already_on_a_payment_is_a_duplicate(org, boss, shop):
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(
            customer_id=shop.party_id,
            date=timezone.localdate(),
            amount=D("100.00"),
            method="wechat",
            reference="WX42",
        ),
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        requested(org=org, shop=shop, method="wechat", reference="WX42")
    assert refused.value.code == "duplicate_reference"


def test_the_same_amount_and_day_without_references_waits_once(org, shop):
    requested(org=org, shop=shop, amount="300.00")
    with pytest.raises(BusinessRuleViolation) as refused:
        requested(org=org, shop=shop, amount="300.00", content=b"\xff\xd8\xff other")
    assert refused.value.code == "duplicate_top_up"
    requested(org=org, shop=shop, amount="300.00", reference="B2", content=b"\xff\xd8\xff b")
    assert PrepaymentTopUp.objects.count() == 2


def test_a_repeated_idempotency_key_returns_the_first_request(org, shop):
    first, created = services.request_top_up(
        org=org, actor=shop, data=top_up_data(shop.party, idempotency_key="k1"), voucher=voucher()
    )
    again, created_again = services.request_top_up(
        org=org, actor=shop, data=top_up_data(shop.party, idempotency_key="k1"), voucher=voucher()
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_a_retailer_tops_up_its_own_account_only_and_staff_cannot_pretend(org, shop, member, boss):
    other = CustomerFactory(org=org)
    with pytest.raises(BusinessRuleViolation) as not_mine:
        services.request_top_up(org=org, actor=shop, data=top_up_data(other), voucher=voucher())
    with pytest.raises(PermissionDenied):
        services.request_top_up(org=org, actor=boss, data=top_up_data(other), voucher=voucher())
    with pytest.raises(PermissionDenied):
        services.approve_top_up(org=org, actor=shop, top_up=requested(org=org, shop=shop))
    assert not_mine.value.code == "not_your_account"


def test_staff_top_up_for_the_customer_posts_at_once_without_a_voucher(org, finance):
    customer = CustomerFactory(org=org)

    top_up = topped_up(org=org, actor=finance, customer=customer, amount="2000.00", method="cash")

    assert (top_up.status, top_up.source, top_up.voucher.name) == ("approved", "staff", "")
    assert top_up.payment.amount == D("2000.00")
    lines = JournalLine.objects.filter(entry=top_up.payment.journal_entry)
    assert sorted((line.account.code, line.debit, line.credit) for line in lines) == [
        ("1001", D("2000.00"), D("0.00")),
        ("1122", D("0.00"), D("2000.00")),
    ]


def test_a_sales_rep_cannot_record_a_top_up(org, rep):
    with pytest.raises(PermissionDenied):
        topped_up(org=org, actor=rep, customer=CustomerFactory(org=org))


# ---------------------------------------------------------------------------------------------
# Refunds


def test_a_refund_pays_money_back_from_the_balance_and_posts_it(org, finance):
    customer = CustomerFactory(org=org)
    first = topped_up(org=org, actor=finance, customer=customer, amount="300.00", reference="a")
    second = topped_up(org=org, actor=finance, customer=customer, amount="500.00", reference="b")

    refund, created = services.refund_prepayment(
        org=org,
        actor=finance,
        data=services.RefundData(
            customer_id=customer.pk,
            amount=D("450.00"),
            date=timezone.localdate(),
            method="alipay",
            reason="客户结束合作，退还余款",
        ),
    )

    assert created and refund.number.startswith("RF")
    assert balances.prepayment_balance(customer) == D("350.00")
    # oldest payment first
    assert [(p.payment_id, p.amount) for p in refund.parts.order_by("pk")] == [
        (first.payment_id, D("300.00")),
        (second.payment_id, D("150.00")),
    ]
    lines = JournalLine.objects.filter(entry=refund.journal_entry)
    assert sorted((line.account.code, line.debit, line.credit) for line in lines) == [
        ("1012", D("0.00"), D("450.00")),
        ("1122", D("450.00"), D("0.00")),
    ]
    assert party_balance(customer) == D("-350.00")
    assert find_problems(org) == []


def test_a_refund_beyond_the_balance_is_refused_and_writes_nothing(org, finance):
    customer = CustomerFactory(org=org)
    topped_up(org=org, actor=finance, customer=customer, amount="100.00")

    with pytest.raises(BusinessRuleViolation) as refused:
        services.refund_prepayment(
            org=org,
            actor=finance,
            data=services.RefundData(
                customer_id=customer.pk,
                amount=D("100.01"),
                date=timezone.localdate(),
                method="bank_transfer",
                reason="退款",
            ),
        )

    assert refused.value.code == "refund_exceeds_balance"
    assert CustomerRefund.objects.count() == 0
    assert balances.prepayment_balance(customer) == D("100.00")


def test_a_refund_needs_a_reason_and_a_repeated_key_refunds_once(org, finance):
    customer = CustomerFactory(org=org)
    topped_up(org=org, actor=finance, customer=customer, amount="100.00")
    data = services.RefundData(
        customer_id=customer.pk,
        amount=D("40.00"),
        date=timezone.localdate(),
        method="cash",
        reason="",
        idempotency_key="r-1",
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        services.refund_prepayment(org=org, actor=finance, data=data)
    assert "reason" in refused.value.fields

    ok = services.RefundData(**{**data.__dict__, "reason": "多付退回"})
    services.refund_prepayment(org=org, actor=finance, data=ok)
    _again, created = services.refund_prepayment(org=org, actor=finance, data=ok)
    assert not created and balances.prepayment_balance(customer) == D("60.00")


# ---------------------------------------------------------------------------------------------
# Credit notes on paid invoices


def test_a_credit_note_on_a_paid_invoice_leaves_the_money_on_the_prepayment_balance(org, boss):
    # given: an invoice of 1000 paid in full by one payment
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("1000.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("1000.00"), auto_allocate=True)

    # when: 300 of it is credited
    note = services.credit_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="退货",
        lines=[services.LineData("退货", D("1"), D("300.00"), D("0"))],
    )

    # then
    invoice.refresh_from_db()
    paid.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_credited, invoice.open_amount) == (
        D("700.00"),
        D("300.00"),
        D("0.00"),
    )
    assert paid.unallocated == D("300.00")
    released = Allocation.objects.get(amount__lt=0)
    assert (released.amount, released.credit_note_id, released.payment_id) == (
        D("-300.00"),
        note.pk,
        paid.pk,
    )
    assert balances.prepayment_balance(customer) == D("300.00")
    assert party_balance(customer) == D("-300.00")
    assert find_problems(org) == []


def test_the_money_a_credit_note_released_settles_the_next_invoice(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("500.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("500.00"), auto_allocate=True)
    services.credit_invoice(org=org, actor=boss, invoice=invoice, reason="整单退货")
    later = posted_invoice(org=org, actor=boss, customer=customer, amount=D("200.00"))

    settled = services.settle_from_prepayments(org=org, actor=boss, invoice=later)

    later.refresh_from_db()
    paid.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert (settled, later.open_amount, paid.unallocated) == (D("200.00"), D("0.00"), D("300.00"))
    assert find_problems(org) == []


def test_a_partly_paid_invoice_is_credited_from_the_open_amount_first(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("1000.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("600.00"), auto_allocate=True)

    services.credit_invoice(
        org=org,
        actor=boss,
        invoice=invoice,
        reason="折让",
        lines=[services.LineData("折让", D("1"), D("500.00"), D("0"))],
    )

    invoice.refresh_from_db()
    paid.refresh_from_db()
    assert (invoice.amount_paid, invoice.open_amount, paid.unallocated) == (
        D("500.00"),
        D("0.00"),
        D("100.00"),
    )


def test_crediting_more_than_is_left_after_earlier_credit_notes_is_refused(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    payment(org=org, actor=boss, customer=customer, amount=D("100.00"), auto_allocate=True)
    line = [services.LineData("退货", D("1"), D("60.00"), D("0"))]
    services.credit_invoice(org=org, actor=boss, invoice=invoice, reason="退货", lines=line)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.credit_invoice(org=org, actor=boss, invoice=invoice, reason="再退", lines=line)

    assert refused.value.code == "credit_exceeds_open_amount"
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_settling_all_open_invoices_uses_the_whole_balance(org, boss):
    customer = CustomerFactory(org=org)
    older = posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    newer = posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    payment(org=org, actor=boss, customer=customer, amount=D("150.00"))

    settled = services.settle_open_invoices(org=org, actor=boss, customer=customer)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (settled, older.open_amount, newer.open_amount) == (
        D("150.00"),
        D("0.00"),
        D("50.00"),
    )
