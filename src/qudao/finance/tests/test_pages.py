"""The money pages: who sees what, the flows through the forms, printing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.finance.models import Invoice, InvoiceStatus, Payment
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role


@pytest.mark.parametrize("role", [Role.BOSS, Role.FINANCE, Role.SALES_REP, Role.READONLY])
def test_finance_viewers_open_every_page(org, boss, member, login, role):
    membership = member(role)
    customer = CustomerFactory(org=org, owner=membership if role == Role.SALES_REP else None)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)
    paid = payment(
        org=org, actor=boss, customer=customer, amount=Decimal("30.00"), auto_allocate=True
    )
    client = login(membership)

    urls = [
        reverse("finance-invoice-list"),
        reverse("finance-invoice-list") + "?overdue=yes&status=posted&sort=-total",
        reverse("finance-invoice-detail", args=[invoice.pk]),
        reverse("finance-invoice-print", args=[invoice.pk]),
        reverse("finance-payment-list"),
        reverse("finance-payment-detail", args=[paid.pk]),
        reverse("finance-account-list"),
        reverse("finance-account-detail", args=[customer.pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [200] * len(urls)


def test_a_rep_does_not_see_another_reps_invoice(org, boss, rep, login):
    invoice = posted_invoice(org=org, actor=boss, customer=CustomerFactory(org=org))
    client = login(rep)

    assert client.get(reverse("finance-invoice-detail", args=[invoice.pk])).status_code == 404
    assert invoice.number not in client.get(reverse("finance-invoice-list")).content.decode()


def test_print_spells_the_total_in_capitals(org, boss, login):
    invoice = posted_invoice(org=org, actor=boss, customer=CustomerFactory(org=org))
    page = login(boss).get(reverse("finance-invoice-print", args=[invoice.pk])).content.decode()
    assert "壹佰元整" in page


def test_create_and_post_an_invoice_through_the_pages(org, boss, login):
    customer = CustomerFactory(org=org)
    client = login(boss)

    created = client.post(
        reverse("finance-invoice-create"),
        {
            "customer": customer.pk,
            "date": "2026-01-10",
            "line0-description": "啤酒",
            "line0-quantity": "12",
            "line0-unit_price": "3.5",
            "line0-tax_rate": "0.13",
        },
    )
    invoice = Invoice.objects.get()
    posted = client.post(reverse("finance-invoice-post", args=[invoice.pk]))

    assert created.status_code == 302
    assert posted.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total) == (InvoiceStatus.POSTED, Decimal("47.46"))


def test_record_a_payment_through_the_page(org, boss, login):
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer)
    client = login(boss)
    form = {
        "customer": customer.pk,
        "date": "2026-02-01",
        "amount": "60.00",
        "method": "bank_transfer",
        "allocate": "on",
        "idempotency_key": "page-1",
    }

    preview = client.post(reverse("finance-payment-create"), form | {"preview": "1"})
    first = client.post(reverse("finance-payment-create"), form)
    again = client.post(reverse("finance-payment-create"), form)

    assert 'data-testid="preview"' in preview.content.decode()
    assert (first.status_code, again.status_code) == (302, 302)
    assert Payment.objects.get().amount_allocated == Decimal("60.00")


def test_journal_reversal_from_the_page(org, boss, login):
    from qudao.finance.services import Posting, post_entry

    entry = post_entry(
        org=org,
        actor=boss,
        date=__import__("datetime").date(2026, 3, 1),
        memo="manual",
        postings=[Posting("1001", debit=Decimal("5")), Posting("1002", credit=Decimal("5"))],
    )
    client = login(boss)

    response = client.post(reverse("finance-journal-reverse", args=[entry.pk]), {"reason": "typo"})

    assert response.status_code == 302
    assert entry.reversed_by.count() == 1
    assert client.get(reverse("finance-journal")).status_code == 200
