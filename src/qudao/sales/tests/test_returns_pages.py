"""Pages and API for returns, damage claims and consignment, and the retailer's portal pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qudao.finance.models import Invoice
from qudao.sales.models_returns import (
    ConsignmentSettlement,
    DamageClaim,
    ReportSource,
    ReturnStatus,
    SalesReturn,
    SellThroughReport,
)
from qudao.sales.services import LineInput
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token

from .conftest import Shop
from .helpers_returns import make_consignment, shipped

pytestmark = pytest.mark.django_db


def test_a_return_and_a_damage_claim_through_the_pages(shop: Shop, login):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    line = delivery.lines.get()
    rep = login(shop.rep)
    page = rep.get(reverse("sales-delivery-detail", args=[delivery.pk])).content.decode()
    assert reverse("sales-return-create", args=[delivery.pk]) in page
    response = rep.post(
        reverse("sales-return-create", args=[delivery.pk]),
        {
            "reason": "包装破损退回",
            f"qty_{line.pk}": "10",
            f"disposition_{line.pk}": "restock",
            f"location_{line.pk}": shop.shelf.pk,
        },
    )
    sales_return = SalesReturn.objects.get()
    assert response.url == reverse("sales-return-detail", args=[sales_return.pk])
    page = rep.get(response.url).content.decode()
    assert sales_return.number in page and "¥56.50" in page and "包装破损退回" in page
    assert sales_return.number in rep.get(reverse("sales-return-list")).content.decode()
    # too much back: the form says so and nothing is written
    response = rep.post(
        reverse("sales-return-create", args=[delivery.pk]),
        {
            "reason": "再退",
            f"qty_{line.pk}": "15",
            f"disposition_{line.pk}": "restock",
            f"location_{line.pk}": shop.shelf.pk,
        },
    )
    assert response.status_code == 200 and SalesReturn.objects.count() == 1
    assert (
        login(shop.finance).get(reverse("sales-return-create", args=[delivery.pk])).status_code
        == 403
    )
    keeper = login(shop.keeper)
    keeper.post(reverse("sales-return-receive", args=[sales_return.pk]))
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.REVIEW  # the review comes first
    login(shop.boss).post(reverse("sales-return-approve", args=[sales_return.pk]))
    keeper.post(reverse("sales-return-receive", args=[sales_return.pk]))
    sales_return.refresh_from_db()
    assert sales_return.status == ReturnStatus.RECEIVED
    assert (
        "Timeline"
        in keeper.get(reverse("sales-return-detail", args=[sales_return.pk])).content.decode()
    )

    response = keeper.post(
        reverse("sales-damage-create", args=[delivery.pk]),
        {
            "bearer": "carrier",
            "description": "纸箱压坏",
            "claim_amount": "12.00",
            "carrier": "顺丰",
            f"qty_{line.pk}": "2",
        },
    )
    claim = DamageClaim.objects.get()
    assert response.url == reverse("sales-damage-detail", args=[claim.pk])
    assert claim.carrier == "顺丰" and claim.total == Decimal("11.30")
    listing = keeper.get(reverse("sales-damage-list")).content.decode()
    assert claim.number in listing and "Who bears the loss decides" in listing
    finance = login(shop.finance)
    page = finance.get(reverse("sales-damage-detail", args=[claim.pk])).content.decode()
    assert "顺丰" in page and "¥12.00" in page and "Settle the claim" in page
    finance.post(reverse("sales-damage-settle", args=[claim.pk]), {"amount": "12.00"})
    claim.refresh_from_db()
    assert claim.status == "settled" and claim.settled_amount == Decimal("12.00")


def test_consignment_pages_staff_upload_and_the_retailers_portal(shop: Shop, login, member):
    make_consignment(shop)
    shipped(shop, LineInput(shop.beer.pk, Decimal(24)), LineInput(shop.wine.pk, Decimal(2)))
    boss = login(shop.boss)
    listing = boss.get(reverse("sales-consignment-list")).content.decode()
    assert shop.customer.name in listing
    detail_url = reverse("sales-consignment-detail", args=[shop.customer.pk])
    today = timezone.localdate().isoformat()
    upload = SimpleUploadedFile("sales.csv", "商品编码,数量\nBEER,6\nWINE,1\n".encode("gbk"))
    response = boss.post(
        reverse("sales-consignment-upload", args=[shop.customer.pk]),
        {"period_start": today, "period_end": today, "file": upload},
    )
    assert response.url == detail_url
    report = SellThroughReport.objects.get()
    assert report.source == ReportSource.UPLOAD
    bad = SimpleUploadedFile("sales.csv", b"code,qty\nNOPE,1\n")
    response = boss.post(
        reverse("sales-consignment-upload", args=[shop.customer.pk]),
        {"period_start": today, "period_end": today, "file": bad},
    )
    assert "NOPE" in response.content.decode() and SellThroughReport.objects.count() == 1

    retailer = login(member(Role.RETAILER, party=shop.customer))
    page = retailer.get(reverse("portal-consignment")).content.decode()
    assert "雪花啤酒" in page and "cost" not in page.lower()
    response = retailer.post(
        reverse("portal-consignment-report"),
        {"period_start": today, "period_end": today, f"product_{shop.beer.pk}": "4"},
    )
    assert response.url == reverse("portal-consignment")
    assert SellThroughReport.objects.filter(source=ReportSource.PORTAL).count() == 1
    assert retailer.get(detail_url).status_code == 403
    stranger = login(member(Role.RETAILER))
    assert "雪花啤酒" not in stranger.get(reverse("portal-consignment")).content.decode()

    page = boss.get(detail_url).content.decode()
    assert "Settle and invoice" in page
    login(shop.finance).post(reverse("sales-consignment-settle", args=[shop.customer.pk]))
    settlement = ConsignmentSettlement.objects.get()
    # 10 beer × 5 = 50.00 + 6.50; 1 wine × 50 = 50.00 + 6.50
    assert Invoice.objects.get(pk=settlement.invoice_id).total == Decimal("113.00")
    response = boss.post(
        reverse("sales-consignment-recall", args=[shop.customer.pk]),
        {"location": shop.shelf.pk, f"product_{shop.beer.pk}": "14", "reason": "换季"},
    )
    assert response.url == detail_url


def _headers(member) -> dict[str, str]:
    _token, raw = issue_api_token(org=member.org, actor=member, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, path: str, body: object, headers: dict[str, str]):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_the_api_for_returns_and_consignment(client, shop: Shop, member):
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(12)))
    line = delivery.lines.get()
    rep = _headers(shop.rep)
    body = {
        "reason": "客户退货",
        "lines": [{"delivery_line_id": line.pk, "quantity": "13", "location_id": shop.shelf.pk}],
    }
    response = _post(client, f"/api/v1/deliveries/{delivery.pk}/returns", body, rep)
    assert response.status_code == 409 and response.json()["code"] == "more_than_shipped"
    assert not SalesReturn.objects.exists()
    body["lines"][0]["quantity"] = "2"
    response = _post(client, f"/api/v1/deliveries/{delivery.pk}/returns", body, rep)
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "11.30" and response.json()["status"] == "review"
    listed = client.get("/api/v1/sales-returns", **rep).json()
    assert [row["id"] for row in listed["results"]] == [response.json()["id"]]

    make_consignment(shop)
    shipped(shop, LineInput(shop.wine.pk, Decimal(3)))
    retailer = _headers(member(Role.RETAILER, party=shop.customer))
    stock = client.get(f"/api/v1/consignment/{shop.customer.pk}/stock", **retailer).json()
    assert [(row["product_code"], row["on_hand"]) for row in stock] == [("WINE", "3.000")]
    today = timezone.localdate().isoformat()
    report = {
        "period_start": today,
        "period_end": today,
        "lines": [{"product_id": shop.wine.pk, "quantity": "2"}],
    }
    path = f"/api/v1/consignment/{shop.customer.pk}/sell-through"
    assert _post(client, path, report, retailer).status_code == 201
    stranger = _headers(member(Role.RETAILER))
    assert _post(client, path, report, stranger).status_code == 404
    settle = f"/api/v1/consignment/{shop.customer.pk}/settle"
    assert _post(client, settle, {}, _headers(shop.keeper)).status_code == 403
    response = _post(client, settle, {}, _headers(shop.finance))
    assert response.status_code == 201 and response.json()["total"] == "113.00"


def test_finance_settles_a_carrier_claim_on_the_page_and_through_the_api(client, shop: Shop, login):
    # given: two carrier claims of 12.00 on one delivery
    delivery = shipped(shop, LineInput(shop.beer.pk, Decimal(24)))
    line = delivery.lines.get()
    keeper = _headers(shop.keeper)
    body = {
        "bearer": "carrier",
        "description": "纸箱压坏",
        "claim_amount": "12.00",
        "carrier": "顺丰",
        "lines": [{"delivery_line_id": line.pk, "quantity": "2"}],
    }
    first = _post(client, f"/api/v1/deliveries/{delivery.pk}/damage-claims", body, keeper).json()
    second = _post(client, f"/api/v1/deliveries/{delivery.pk}/damage-claims", body, keeper).json()
    assert first["journal_entry_id"] is not None and first["settlement_entry_id"] is None

    # when: finance records 10.00 in cash on the page, and the rest of the other by the API
    finance = login(shop.finance)
    page = finance.get(reverse("sales-damage-detail", args=[first["id"]])).content.decode()
    assert "Received into" in page and "Journal entries" in page
    finance.post(
        reverse("sales-damage-settle", args=[first["id"]]),
        {"amount": "10.00", "received_into": "1001", "note": "司机现金赔付"},
    )
    warehouse_try = _post(
        client, f"/api/v1/damage-claims/{second['id']}/settle", {}, keeper
    ).status_code
    settled = _post(
        client,
        f"/api/v1/damage-claims/{second['id']}/settle",
        {"received_into": "1002"},
        _headers(shop.finance),
    ).json()

    # then
    claim = DamageClaim.objects.get(pk=first["id"])
    assert (claim.status, claim.settled_amount, claim.settlement_note) == (
        "settled",
        Decimal("10.00"),
        "司机现金赔付",
    )
    assert sorted(
        (line.account.code, line.debit, line.credit)
        for line in claim.settlement_entry.lines.select_related("account")
    ) == [
        ("1001", Decimal("10.00"), Decimal("0.00")),
        ("1221", Decimal("0.00"), Decimal("12.00")),
        ("1405", Decimal("2.00"), Decimal("0.00")),
    ]
    assert warehouse_try == 403
    assert (settled["status"], settled["settled_amount"]) == ("settled", "12.00")
    assert settled["settlement_entry_id"] is not None
