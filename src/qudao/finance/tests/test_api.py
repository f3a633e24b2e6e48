"""The finance API: shapes (money as strings), idempotency, refusals and scoping."""

from __future__ import annotations

from django.test import Client

from qudao.finance.models import Payment
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.services import issue_api_token

API = "/api/v1"


def client_for(membership) -> Client:
    _token, raw = issue_api_token(org=membership.org, actor=membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def test_create_and_post_an_invoice(org, boss):
    customer = CustomerFactory(org=org)
    api = client_for(boss)

    response = api.post(
        f"{API}/invoices",
        {
            "customer_id": customer.pk,
            "date": "2026-01-10",
            "lines": [
                {"description": "水", "quantity": "2", "unit_price": "5.5", "tax_rate": "0.13"}
            ],
            "post": True,
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["total"], body["open_amount"]) == (
        "INV2026-000001",
        "posted",
        "12.43",
        "12.43",
    )
    assert body["lines"][0]["amount"] == "11.00"


def test_a_repeated_idempotency_key_answers_the_first_payment(org, boss):
    customer = CustomerFactory(org=org)
    posted_invoice(org=org, actor=boss, customer=customer)
    api = client_for(boss)
    body = {
        "customer_id": customer.pk,
        "date": "2026-02-01",
        "amount": "40.00",
        "method": "wechat",
        "auto_allocate": True,
    }

    first = api.post(
        f"{API}/payments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    again = api.post(
        f"{API}/payments", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["amount_allocated"], first.json()["unallocated"]) == ("40.00", "0.00")
    assert Payment.objects.count() == 1


def test_over_allocation_answers_409_with_a_code(org, boss):
    customer = CustomerFactory(org=org)
    invoice = posted_invoice(org=org, actor=boss, customer=customer)
    api = client_for(boss)

    response = api.post(
        f"{API}/payments",
        {
            "customer_id": customer.pk,
            "date": "2026-02-01",
            "amount": "500.00",
            "method": "cash",
            "allocations": [{"invoice_id": invoice.pk, "amount": "100.01"}],
        },
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invoice_overpaid"
    assert Payment.objects.count() == 0


def test_a_rep_sees_only_own_customers_and_cannot_post(org, boss, rep):
    mine = CustomerFactory(org=org, owner=rep)
    theirs = CustomerFactory(org=org)
    own = posted_invoice(org=org, actor=boss, customer=mine)
    other = posted_invoice(org=org, actor=boss, customer=theirs)
    api = client_for(rep)

    listed = api.get(f"{API}/invoices").json()
    hidden = api.get(f"{API}/invoices/{other.pk}")
    refused = api.post(f"{API}/invoices/{own.pk}/post", content_type="application/json")
    account = api.get(f"{API}/accounts/{mine.pk}").json()

    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert hidden.status_code == 404
    assert refused.status_code == 403
    assert account["balance"] == "100.00"


def test_partial_credit_note(org, boss):
    invoice = posted_invoice(org=org, actor=boss, customer=CustomerFactory(org=org))
    api = client_for(boss)

    response = api.post(
        f"{API}/invoices/{invoice.pk}/credit-notes",
        {
            "reason": "broken",
            "lines": [
                {"description": "破损", "quantity": "1", "unit_price": "10", "tax_rate": "0"}
            ],
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["total"]) == ("credit_note", "10.00")
    assert api.get(f"{API}/invoices/{invoice.pk}").json()["open_amount"] == "90.00"
