"""The stock pages: who sees what (costs above all), forms that refuse bad input, other orgs 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.catalog.tests.factories import ProductFactory
from qudao.inventory.models import CountStatus, StockLevel, StockMove, Warehouse
from qudao.inventory.services import create_count, create_warehouse, set_count_line
from qudao.tenancy.roles import STAFF_ROLES, Role
from qudao.tenancy.scoping import org_scope

STAFF = sorted(STAFF_ROLES)


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_the_stock_pages(org, member, login, product, shelf, receive, role):
    # given
    receive(product, shelf, "12", "3.25")
    count = create_count(org=org, actor=member(Role.WAREHOUSE), location_id=shelf.pk)
    client = login(member(role))

    # when
    urls = [
        reverse("inventory-stock-list"),
        reverse("inventory-move-list"),
        reverse("inventory-warehouse-list"),
        reverse("inventory-warehouse-detail", args=[shelf.warehouse_id]),
        reverse("inventory-product-card", args=[product.pk]),
        reverse("inventory-transfer-list"),
        reverse("inventory-count-list"),
        reverse("inventory-count-detail", args=[count.pk]),
    ]
    responses = [client.get(url) for url in urls]

    # then
    assert [r.status_code for r in responses] == [200] * len(urls)
    assert "BEER-1" in responses[0].content.decode()


@pytest.mark.parametrize(
    ("role", "sees_costs"),
    [
        (Role.BOSS, True),
        (Role.FINANCE, True),
        (Role.WAREHOUSE, False),
        (Role.SALES_REP, False),
        (Role.READONLY, False),
    ],
)
def test_unit_costs_show_only_to_roles_that_see_costs(
    org, member, login, product, shelf, receive, role, sees_costs
):
    # given
    receive(product, shelf, "12", "3.2571")
    client = login(member(role))

    # when
    pages = [
        client.get(reverse("inventory-stock-list")).content.decode(),
        client.get(reverse("inventory-move-list")).content.decode(),
        client.get(reverse("inventory-product-card", args=[product.pk])).content.decode(),
    ]

    # then
    assert ["3.2571" in page for page in pages] == [sees_costs] * 3


@pytest.mark.parametrize("role", [Role.RETAILER, Role.MANUFACTURER])
def test_external_users_cannot_open_stock_pages(org, member, login, role):
    client = login(member(role))
    assert client.get(reverse("inventory-stock-list")).status_code == 403
    assert client.get(reverse("inventory-move-list")).status_code == 403


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.WAREHOUSE, 200), (Role.BOSS, 200), (Role.FINANCE, 403), (Role.SALES_REP, 403)],
)
def test_only_stock_keepers_open_the_forms(org, member, login, role, expected):
    client = login(member(role))
    assert client.get(reverse("inventory-move-create")).status_code == expected
    assert client.get(reverse("inventory-warehouse-create")).status_code == expected


def test_a_keeper_adds_a_warehouse_with_its_main_location(org, keeper, login):
    # when
    response = login(keeper).post(
        reverse("inventory-warehouse-create"), {"code": "GZ", "name": "广州仓", "address": ""}
    )

    # then
    warehouse = Warehouse.objects.get(code="GZ")
    assert response.status_code == 302
    assert [loc.code for loc in warehouse.locations.all()] == ["MAIN"]


def test_an_adjustment_form_posts_a_move_and_refuses_going_below_zero(
    org, keeper, login, product, shelf
):
    client = login(keeper)
    # when
    found = client.post(
        reverse("inventory-move-create"),
        {
            "product": "BEER-1",
            "quantity": "5",
            "to_location": shelf.pk,
            "kind": "adjustment",
            "note": "盘盈",
        },
    )
    refused = client.post(
        reverse("inventory-move-create"),
        {
            "product": "BEER-1",
            "quantity": "9",
            "from_location": shelf.pk,
            "kind": "scrap",
            "note": "破损",
        },
    )

    # then
    assert found.status_code == 302
    assert refused.status_code == 200 and "Not enough" in refused.content.decode()
    assert StockLevel.objects.get(product=product, location=shelf).on_hand == Decimal("5.000")
    assert StockMove.objects.count() == 1


def test_a_count_is_posted_from_its_page_once(org, keeper, login, product, shelf, receive):
    # given
    receive(product, shelf, "10")
    count = create_count(org=org, actor=keeper, location_id=shelf.pk, reason="月末盘点")
    set_count_line(org=org, actor=keeper, count=count, product_id=product.pk, counted=Decimal("12"))
    client = login(keeper)

    # when
    client.post(reverse("inventory-count-post", args=[count.pk]), {"reason": "月末盘点"})
    client.post(reverse("inventory-count-post", args=[count.pk]), {"reason": "月末盘点"})

    # then
    count.refresh_from_db()
    assert count.status == CountStatus.POSTED
    assert StockLevel.objects.get(product=product, location=shelf).on_hand == Decimal("12.000")


def test_the_stock_card_shows_the_running_balance(org, boss, login, product, shelf, receive):
    receive(product, shelf, "10")
    receive(product, shelf, "2.5")
    page = login(boss).get(reverse("inventory-product-card", args=[product.pk])).content.decode()
    assert 'data-testid="balance">12.5<' in page


def test_another_organizations_rows_are_404(org, other_org, boss, login):
    # given
    with org_scope(other_org):
        foreign = create_warehouse(
            org=other_org, actor=_boss_of(other_org), code="X", name="别家仓"
        )
        product = ProductFactory(org=other_org)
    client = login(boss)

    # then
    assert client.get(reverse("inventory-warehouse-detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("inventory-product-card", args=[product.pk])).status_code == 404


def test_the_stock_list_filters_below_zero_available(org, member, login, product, shelf, receive):
    # given
    other = ProductFactory(code="WINE-1")
    receive(product, shelf, "5")
    receive(other, shelf, "5")
    StockLevel.objects.filter(product=product).update(reserved=Decimal("5"))
    level = StockLevel.objects.get(product=other)
    # on hand fell under what was reserved (shipped without a reservation)
    StockLevel.objects.filter(pk=level.pk).update(reserved=Decimal("6"))

    # when
    page = (
        login(member(Role.WAREHOUSE))
        .get(reverse("inventory-stock-list") + "?available=0")
        .content.decode()
    )

    # then
    assert "WINE-1" in page and "BEER-1" not in page


def _boss_of(organization):
    from qudao.tenancy.tests.factories import MembershipFactory

    return MembershipFactory(org=organization, role=Role.BOSS)


def test_a_location_page_keeps_consignment_with_its_customer(org, keeper, login, shelf):
    response = login(keeper).post(
        reverse("inventory-location-create", args=[shelf.warehouse_id]),
        {"code": "C1", "name": "代销点", "kind": "consignment", "customer": ""},
    )
    assert response.status_code == 200
    assert "belongs to one of our customers" in response.content.decode()
    assert not shelf.warehouse.locations.filter(code="C1").exists()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", ["inventory-stock-list", "inventory-move-list"])
def test_list_pages_cost_the_same_queries_for_2_or_12_rows(org, boss, login, shelf, receive, name):
    # given
    client = login(boss)
    for n in range(2):
        receive(ProductFactory(code=f"A-{n}"), shelf, "1", "2")
    few = _queries(client, reverse(name))

    # when
    for n in range(10):
        receive(ProductFactory(code=f"B-{n}"), shelf, "1", "2")

    # then
    assert _queries(client, reverse(name)) == few
