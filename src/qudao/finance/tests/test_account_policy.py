"""The customer account page shows the credit policy in force, also when it is the group's."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from qudao.finance.services import PolicyData, set_group_policy
from qudao.finance.tests.credit_helpers import give_policy
from qudao.parties.tests.factories import CustomerFactory

D = Decimal


def test_a_customer_following_its_group_shows_the_groups_policy_and_a_way_to_its_own(
    org, boss, login
):
    # given
    customer = CustomerFactory(org=org, tier="A", customer_type="retailer")
    set_group_policy(
        org=org,
        actor=boss,
        tier="A",
        customer_type="",
        data=PolicyData(credit_limit=D("30000.00"), payment_term_days=30),
    )

    # when
    response = login(boss).get(reverse("finance-account-detail", args=[customer.pk]))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="credit-limit">¥30,000.00<' in html
    assert 'data-testid="term">Net 30 days<' in html
    assert "From the group default" in html
    assert reverse("finance-credit-detail", args=[customer.pk]) + "#policy" in html
    assert "finance-account-terms" not in html and 'name="payment_term_days"' not in html


def test_the_credit_page_prefills_the_groups_policy_for_the_customers_own(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    set_group_policy(
        org=org,
        actor=boss,
        tier="",
        customer_type="",
        data=PolicyData(credit_limit=D("30000.00"), payment_term_days=30),
    )

    # when
    response = login(boss).get(reverse("finance-credit-detail", args=[customer.pk]))

    # then
    form = response.context["policy_form"]
    assert (form["credit_limit"].value(), form["payment_term_days"].value()) == (
        D("30000.00"),
        "30",
    )


def test_a_customer_with_its_own_policy_gets_the_terms_form_filled_in(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, credit_limit="500.00")

    # when
    response = login(boss).get(reverse("finance-account-detail", args=[customer.pk]))

    # then
    html = response.content.decode()
    assert "Own policy" in html
    assert (
        'name="payment_term_days" id="id_payment_term_days" class="form-control" value="0"' in html
    )
    assert 'value="500.00"' in html


def test_open_invoices_have_column_headers(org, boss, login):
    customer = CustomerFactory(org=org)

    response = login(boss).get(reverse("finance-account-detail", args=[customer.pk]))

    html = response.content.decode()
    table = html[html.index('data-testid="open-invoices"') :]
    assert "<thead><tr><th>Number</th><th>Date</th><th>Due date</th>" in table
