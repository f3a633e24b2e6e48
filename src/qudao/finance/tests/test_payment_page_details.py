"""The payment pages: an amount allocated oldest first is allocated whole or refused (never cut
to what is left), and the tables have headers; the memo is shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.models import Allocation, Payment
from qudao.finance.services import PaymentData, allocate_payment, receive_payment
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory

D = Decimal


def _paid_with_200_left(org, boss):
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("1000.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("500.00"))
    allocate_payment(org=org, actor=boss, payment=paid, amount=D("300.00"))
    paid.refresh_from_db()
    return paid


def test_an_amount_oldest_first_is_allocated_whole(org, boss):
    # given / when
    paid = _paid_with_200_left(org, boss)

    # then
    assert (paid.amount_allocated, paid.unallocated) == (D("300.00"), D("200.00"))


def test_more_than_is_left_oldest_first_is_refused_and_nothing_is_written(org, boss):
    # given
    paid = _paid_with_200_left(org, boss)

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        allocate_payment(org=org, actor=boss, payment=paid, amount=D("999.00"))

    # then
    assert refused.value.code == "payment_overallocated"
    paid.refresh_from_db()
    assert paid.amount_allocated == D("300.00")
    assert Allocation.objects.filter(payment=paid).count() == 1


def test_more_than_is_open_on_the_invoices_is_refused(org, boss):
    # given: ¥800 left of the payment, ¥100 open
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    paid = payment(org=org, actor=boss, customer=customer, amount=D("800.00"))

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        allocate_payment(org=org, actor=boss, payment=paid, amount=D("150.00"))

    # then
    assert refused.value.code == "invoice_overpaid"
    assert not Allocation.objects.filter(payment=paid).exists()


def test_the_page_refuses_999_when_200_is_left(org, boss, login):
    # given
    paid = _paid_with_200_left(org, boss)

    # when
    response = login(boss).post(
        reverse("finance-payment-allocate", args=[paid.pk]),
        {"invoice": "", "amount": "999.00"},
        follow=True,
    )

    # then
    assert "exceed what is left of the payment (200.00)" in response.content.decode()
    assert Payment.objects.get(pk=paid.pk).amount_allocated == D("300.00")


def test_the_payment_page_shows_the_memo_and_table_headers(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer, amount=D("100.00"))
    paid, _created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(
            customer_id=customer.pk,
            date=datetime.date(2026, 2, 1),
            amount=D("100.00"),
            method="cash",
            memo="三月货款",
        ),
        auto_allocate=True,
    )

    # when
    response = login(boss).get(reverse("finance-payment-detail", args=[paid.pk]))

    # then
    html = response.content.decode()
    assert 'data-testid="memo">三月货款<' in html
    assert '<thead><tr><th>Invoice</th><th class="num">Amount</th></tr></thead>' in html
    assert '<thead><tr><th>Account</th><th class="num">Debit</th>' in html


def test_the_preview_has_headers_and_the_checkbox_one_label(org, member, login):
    # given
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=member("finance"), customer=customer, amount=D("100.00"))
    client = login(member("finance"))

    # when
    response = client.post(
        reverse("finance-payment-create"),
        {
            "customer": customer.pk,
            "date": "2026-02-01",
            "amount": "50.00",
            "method": "cash",
            "allocate": "on",
            "preview": "1",
        },
    )

    # then
    html = response.content.decode()
    assert '<table class="table" data-testid="preview"><thead>' in html
    assert html.count("Allocate to open invoices, oldest first") == 1
