"""The home page's activity feed names each record (a document by its number) and links it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.shell.dashboard import for_member
from qudao.tenancy.services import record_event


def test_the_feed_shows_the_documents_number_and_links_its_page(org, boss, login):
    # given
    customer = CustomerFactory(org=org, name="好又多")
    invoice = posted_invoice(org=org, actor=boss, customer=customer)
    record_event(org=org, actor=boss, subject=invoice, verb="posted")
    record_event(org=org, actor=boss, subject=customer, verb="updated")

    # when
    response = login(boss).get(reverse("home"))

    # then
    html = response.content.decode()
    invoice_url = reverse("finance-invoice-detail", args=[invoice.pk])
    customer_url = reverse("parties-customer-detail", args=[customer.pk])
    assert f'<a href="{invoice_url}">{invoice.number}</a>' in html
    assert f'<a href="{customer_url}">{customer}</a>' in html
    assert f"#{invoice.pk}<" not in html


def test_the_feed_reads_records_once_per_kind_not_once_per_event(org, boss):
    # given
    customers = [CustomerFactory(org=org) for _ in range(2)]
    for customer in customers:
        record_event(org=org, actor=boss, subject=customer, verb="updated")
    with CaptureQueriesContext(connection) as few:
        for_member(boss)
    customers += [CustomerFactory(org=org) for _ in range(5)]
    for customer in customers[2:]:
        record_event(org=org, actor=boss, subject=customer, verb="updated")

    # when
    with CaptureQueriesContext(connection) as many:
        context = for_member(boss)

    # then
    assert len(context["events"]) == 7
    assert len(many) == len(few)
