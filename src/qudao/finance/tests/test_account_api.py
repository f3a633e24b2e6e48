"""The accounts API: balances (a retailer's own only), top-ups with a voucher from a retailer
token, finance's decision, staff top-ups, refunds, rebate grants and an order's rebate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from qudao.finance import balances
from qudao.finance.models import PrepaymentTopUp
from qudao.finance.tests.accounts_helpers import granted, requested, topped_up, voucher
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token

API = "/api/v1"
D = Decimal


def client_for(membership) -> Client:
    _token, raw = issue_api_token(org=membership.org, actor=membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def shop(member):
    return member(Role.RETAILER)


@pytest.fixture
def finance(member):
    return member(Role.FINANCE)


def test_a_retailer_token_sends_a_top_up_with_its_voucher_once(org, shop):
    api = client_for(shop)
    fields = {
        "amount": "650.00",
        "date": timezone.localdate().isoformat(),
        "method": "alipay",
        "reference": "ALI-7",
    }

    first = api.post(f"{API}/top-ups", fields | {"voucher": voucher()}, HTTP_IDEMPOTENCY_KEY="t1")
    again = api.post(f"{API}/top-ups", fields | {"voucher": voucher()}, HTTP_IDEMPOTENCY_KEY="t1")

    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["amount"], body["status"], body["source"], body["has_voucher"]) == (
        "650.00",
        "pending",
        "api",
        True,
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert PrepaymentTopUp.objects.count() == 1


def test_a_refused_top_up_answers_409_with_the_field(org, shop):
    response = client_for(shop).post(
        f"{API}/top-ups",
        {"amount": "-1", "date": timezone.localdate().isoformat(), "method": "cash"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_top_up" and "amount" in response.json()["fields"]


def test_balances_are_a_retailers_own_and_any_visible_customers_for_finance(
    org, shop, finance, member
):
    topped_up(org=org, actor=finance, customer=shop.party, amount="300.00")
    granted(org=org, actor=finance, customer=shop.party, amount="40.00")
    other = CustomerFactory(org=org)

    own = client_for(shop).get(f"{API}/accounts/{shop.party_id}/balances")
    not_own = client_for(shop).get(f"{API}/accounts/{other.pk}/balances")
    staff = client_for(finance).get(f"{API}/accounts/{shop.party_id}/balances")
    warehouse = client_for(member(Role.WAREHOUSE)).get(f"{API}/accounts/{other.pk}/balances")

    assert own.status_code == 200
    assert own.json() == {
        "customer_id": shop.party_id,
        "prepayment": "300.00",
        "pending_top_ups": "0.00",
        "rebate": "40.00",
        "rebate_reserved": "0.00",
        "rebate_available": "40.00",
    }
    assert (not_own.status_code, staff.status_code, warehouse.status_code) == (404, 200, 403)


def test_finance_approves_and_rejects_through_the_api(org, shop, finance):
    first = requested(org=org, shop=shop, amount="100.00", reference="A")
    second = requested(org=org, shop=shop, amount="200.00", reference="B")
    api = client_for(finance)

    waiting = api.get(f"{API}/top-ups", {"status": "pending"})
    approved = api.post(
        f"{API}/top-ups/{first.pk}/approve", {"allocate": False}, content_type="application/json"
    )
    rejected = api.post(
        f"{API}/top-ups/{second.pk}/reject", {"reason": "未到账"}, content_type="application/json"
    )
    by_shop = client_for(shop).post(
        f"{API}/top-ups/{second.pk}/approve", {}, content_type="application/json"
    )

    assert waiting.json()["count"] == 2
    assert approved.status_code == 200 and approved.json()["payment_id"] is not None
    assert rejected.json()["rejection_reason"] == "未到账"
    assert by_shop.status_code == 403
    assert balances.prepayment_balance(shop.party) == D("100.00")


def test_staff_record_a_top_up_refund_and_grant_through_the_api(org, finance):
    customer = CustomerFactory(org=org)
    api = client_for(finance)
    today = timezone.localdate().isoformat()

    top_up = api.post(
        f"{API}/top-ups",
        {"customer_id": customer.pk, "amount": "900.00", "date": today, "method": "bank_transfer"},
    )
    refund = api.post(
        f"{API}/refunds",
        {
            "customer_id": customer.pk,
            "amount": "100.00",
            "date": today,
            "method": "wechat",
            "reason": "退款",
        },
        content_type="application/json",
    )
    grant = api.post(
        f"{API}/rebate-grants",
        {
            "customer_id": customer.pk,
            "amount": "55.00",
            "date": today,
            "source": "manufacturer",
            "reason": "厂家返利",
        },
        content_type="application/json",
    )
    entries = api.get(f"{API}/accounts/{customer.pk}/rebate-entries")

    assert top_up.status_code == 201 and top_up.json()["status"] == "approved"
    assert refund.status_code == 201 and refund.json()["number"].startswith("RF")
    assert grant.status_code == 201 and grant.json()["kind"] == "grant"
    assert entries.json()["results"][0]["amount"] == "55.00"
    assert balances.prepayment_balance(customer) == D("800.00")


def test_staff_must_name_the_customer_of_a_top_up(org, finance):
    response = client_for(finance).post(
        f"{API}/top-ups",
        {"amount": "9.00", "date": timezone.localdate().isoformat(), "method": "cash"},
    )
    assert response.status_code == 422 and "customer_id" in response.json()["fields"]
