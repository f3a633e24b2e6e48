"""From the aging report to a customer's open invoices as of the report's date."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from qudao.finance.aging import aging_report
from qudao.finance.aging_items import open_invoices_as_of
from qudao.finance.tests.test_aging import AS_OF, credit, days_ago, due, pay
from qudao.parties.tests.factories import CustomerFactory

D = Decimal


def test_the_open_invoices_as_of_a_date_add_up_to_the_aging_row(org, boss):
    # given: one invoice paid after the date, one credited in part after it, one paid before,
    # one dated after it
    customer = CustomerFactory(org=org)
    paid_later = due(org, boss, customer, 10, "100.00")
    pay(org, boss, paid_later, "100.00", AS_OF + (AS_OF - days_ago(5)))
    credited_later = due(org, boss, customer, 40, "80.00")
    credit(org, boss, credited_later, "30.00", days_ago(-3))
    paid_before = due(org, boss, customer, 50, "60.00")
    pay(org, boss, paid_before, "60.00", days_ago(20))
    due(org, boss, customer, -5, "70.00")

    # when
    invoices = list(open_invoices_as_of(customer, AS_OF))

    # then
    assert [(i.pk, i.open_as_of) for i in invoices] == [
        (credited_later.pk, D("80.00")),
        (paid_later.pk, D("100.00")),
    ]
    (row,) = aging_report(boss, as_of=AS_OF).rows
    assert row.total == sum(i.open_as_of for i in invoices)


def test_the_aging_link_carries_the_date_to_the_account_page(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    invoice = due(org, boss, customer, 10, "100.00")
    pay(org, boss, invoice, "100.00", days_ago(-1))
    client = login(boss)

    # when
    report = client.get(reverse("finance-aging"), {"as_of": AS_OF.isoformat()})
    link = reverse("finance-account-detail", args=[customer.pk]) + f"?as_of={AS_OF.isoformat()}"
    page = client.get(link)
    today = client.get(reverse("finance-account-detail", args=[customer.pk]))

    # then
    assert f'href="{link}"' in report.content.decode()
    assert [i.pk for i in page.context["open_invoices"]] == [invoice.pk]
    assert f"Open invoices as of {AS_OF.isoformat()}" in page.content.decode()
    assert today.context["open_invoices"] == []
