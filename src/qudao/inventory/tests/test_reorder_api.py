"""The reorder API: suggestions, rules kept by boss and warehouse, refusals that write nothing."""

from __future__ import annotations

import json

import pytest

from qudao.inventory.models import ReorderRule
from qudao.inventory.services import RuleData, create_reorder_rule
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token


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


def test_suggestions_come_with_decimal_strings(
    org, keeper, call, member, product, shelf, receive, ship
):
    # given: 28 shipped today, 2 left; a 7-day lead time
    receive(product, shelf, "30")
    ship(product, shelf, "28")
    create_reorder_rule(
        org=org, actor=keeper, data=RuleData(product_id=product.pk, lead_time_days=7)
    )

    # when
    response = call(member(Role.SALES_REP))("GET", "/reorder-suggestions?window=28")

    # then: 1 a day; target 1 × (7 + 7) = 14; 14 − 2 = 12
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["product_code"], row["available"], row["sold_per_day"]) == (
        "BEER-1",
        "2.000",
        "1.000",
    )
    assert (row["days_of_cover"], row["suggested_quantity"], row["is_urgent"]) == (
        "2.0",
        "12",
        True,
    )


def test_a_keeper_creates_updates_and_deletes_a_rule(call, keeper, product):
    api = call(keeper)
    created = api("POST", "/reorder-rules", {"product_id": product.pk, "lead_time_days": 4})
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    updated = api(
        "PUT",
        f"/reorder-rules/{rule_id}",
        {"product_id": product.pk, "lead_time_days": 6, "safety_quantity": "2.5"},
    )
    assert (updated.status_code, updated.json()["safety_quantity"]) == (200, "2.500")
    assert api("GET", f"/reorder-rules/{rule_id}").json()["lead_time_days"] == 6
    assert api("DELETE", f"/reorder-rules/{rule_id}").status_code == 204
    assert ReorderRule.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"lead_time_days": -3}, 422),
        ({"lead_time_days": 0, "review_period_days": 0}, 409),
        ({"lead_time_days": 3, "warehouse_id": 987654}, 409),
        ({"lead_time_days": 3, "packaging_unit_id": 987654}, 409),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_written(call, keeper, product, body, status):
    response = call(keeper)("POST", "/reorder-rules", {"product_id": product.pk, **body})
    assert response.status_code == status
    assert set(response.json()) >= {"code", "message"}
    assert ReorderRule.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.FINANCE, Role.READONLY])
def test_roles_without_move_stock_cannot_change_rules(call, member, product, role):
    response = call(member(role))(
        "POST", "/reorder-rules", {"product_id": product.pk, "lead_time_days": 3}
    )
    assert response.status_code == 403
    assert ReorderRule.objects.count() == 0


@pytest.mark.parametrize("role", [Role.RETAILER, Role.MANUFACTURER])
def test_external_users_see_no_suggestions(call, member, role):
    assert call(member(role))("GET", "/reorder-suggestions").status_code == 403
