"""The credit list: searched like the customer list, a page at a time, policies read per page."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qudao.finance.tests.credit_helpers import give_policy
from qudao.parties.tests.factories import CustomerFactory


def test_the_credit_list_is_searched_and_paged(org, boss, login):
    # given
    size = settings.QUDAO_LIST_PAGE_SIZES[0]
    for index in range(size + 3):
        CustomerFactory(org=org, code=f"C{index:04d}", name=f"门店{index}")
    wanted = CustomerFactory(org=org, code="Z0001", name="好又多超市")
    give_policy(org=org, actor=boss, customer=wanted, credit_limit="1234.00")
    client = login(boss)

    # when
    first = client.get(reverse("finance-credit-list"))
    found = client.get(reverse("finance-credit-list"), {"q": "好又多"})

    # then
    assert len(first.context["rows"]) == size
    assert first.context["page"].paginator.count == size + 4
    assert [customer.pk for customer, _policy in found.context["rows"]] == [wanted.pk]
    assert "¥1,234.00" in found.content.decode()


def test_the_credit_list_reads_policies_once_per_page(org, boss, login):
    # given
    client = login(boss)
    for _ in range(3):
        give_policy(org=org, actor=boss, customer=CustomerFactory(org=org), credit_limit="1.00")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("finance-credit-list"))
    for _ in range(6):
        give_policy(org=org, actor=boss, customer=CustomerFactory(org=org), credit_limit="1.00")

    # when
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("finance-credit-list"))

    # then
    assert len(many) == len(few)
