"""The credit API: shapes (money as strings), the check, the policy, scoping and roles."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from qudao.finance.credit import policy_of
from qudao.finance.models import CreditCommitment
from qudao.finance.services import record_open_order
from qudao.finance.tests.credit_helpers import give_policy
from qudao.finance.tests.factories import payment
from qudao.finance.tests.test_api import API, client_for
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

D = Decimal


def test_get_credit_shows_limit_exposure_parts_available_and_the_suggestion(org, boss):
    # given
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, credit_limit="1000.00", grade="A")
    record_open_order(
        org=org, customer=customer, reference="so:1", stage="confirmed", amount=D("300.00")
    )
    payment(org=org, actor=boss, customer=customer, amount=D("50.00"))

    # when
    response = client_for(boss).get(f"{API}/credit/{customer.pk}")

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exposure"] == {
        "confirmed_orders": "300.00",
        "shipped_not_invoiced": "0.00",
        "invoiced_unpaid": "0.00",
        "bills_not_cleared": "0.00",
        "unallocated_prepayments": "50.00",
        "rebate_reserved": "0.00",
        "total": "250.00",
    }
    assert (body["limit"], body["effective_limit"], body["available"], body["overdue"]) == (
        "1000.00",
        "1000.00",
        "750.00",
        "0.00",
    )
    assert (body["grade"], body["policy"]["source"], body["policy"]["mode"]) == (
        "A",
        "customer",
        "credit",
    )
    assert body["suggested_limit"]["amount"] == "0.00"
    assert body["suggested_limit"]["factors"] == {
        "days_late": "1.00",
        "utilisation": "0.90",
        "trend": "1.00",
    }
    assert len(body["suggested_limit"]["reasons"]) == 7


def test_credit_check_answers_why_and_reserves_nothing(org, boss):
    customer = CustomerFactory(org=org, name="永辉小店")
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")

    response = client_for(boss).post(
        f"{API}/credit/{customer.pk}/check", {"amount": "150.00"}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["allowed"], body["code"], body["available"], body["exposure_after"]) == (
        False,
        "credit_limit_exceeded",
        "100.00",
        "150.00",
    )
    assert body["message"].startswith("The credit limit of 永辉小店 would be exceeded")
    assert CreditCommitment.objects.count() == 0


def test_put_policy_sets_it_and_answers_the_new_state(org, member):
    customer = CustomerFactory(org=org)
    finance = member(Role.FINANCE)

    response = client_for(finance).put(
        f"{API}/credit/{customer.pk}/policy",
        {
            "mode": "credit",
            "credit_limit": "8000.00",
            "term_kind": "month_end",
            "payment_term_days": 15,
            "on_exceeded": "approve",
            "grade": "AA",
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["policy"]["term_kind"] == "month_end"
    policy = policy_of(customer)
    assert (policy.credit_limit, policy.on_exceeded, policy.grade) == (
        D("8000.00"),
        "approve",
        "AA",
    )


def test_a_rep_cannot_put_a_policy(org, rep):
    customer = CustomerFactory(org=org, owner=rep)

    response = client_for(rep).put(
        f"{API}/credit/{customer.pk}/policy",
        {"mode": "credit", "credit_limit": "1.00"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert policy_of(customer).source == "none"


def test_a_rep_sees_the_credit_of_their_own_customers_only(org, rep, member):
    mine = CustomerFactory(org=org, owner=rep)
    theirs = CustomerFactory(org=org, owner=member(Role.SALES_REP))
    api = client_for(rep)

    assert api.get(f"{API}/credit/{mine.pk}").status_code == 200
    assert api.get(f"{API}/credit/{theirs.pk}").status_code == 404


def test_retailer_and_warehouse_users_are_refused(org, member):
    customer = CustomerFactory(org=org)
    for role in (Role.WAREHOUSE, Role.RETAILER):
        assert client_for(member(role)).get(f"{API}/credit/{customer.pk}").status_code == 403


def test_another_organizations_customer_is_a_404(org, boss, other_org):
    with org_scope(other_org):
        stranger = CustomerFactory(org=other_org)

    assert client_for(boss).get(f"{API}/credit/{stranger.pk}").status_code == 404


def test_temporary_raise_and_override_through_the_api(org, boss):
    today = timezone.localdate()
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")
    api = client_for(boss)

    raised = api.post(
        f"{API}/credit/{customer.pk}/raises",
        {
            "amount": "50.00",
            "starts_on": str(today),
            "expires_on": str(today + datetime.timedelta(days=3)),
            "reason": "节日备货",
        },
        content_type="application/json",
    )
    overridden = api.post(
        f"{API}/credit/{customer.pk}/override",
        {"amount": "500.00", "reference": "so:9", "reason": "老板批准"},
        content_type="application/json",
    )
    no_reason = api.post(
        f"{API}/credit/{customer.pk}/override",
        {"amount": "5.00", "reference": "so:10", "reason": ""},
        content_type="application/json",
    )

    assert raised.status_code == 201, raised.content
    assert (raised.json()["amount"], raised.json()["revoked"]) == ("50.00", False)
    assert overridden.status_code == 200, overridden.content
    assert (overridden.json()["code"], overridden.json()["effective_limit"]) == (
        "credit_limit_exceeded",
        "150.00",
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (409, "reason_required")
    assert list(CreditCommitment.objects.values_list("reference", flat=True)) == ["so:9"]
    assert Event.objects.filter(verb="credit_overridden").count() == 1
