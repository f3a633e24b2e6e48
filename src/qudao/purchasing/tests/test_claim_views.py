"""Receipt damage claim pages and API: the receipt's “claim for damage” action, the form, the
list and detail by role, settlement by finance, cancellation, and the endpoints."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qudao.catalog.tests.factories import ProductFactory, SupplierFactory
from qudao.finance.claims import ClaimStatus
from qudao.inventory.models import LocationKind
from qudao.inventory.tests.factories import LocationFactory
from qudao.purchasing import services
from qudao.purchasing.claim_models import ReceiptClaim
from qudao.purchasing.models import GoodsReceipt
from qudao.purchasing.services.claims import ClaimLineData, ReceiptClaimData, record_receipt_claim
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.services import issue_api_token
from qudao.tenancy.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(org, keeper, confirmed, beer, shelf, damaged) -> GoodsReceipt:
    """100 good and 20 broken bottles at 2.5000 a bottle."""
    return services.post_receipt(
        org=org,
        actor=keeper,
        order=confirmed,
        lines=[
            services.ReceiptLineData(
                product_id=beer.pk, quantity=Decimal(100), damaged_quantity=Decimal(20)
            )
        ],
        location_id=shelf.pk,
        damaged_location_id=damaged.pk,
    )


def _claim(org, keeper, receipt, *, bearer="carrier", quantity="20", carrier="德邦"):
    return record_receipt_claim(
        org=org,
        actor=keeper,
        receipt=receipt,
        data=ReceiptClaimData(
            bearer=bearer,
            disposition="scrap",
            description="运输途中压坏",
            carrier=carrier,
            lines=[
                ClaimLineData(receipt_line_id=receipt.lines.get().pk, quantity=Decimal(quantity))
            ],
        ),
    )


# ---------------------------------------------------------------------------------------------
# The goods receipt page


def test_the_receipt_offers_the_claim_to_the_warehouse_while_damage_is_unclaimed(
    org, login, keeper, finance, receipt
):
    url = reverse("purchasing-receipt-detail", args=[receipt.pk])

    offered = login(keeper).get(url)
    not_for_finance = login(finance).get(url)
    _claim(org, keeper, receipt)
    all_claimed = login(keeper).get(url)

    assert offered.status_code == 200 and 'data-testid="claim-damage"' in offered.text
    assert 'data-testid="claim-damage"' not in not_for_finance.text
    assert 'data-testid="claim-damage"' not in all_claimed.text
    assert ReceiptClaim.objects.get().number in all_claimed.text


def test_a_receipt_without_damage_offers_no_claim(login, keeper, received):
    page = login(keeper).get(reverse("purchasing-receipt-detail", args=[received.pk]))

    assert page.status_code == 200 and 'data-testid="claim-damage"' not in page.text


# ---------------------------------------------------------------------------------------------
# Recording a claim


def test_the_warehouse_records_a_claim_from_the_form(login, keeper, receipt, beer, damaged):
    client = login(keeper)
    url = reverse("purchasing-receipt-claim", args=[receipt.pk])
    line = receipt.lines.get()

    form = client.get(url)
    posted = client.post(
        url,
        {
            "bearer": "supplier",
            "disposition": "return",
            "description": "整箱破损",
            f"qty_{line.pk}": "12",
        },
    )

    assert form.status_code == 200 and f"qty_{line.pk}" in form.text
    assert f"amount_{line.pk}" not in form.text  # the warehouse sees no costs
    claim = ReceiptClaim.objects.get()
    assert posted.status_code == 302
    assert posted.url == reverse("purchasing-claim-detail", args=[claim.pk])
    assert (claim.bearer, claim.status, claim.claim_amount) == (
        "supplier",
        ClaimStatus.OPEN,
        Decimal("30.00"),
    )


def test_the_boss_may_change_the_amount_and_a_refusal_shows_on_the_form(login, boss, receipt):
    client = login(boss)
    url = reverse("purchasing-receipt-claim", args=[receipt.pk])
    line = receipt.lines.get()

    refused = client.post(
        url,
        {
            "bearer": "us",
            "disposition": "scrap",
            "description": "x",
            f"qty_{line.pk}": "2",
            f"amount_{line.pk}": "5.00",
        },
    )
    recorded = client.post(
        url,
        {
            "bearer": "carrier",
            "disposition": "keep",
            "description": "x",
            "carrier": "顺丰",
            f"qty_{line.pk}": "2",
            f"amount_{line.pk}": "8.88",
        },
    )

    assert refused.status_code == 200
    assert "Nothing is claimed when we bear the loss" in refused.text
    assert recorded.status_code == 302
    assert ReceiptClaim.objects.get().claim_amount == Decimal("8.88")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES_REP, Role.READONLY])
def test_roles_that_do_not_move_stock_cannot_open_the_claim_form(member, login, receipt, role):
    url = reverse("purchasing-receipt-claim", args=[receipt.pk])

    assert login(member(role)).get(url).status_code == 403


def test_another_organizations_receipt_is_a_404(login, keeper, other_org):
    with org_scope(other_org):
        other_keeper = MembershipFactory(org=other_org, role="warehouse")
        shelf = LocationFactory(code="A1")
        broken = LocationFactory(warehouse=shelf.warehouse, code="BAD", kind=LocationKind.DAMAGED)
        foreign = services.post_receipt(
            org=other_org,
            actor=other_keeper,
            supplier_id=SupplierFactory(code="S-X").pk,
            lines=[
                services.ReceiptLineData(
                    product_id=ProductFactory(code="X-1").pk,
                    quantity=Decimal(1),
                    damaged_quantity=Decimal(1),
                    unit_cost=Decimal(1),
                )
            ],
            location_id=shelf.pk,
            damaged_location_id=broken.pk,
        )

    response = login(keeper).get(reverse("purchasing-receipt-claim", args=[foreign.pk]))

    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# List and detail


def test_the_list_filters_by_status_and_bearer_and_shows_amounts_only_with_costs(
    org, login, keeper, boss, rep, receipt
):
    _claim(org, keeper, receipt, quantity="5")
    _claim(org, keeper, receipt, bearer="us", quantity="3", carrier="")
    url = reverse("purchasing-claim-list")

    everything = login(boss).get(url)
    open_only = login(boss).get(url, {"status": "open"})
    ours = login(boss).get(url, {"bearer": "us"})
    for_rep = login(rep).get(url)

    numbers = list(ReceiptClaim.objects.order_by("pk").values_list("number", flat=True))
    assert everything.status_code == 200 and all(n in everything.text for n in numbers)
    assert numbers[0] in open_only.text and numbers[1] not in open_only.text
    assert numbers[1] in ours.text and numbers[0] not in ours.text
    assert for_rep.status_code == 200 and "12.50" not in for_rep.text
    assert "12.50" in everything.text


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(org, login, keeper, boss, receipt):
    client = login(boss)
    url = reverse("purchasing-claim-list")
    _claim(org, keeper, receipt, quantity="1")
    client.get(url)  # warm the session and the menu
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        _claim(org, keeper, receipt, quantity="1")
    with CaptureQueriesContext(connection) as five:
        client.get(url)

    assert len(five) == len(one)


def test_finance_settles_a_carrier_claim_on_the_detail_page(org, login, keeper, finance, receipt):
    claim = _claim(org, keeper, receipt)
    client = login(finance)

    page = client.get(reverse("purchasing-claim-detail", args=[claim.pk]))
    settled = client.post(
        reverse("purchasing-claim-settle", args=[claim.pk]),
        {"amount": "40.00", "received_into": "1002", "note": "承运方赔付"},
    )

    assert page.status_code == 200
    assert reverse("purchasing-claim-settle", args=[claim.pk]) in page.text
    assert settled.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.settled_amount) == (ClaimStatus.SETTLED, Decimal("40.00"))
    after = client.get(reverse("purchasing-claim-detail", args=[claim.pk]))
    assert reverse("purchasing-claim-settle", args=[claim.pk]) not in after.text


def test_the_warehouse_cannot_settle_but_cancels_a_claim_recorded_in_error(
    org, login, keeper, receipt
):
    claim = _claim(org, keeper, receipt)
    client = login(keeper)

    page = client.get(reverse("purchasing-claim-detail", args=[claim.pk]))
    settle = client.post(reverse("purchasing-claim-settle", args=[claim.pk]), {"amount": "1.00"})
    cancelled = client.post(
        reverse("purchasing-claim-cancel", args=[claim.pk]), {"reason": "录错了"}
    )

    assert page.status_code == 200
    assert reverse("purchasing-claim-settle", args=[claim.pk]) not in page.text
    assert reverse("purchasing-claim-cancel", args=[claim.pk]) in page.text
    assert settle.status_code == 403
    assert cancelled.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.cancel_reason) == (ClaimStatus.CANCELLED, "录错了")


def test_the_claims_page_is_in_the_buying_menu(login, rep):
    page = login(rep).get(reverse("purchasing-claim-list"))

    assert page.status_code == 200
    assert f'href="{reverse("purchasing-claim-list")}"' in page.text


# ---------------------------------------------------------------------------------------------
# API


@pytest.fixture
def call(client, org):
    def make(membership):
        _token, raw = issue_api_token(org=org, actor=membership, name="test")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

        def request(method, path, body=None):
            return client.generic(
                method,
                f"/api/v1{path}",
                "" if body is None else json.dumps(body),
                content_type="application/json",
                **headers,
            )

        return request

    return make


def test_a_claim_is_recorded_listed_and_settled_through_the_api(
    call, keeper, finance, boss, receipt
):
    line = receipt.lines.get()

    created = call(keeper)(
        "POST",
        f"/goods-receipts/{receipt.pk}/claims",
        {
            "bearer": "carrier",
            "disposition": "scrap",
            "description": "压坏",
            "carrier": "德邦",
            "lines": [{"receipt_line_id": line.pk, "quantity": "4"}],
        },
    )
    claim_id = created.json()["id"]
    listed = call(boss)("GET", "/receipt-claims?status=open&bearer=carrier")
    settled = call(finance)(
        "POST", f"/receipt-claims/{claim_id}/settle", {"amount": "10.00", "note": "全额"}
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["bearer"], body["claim_amount"], body["lines"][0]["quantity"]) == (
        "open",
        "carrier",
        None,  # the warehouse sees no costs
        "4.000",
    )
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [claim_id]
    assert listed.json()["results"][0]["claim_amount"] == "10.00"
    assert settled.status_code == 200
    assert (settled.json()["status"], settled.json()["settled_amount"]) == ("settled", "10.00")


def test_the_api_refuses_wrong_roles_too_much_and_other_organizations(
    call, org, keeper, finance, rep, receipt, other_org
):
    line = receipt.lines.get()
    body = {
        "bearer": "us",
        "disposition": "scrap",
        "description": "x",
        "lines": [{"receipt_line_id": line.pk, "quantity": "21"}],
    }

    by_rep = call(rep)("POST", f"/goods-receipts/{receipt.pk}/claims", body)
    too_much = call(keeper)("POST", f"/goods-receipts/{receipt.pk}/claims", body)
    claim = _claim(org, keeper, receipt, quantity="1")
    settle_by_keeper = call(keeper)("POST", f"/receipt-claims/{claim.pk}/settle", {})
    cancelled = call(keeper)("POST", f"/receipt-claims/{claim.pk}/cancel", {"reason": "错"})
    with org_scope(other_org):
        other_finance = MembershipFactory(org=other_org, role="finance")
        _token, raw = issue_api_token(org=other_org, actor=other_finance, name="other")
    foreign = Client().get(f"/api/v1/receipt-claims/{claim.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert by_rep.status_code == 403
    assert (too_much.status_code, too_much.json()["code"]) == (409, "more_than_damaged")
    assert settle_by_keeper.status_code == 403
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert ReceiptClaim.objects.count() == 1
    assert foreign.status_code == 404
