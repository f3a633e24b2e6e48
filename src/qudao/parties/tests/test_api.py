"""The parties API: the same services and scoping as the pages, and the error shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from qudao.parties.models import Contact, Party, Territory
from qudao.parties.tests.factories import (
    ContactFactory,
    CustomerFactory,
    SupplierFactory,
    TerritoryFactory,
)
from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.services import issue_api_token

API = "/api/v1"


class Api:
    def __init__(self, membership: Membership) -> None:
        _token, raw = issue_api_token(org=membership.org, actor=membership, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(API + path, body or {}, content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(API + path, body, content_type="application/json")


@pytest.fixture
def api() -> Callable[[Membership], Api]:
    return Api


def test_create_then_read_a_customer(org, boss, rep, api):
    # given
    territory = TerritoryFactory(org=org)
    client = api(boss)

    # when
    created = client.post(
        "/customers",
        {
            "name": "新开便利店",
            "customer_type": "retailer",
            "tier": "B",
            "territory_id": territory.pk,
            "owner_id": rep.pk,
            "phone": "13988887777",
        },
    )
    read = client.get(f"/customers/{created.json()['id']}")

    # then
    assert created.status_code == 201
    body = read.json()
    assert (body["kind"], body["name"], body["code"], body["tier"]) == (
        "customer",
        "新开便利店",
        "C-000001",
        "B",
    )
    assert (body["territory_id"], body["owner_id"], body["archived_at"]) == (
        territory.pk,
        rep.pk,
        None,
    )


def test_bad_input_is_422_with_the_fields_and_changes_nothing(org, boss, api):
    # when
    response = api(boss).post("/customers", {"name": "", "customer_type": "spaceship"})

    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"name", "customer_type"}
    assert Party.objects.count() == 0


def test_a_possible_duplicate_is_409_with_the_matches_until_confirmed(org, boss, api):
    # given
    existing = CustomerFactory(org=org, name="老街超市", tax_id="91330000TAX")
    client = api(boss)
    body = {"name": "老街超市", "customer_type": "retailer"}

    # when
    refused = client.post("/customers", body)
    confirmed = client.post("/customers", body | {"confirm_duplicate": True})

    # then
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "possible_duplicate",
        "message": refused.json()["message"],
        "fields": {},
        "matches": [
            {
                "id": existing.pk,
                "code": existing.code,
                "name": "老街超市",
                "owner_id": None,
                "archived": False,
                "reasons": ["name"],
            }
        ],
    }
    assert confirmed.status_code == 201
    assert Party.objects.filter(name="老街超市").count() == 2


def test_a_rule_refusal_is_409_with_code_and_fields(org, boss, api):
    # given
    CustomerFactory(org=org, code="DUP-1", name="甲", phone="", tax_id="")

    # when
    response = api(boss).post(
        "/customers", {"code": "DUP-1", "name": "乙", "customer_type": "retailer"}
    )

    # then
    assert response.status_code == 409
    assert (response.json()["code"], list(response.json()["fields"])) == (
        "duplicate_code",
        ["code"],
    )


def test_patch_changes_only_the_fields_sent(org, boss, api):
    # given
    customer = CustomerFactory(org=org, name="原名", phone="13811112222", tier="C")

    # when
    response = api(boss).patch(f"/customers/{customer.pk}", {"tier": "A"})

    # then
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.tier) == ("原名", "13811112222", "A")


def test_patch_with_a_bad_status_move_is_409_and_changes_nothing(org, boss, api):
    # given
    customer = CustomerFactory(org=org, status="prospect")

    # when
    response = api(boss).patch(f"/customers/{customer.pk}", {"status": "suspended"})

    # then
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    customer.refresh_from_db()
    assert customer.status == "prospect"


def test_list_filters_and_paginates(org, boss, api):
    # given
    for n in range(3):
        CustomerFactory(org=org, code=f"A{n}", tier="A")
    CustomerFactory(org=org, code="B0", tier="B")
    SupplierFactory(org=org)

    # when
    response = api(boss).get("/customers", tier="A", page_size=2, page=2)

    # then
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 2, 2)
    assert [row["code"] for row in body["results"]] == ["A2"]


def test_archive_hides_from_the_list_unless_asked(org, boss, api):
    # given
    customer = CustomerFactory(org=org, code="X1")
    client = api(boss)

    # when
    archived = client.post(f"/customers/{customer.pk}/archive", {"reason": "关店"})
    again = client.post(f"/customers/{customer.pk}/archive")
    default = client.get("/customers")
    only = client.get("/customers", archived="only")

    # then
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    assert (again.status_code, again.json()["code"]) == (409, "already_archived")
    assert default.json()["count"] == 0
    assert [r["code"] for r in only.json()["results"]] == ["X1"]


def test_a_rep_sees_only_their_customers_in_the_api(org, rep, member, api):
    # given
    mine = CustomerFactory(org=org, owner=rep)
    theirs = CustomerFactory(org=org, owner=member(Role.SALES_REP))
    contact = ContactFactory(org=org, party=theirs)
    client = api(rep)

    # when
    listed = client.get("/customers")
    statuses = [
        client.get(f"/customers/{theirs.pk}").status_code,
        client.patch(f"/customers/{theirs.pk}", {"name": "抢"}).status_code,
        client.post(f"/customers/{theirs.pk}/archive").status_code,
        client.get(f"/contacts/{contact.pk}").status_code,
        client.post("/contacts", {"party_id": theirs.pk, "name": "偷加"}).status_code,
    ]

    # then
    assert [r["id"] for r in listed.json()["results"]] == [mine.pk]
    assert statuses == [404, 404, 404, 404, 404]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.archived_at, Contact.objects.count()) == (
        theirs.name,
        None,
        1,
    )


def test_another_organizations_records_are_404(org, other_org, boss, api):
    # given
    with org_scope(other_org):
        customer = CustomerFactory(org=other_org)
        supplier = SupplierFactory(org=other_org)
        territory = TerritoryFactory(org=other_org)
        contact = ContactFactory(org=other_org, party=customer)
    client = api(boss)

    # when
    statuses = [
        client.get(f"/customers/{customer.pk}").status_code,
        client.get(f"/suppliers/{supplier.pk}").status_code,
        client.get(f"/territories/{territory.pk}").status_code,
        client.get(f"/contacts/{contact.pk}").status_code,
        client.patch(f"/suppliers/{supplier.pk}", {"name": "x"}).status_code,
    ]

    # then
    assert statuses == [404, 404, 404, 404, 404]
    assert client.get("/customers").json()["count"] == 0


def test_external_users_cannot_read_parties(org, member, api):
    response = api(member(Role.RETAILER)).get("/customers")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_suppliers_crud(org, boss, api):
    # given
    client = api(boss)

    # when
    created = client.post("/suppliers", {"name": "华岚电器", "tax_id": "9133TAX"})
    supplier_id = created.json()["id"]
    patched = client.patch(f"/suppliers/{supplier_id}", {"short_name": "华岚"})
    archived = client.post(f"/suppliers/{supplier_id}/archive")

    # then
    assert created.status_code == 201
    assert (created.json()["kind"], created.json()["customer_type"]) == ("supplier", "")
    assert patched.json()["short_name"] == "华岚"
    assert archived.status_code == 200


def test_contacts_crud(org, boss, api):
    # given
    customer = CustomerFactory(org=org)
    client = api(boss)

    # when
    created = client.post(
        "/contacts",
        {"party_id": customer.pk, "name": "孙店长", "wechat_id": "sun1", "birthday": "1990-02-03"},
    )
    contact_id = created.json()["id"]
    patched = client.patch(f"/contacts/{contact_id}", {"title": "店长"})
    listed = client.get("/contacts", party_id=customer.pk)
    archived = client.post(f"/contacts/{contact_id}/archive")
    invalid = client.post("/contacts", {"party_id": customer.pk, "name": "x", "birthday": "bad"})

    # then
    assert created.status_code == 201
    assert (created.json()["is_primary"], created.json()["birthday"]) == (True, "1990-02-03")
    assert patched.json()["title"] == "店长"
    assert [c["id"] for c in listed.json()["results"]] == [contact_id]
    assert archived.json()["archived_at"] is not None
    assert (invalid.status_code, list(invalid.json()["fields"])) == (422, ["birthday"])


def test_territories_crud_and_the_cycle_refusal(org, boss, api):
    # given
    client = api(boss)

    # when
    top = client.post("/territories", {"code": "N", "name": "北区"}).json()
    child = client.post(
        "/territories", {"code": "BJ", "name": "北京", "parent_id": top["id"]}
    ).json()
    cycle = client.patch(f"/territories/{top['id']}", {"parent_id": child["id"]})
    renamed = client.patch(f"/territories/{child['id']}", {"name": "北京市"})
    listed = client.get("/territories")

    # then
    assert child["path"] == "N/BJ"
    assert (cycle.status_code, cycle.json()["code"]) == (409, "territory_cycle")
    assert Territory.objects.get(pk=top["id"]).parent_id is None
    assert renamed.json()["name"] == "北京市"
    assert [t["path"] for t in listed.json()["results"]] == ["N", "N/BJ"]


def test_reassign_through_the_api(org, boss, member, api):
    # given
    leaving, taking_over = member(Role.SALES_REP), member(Role.SALES_REP)
    CustomerFactory.create_batch(2, org=org, owner=leaving)

    # when
    response = api(boss).post(
        "/customers/reassign",
        {"from_owner_id": leaving.pk, "to_owner_id": taking_over.pk, "reason": "交接"},
    )

    # then
    assert response.status_code == 201
    assert response.json()["count"] == 2
    assert Party.objects.filter(owner=taking_over).count() == 2
