"""Credit pages: list, the check explained, policy and group edits (MANAGE_CREDIT only)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from qudao.finance.credit import policy_of
from qudao.finance.models import CreditGroupPolicy, TemporaryCreditRaise
from qudao.finance.tests.credit_helpers import give_policy
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

D = Decimal


def test_the_list_shows_each_customers_policy_source(org, boss, login):
    own = CustomerFactory(org=org, name="自有政策店")
    give_policy(org=org, actor=boss, customer=own, credit_limit="1234.00")
    CustomerFactory(org=org, name="无政策店")

    response = login(boss).get(reverse("finance-credit-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "自有政策店" in html
    assert "¥1,234.00" in html
    assert "None (no credit)" in html


def test_the_detail_explains_a_check(org, boss, login):
    customer = CustomerFactory(org=org, name="好又多")
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")

    response = login(boss).get(
        reverse("finance-credit-detail", args=[customer.pk]), {"amount": "150.00"}
    )

    assert response.status_code == 200
    assert response.context["check"].code == "credit_limit_exceeded"
    assert "The credit limit of 好又多 would be exceeded" in response.content.decode()


def test_finance_saves_a_policy_from_the_page(org, member, login):
    customer = CustomerFactory(org=org)
    client = login(member(Role.FINANCE))

    response = client.post(
        reverse("finance-credit-policy", args=[customer.pk]),
        {
            "mode": "cod",
            "credit_limit": "500.00",
            "term_kind": "fixed_day",
            "payment_term_days": "0",
            "due_day": "10",
            "overdue_tolerance_days": "5",
            "overdue_tolerance_amount": "100.00",
            "on_exceeded": "warn",
            "grade": "B",
        },
    )

    assert response.status_code == 302
    policy = policy_of(customer)
    assert (policy.mode, policy.term_kind, policy.due_day, policy.grade) == (
        "cod",
        "fixed_day",
        10,
        "B",
    )


def test_a_rep_reads_their_customers_credit_but_cannot_edit(org, rep, login):
    mine = CustomerFactory(org=org, owner=rep)
    other = CustomerFactory(org=org)
    client = login(rep)

    assert client.get(reverse("finance-credit-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("finance-credit-detail", args=[other.pk])).status_code == 404
    refused = client.post(
        reverse("finance-credit-policy", args=[mine.pk]), {"mode": "credit", "credit_limit": "9"}
    )
    assert refused.status_code == 403
    assert policy_of(mine).source == "none"


def test_group_defaults_are_saved_from_the_page(org, boss, login):
    response = login(boss).post(
        reverse("finance-credit-group-save"),
        {
            "tier": "A",
            "customer_type": "retailer",
            "mode": "credit",
            "credit_limit": "3000.00",
            "term_kind": "month_end",
            "payment_term_days": "15",
            "due_day": "0",
            "overdue_tolerance_days": "0",
            "overdue_tolerance_amount": "0",
            "on_exceeded": "block",
        },
    )

    assert response.status_code == 302
    group = CreditGroupPolicy.objects.get()
    assert (group.tier, group.customer_type, group.credit_limit) == ("A", "retailer", D("3000.00"))
    page = login(boss).get(reverse("finance-credit-groups"))
    assert "Tier A · Retailer" in page.content.decode()


def test_a_temporary_raise_is_granted_and_revoked_from_the_page(org, boss, login):
    today = timezone.localdate()
    customer = CustomerFactory(org=org)
    client = login(boss)

    client.post(
        reverse("finance-credit-raise", args=[customer.pk]),
        {
            "amount": "200.00",
            "starts_on": str(today),
            "expires_on": str(today + datetime.timedelta(days=5)),
            "reason": "开业",
        },
    )
    granted = TemporaryCreditRaise.objects.get()
    client.post(reverse("finance-credit-raise-revoke", args=[granted.pk]))

    granted.refresh_from_db()
    assert (granted.amount, granted.revoked_at is not None) == (D("200.00"), True)


def test_another_organizations_customer_is_a_404(org, boss, login, other_org):
    with org_scope(other_org):
        stranger = CustomerFactory(org=other_org)

    response = login(boss).get(reverse("finance-credit-detail", args=[stranger.pk]))

    assert response.status_code == 404
