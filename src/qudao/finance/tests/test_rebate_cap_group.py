"""The rebate cap per credit policy: a customer's own policy and a group default may each say
what share of an order the rebate may pay; empty: the organization's setting. The pages and
the API show and edit it; a bad share is refused and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.credit import policies_of, policy_of
from qudao.finance.models import CreditGroupPolicy, CustomerTerms
from qudao.finance.services import PolicyData, follow_group_policy, set_group_policy
from qudao.finance.services.rebates import rebate_cap_of, rebate_share_of
from qudao.finance.tests.credit_helpers import give_policy
from qudao.finance.tests.test_api import API, client_for
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role

pytestmark = pytest.mark.django_db
D = Decimal


def _group(org, boss, share: str | None, tier: str = "A") -> CreditGroupPolicy:
    return set_group_policy(
        org=org,
        actor=boss,
        tier=tier,
        customer_type="",
        data=PolicyData(
            credit_limit=D("1000.00"), rebate_max_share=None if share is None else D(share)
        ),
    )


def _organization_share(org, boss, share: str) -> None:
    services.set_account_settings(
        org=org, actor=boss, rebate_max_share=D(share), settle_from_prepayments=True
    )


# ---------------------------------------------------------------------------------------------
# Which share applies


def test_the_customers_own_cap_wins_then_its_groups_then_the_organizations(org, boss):
    # given: the organization lets the rebate pay 10 %, tier A's default 25 %
    _organization_share(org, boss, "0.1")
    _group(org, boss, "0.25")
    own = CustomerFactory(org=org, tier="A")
    give_policy(org=org, actor=boss, customer=own, rebate_max_share=D("0.05"))
    in_group = CustomerFactory(org=org, tier="A")
    no_policy = CustomerFactory(org=org, tier="B")

    # then
    assert [rebate_share_of(org, c) for c in (own, in_group, no_policy)] == [
        D("0.0500"),
        D("0.2500"),
        D("0.1000"),
    ]
    assert rebate_cap_of(org, in_group, D("333.33")) == D("83.33")  # rounded down
    policies = policies_of([own, in_group, no_policy])
    assert [policies[c.pk].rebate_max_share for c in (own, in_group, no_policy)] == [
        D("0.0500"),
        D("0.2500"),
        None,
    ]


def test_an_empty_cap_means_the_organizations_setting(org, boss):
    # given: a group without a cap of its own, and a customer's own policy without one
    _organization_share(org, boss, "0.15")
    _group(org, boss, None)
    in_group = CustomerFactory(org=org, tier="A")
    own = CustomerFactory(org=org, tier="A")
    give_policy(org=org, actor=boss, customer=own, credit_limit="10.00")

    # then: the policy in force says nothing, so the organization's 15 % applies
    assert policy_of(in_group).rebate_max_share is None
    assert rebate_share_of(org, in_group) == rebate_share_of(org, own) == D("0.1500")


def test_following_the_group_again_takes_the_groups_cap(org, boss):
    _group(org, boss, "0.3")
    customer = CustomerFactory(org=org, tier="A")
    give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D("0.02"))
    assert rebate_share_of(org, customer) == D("0.0200")

    follow_group_policy(org=org, actor=boss, customer=customer)

    assert rebate_share_of(org, customer) == D("0.3000")


def test_a_zero_cap_is_kept_and_means_no_rebate(org, boss):
    _organization_share(org, boss, "0.5")
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D("0"))

    assert rebate_cap_of(org, customer, D("1000.00")) == D("0.00")


@pytest.mark.parametrize("share", ["1.0001", "-0.01", "0.12345", "NaN"])
def test_a_bad_cap_is_refused_and_nothing_is_written(org, boss, share):
    customer = CustomerFactory(org=org)

    with pytest.raises(BusinessRuleViolation) as refused:
        give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D(share))
    with pytest.raises(BusinessRuleViolation) as refused_group:
        _group(org, boss, share)

    assert refused.value.code == refused_group.value.code == "invalid_policy"
    assert set(refused.value.fields) == {"rebate_max_share"}
    assert not CustomerTerms.objects.exists() and not CreditGroupPolicy.objects.exists()


def test_changing_the_cap_is_audited(org, boss):
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D("0.2"))
    give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D("0.05"))

    last = Event.objects.filter(verb="credit_policy_changed").order_by("pk").last()
    assert (last.data["before"]["rebate_max_share"], last.data["after"]["rebate_max_share"]) == (
        "0.2000",  # as stored
        "0.05",  # as entered
    )


# ---------------------------------------------------------------------------------------------
# The pages


POLICY = {
    "mode": "credit",
    "credit_limit": "500.00",
    "term_kind": "net",
    "payment_term_days": "30",
    "due_day": "0",
    "overdue_tolerance_days": "0",
    "overdue_tolerance_amount": "0",
    "on_exceeded": "block",
}


def test_finance_sets_a_customers_cap_in_percent_and_the_page_shows_it(org, member, login):
    customer = CustomerFactory(org=org)
    client = login(member(Role.FINANCE))

    response = client.post(
        reverse("finance-credit-policy", args=[customer.pk]),
        {**POLICY, "rebate_max_share": "12.5"},
    )

    assert response.status_code == 302
    assert policy_of(customer).rebate_max_share == D("0.1250")
    page = client.get(reverse("finance-credit-detail", args=[customer.pk]))
    assert page.status_code == 200
    assert page.context["policy_form"].initial["rebate_max_share"] == "12.50"
    html = page.content.decode()
    assert 'name="rebate_max_share"' in html and 'value="12.50"' in html
    assert "at most 12.5 % of an order (this policy's cap)" in html


def test_an_empty_cap_on_the_page_follows_the_organization(org, boss, login):
    _organization_share(org, boss, "0.08")
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D("0.3"))
    client = login(boss)

    client.post(reverse("finance-credit-policy", args=[customer.pk]), POLICY)

    assert policy_of(customer).rebate_max_share is None
    html = client.get(reverse("finance-credit-detail", args=[customer.pk])).content.decode()
    assert "at most 8 % of an order (the organization's setting)" in html


def test_a_cap_above_100_percent_is_answered_on_the_page_and_nothing_changes(org, boss, login):
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, rebate_max_share=D("0.2"))

    response = login(boss).post(
        reverse("finance-credit-policy", args=[customer.pk]),
        {**POLICY, "rebate_max_share": "100.01"},
        follow=True,
    )

    assert response.status_code == 422  # the form again, with the input kept
    assert "Check the credit policy and try again." in response.content.decode()
    assert policy_of(customer).rebate_max_share == D("0.2000")


def test_a_rep_sees_the_cap_but_cannot_change_it(org, boss, rep, login):
    mine = CustomerFactory(org=org, owner=rep)
    give_policy(org=org, actor=boss, customer=mine, rebate_max_share=D("0.2"))
    client = login(rep)

    page = client.get(reverse("finance-credit-detail", args=[mine.pk]))
    refused = client.post(
        reverse("finance-credit-policy", args=[mine.pk]), {**POLICY, "rebate_max_share": "50"}
    )

    assert page.status_code == 200
    assert "at most 20 % of an order" in page.content.decode()
    assert refused.status_code == 403
    assert policy_of(mine).rebate_max_share == D("0.2000")


def test_group_caps_are_saved_and_listed_from_the_page(org, boss, login):
    _organization_share(org, boss, "0.1")
    _group(org, boss, None, tier="B")
    client = login(boss)

    response = client.post(
        reverse("finance-credit-group-save"),
        {**POLICY, "tier": "A", "customer_type": "", "rebate_max_share": "30"},
    )

    assert response.status_code == 302
    assert CreditGroupPolicy.objects.get(tier="A").rebate_max_share == D("0.3000")
    page = client.get(reverse("finance-credit-groups"))
    assert page.status_code == 200
    html = page.content.decode()
    assert [share for _group_row, _label, share in page.context["groups"]] == ["30", None]
    assert "30 %" in html and "10 %" in html  # tier B follows the organization's 10 %


def test_the_groups_page_is_closed_to_a_warehouse_keeper(org, member, login):
    response = login(member(Role.WAREHOUSE)).get(reverse("finance-credit-groups"))
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_puts_and_answers_the_cap(org, member):
    customer = CustomerFactory(org=org)

    response = client_for(member(Role.FINANCE)).put(
        f"{API}/credit/{customer.pk}/policy",
        {"mode": "credit", "credit_limit": "100.00", "rebate_max_share": "0.25"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["policy"]["rebate_max_share"] == "0.2500"
    assert policy_of(customer).rebate_max_share == D("0.2500")


def test_the_api_refuses_a_share_above_one(org, member):
    customer = CustomerFactory(org=org)

    response = client_for(member(Role.FINANCE)).put(
        f"{API}/credit/{customer.pk}/policy",
        {"mode": "credit", "credit_limit": "100.00", "rebate_max_share": "1.5"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert not CustomerTerms.objects.exists()
