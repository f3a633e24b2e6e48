"""The payables API: supplier invoices and payments, idempotency, refusals, permissions."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.catalog.tests.factories import SupplierFactory
from qudao.purchasing.payables.models import SupplierAllocation, SupplierInvoice, SupplierPayment
from qudao.purchasing.tests.payables_factories import hand_invoice
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.services import issue_api_token
from qudao.tenancy.tests.factories import MembershipFactory


@pytest.fixture
def call(client, org):
    def make(membership):
        _token, raw = issue_api_token(org=org, actor=membership, name="test")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

        def request(method, path, body=None, **extra):
            return client.generic(
                method,
                f"/api/v1{path}",
                "" if body is None else json.dumps(body),
                content_type="application/json",
                **headers,
                **extra,
            )

        return request

    return make


def test_an_invoice_is_entered_from_a_receipt_and_posted_through_the_api(
    call, finance, supplier, received
):
    api = call(finance)

    created = api(
        "POST",
        "/supplier-invoices",
        {
            "supplier_id": supplier.pk,
            "date": timezone.localdate().isoformat(),
            "supplier_reference": "XH-9",
            "receipt_ids": [received.pk],
            "lines": [
                {"description": "运费", "quantity": "1", "unit_price": "20", "tax_rate": "0.09"}
            ],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["total"], body["match_warnings"]) == ("draft", "360.80", [])
    assert [line["amount"] for line in body["lines"]] == ["300.00", "20.00"]

    posted = api("POST", f"/supplier-invoices/{body['id']}/post")
    assert posted.status_code == 200
    assert (posted.json()["status"], posted.json()["open_amount"]) == ("posted", "360.80")

    listed = api("GET", f"/supplier-invoices?supplier_id={supplier.pk}&status=posted")
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


def test_a_credit_note_through_the_api_cancels_the_invoice(call, boss, org, supplier):
    invoice = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("40.00"))

    response = call(boss)("POST", f"/supplier-invoices/{invoice.pk}/credit-notes", {"reason": "退"})

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["total"]) == ("credit_note", "40.00")
    invoice.refresh_from_db()
    assert invoice.status == "cancelled"


def test_a_payment_with_a_repeated_idempotency_key_is_answered_once(call, boss, org, supplier):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
    api = call(boss)
    body = {
        "supplier_id": supplier.pk,
        "date": timezone.localdate().isoformat(),
        "amount": "80.00",
        "method": "bank_transfer",
        "auto_allocate": True,
    }

    first = api("POST", "/supplier-payments", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api("POST", "/supplier-payments", body, HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["amount_allocated"], first.json()["unallocated"]) == ("50.00", "30.00")
    assert SupplierPayment.objects.count() == 1


def test_over_allocation_through_the_api_is_a_409_and_writes_nothing(call, boss, org, supplier):
    invoice = hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("50.00"))
    api = call(boss)
    payment = api(
        "POST",
        "/supplier-payments",
        {
            "supplier_id": supplier.pk,
            "date": timezone.localdate().isoformat(),
            "amount": "80.00",
            "method": "cash",
        },
    ).json()

    response = api(
        "POST",
        f"/supplier-payments/{payment['id']}/allocations",
        {"allocations": [{"invoice_id": invoice.pk, "amount": "60.00"}]},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invoice_overpaid"
    assert SupplierAllocation.objects.count() == 0


def test_a_negative_payment_is_refused(call, boss, supplier):
    response = call(boss)(
        "POST",
        "/supplier-payments",
        {
            "supplier_id": supplier.pk,
            "date": timezone.localdate().isoformat(),
            "amount": "-1.00",
            "method": "cash",
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_amount"
    assert SupplierPayment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.SALES_REP, Role.MANUFACTURER, Role.RETAILER])
def test_roles_that_may_not_see_costs_are_refused(call, member, org, boss, supplier, role):
    hand_invoice(org=org, actor=boss, supplier=supplier)
    api = call(member(role))
    assert api("GET", "/supplier-invoices").status_code == 403
    assert api("GET", "/supplier-payments").status_code == 403
    assert api("GET", "/payables/aging").status_code == 403
    assert (
        api(
            "POST",
            "/supplier-payments",
            {
                "supplier_id": supplier.pk,
                "date": timezone.localdate().isoformat(),
                "amount": "1.00",
                "method": "cash",
            },
        ).status_code
        == 403
    )
    assert SupplierPayment.objects.count() == 0


def test_another_organizations_invoice_is_a_404(call, boss, other_org):
    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org, role=Role.BOSS)
        foreign = hand_invoice(
            org=other_org, actor=other_boss, supplier=SupplierFactory(org=other_org, code="F")
        )
    api = call(boss)
    assert api("GET", f"/supplier-invoices/{foreign.pk}").status_code == 404
    assert api("POST", f"/supplier-invoices/{foreign.pk}/post").status_code == 404
    with org_scope(other_org):
        assert SupplierInvoice.objects.get(pk=foreign.pk).status == "posted"


def test_the_aging_through_the_api(call, boss, org, supplier):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=Decimal("10.00"))

    body = call(boss)("GET", "/payables/aging").json()

    assert [row["code"] for row in body["rows"]] == ["S-SNOW"]
    assert (body["total"], len(body["labels"])) == ("10.00", 5)
