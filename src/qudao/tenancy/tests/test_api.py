import pytest

from qudao.tenancy.models import Membership
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token, revoke_api_token


@pytest.fixture
def bearer(org):
    def make(membership: Membership) -> dict[str, str]:
        _token, raw = issue_api_token(org=org, actor=membership, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def test_without_credentials_the_api_answers_401_with_the_error_shape(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert set(response.json()) == {"code", "message", "fields"}


def test_me_tells_who_and_where(client, org, rep, bearer):
    body = client.get("/api/v1/me", **bearer(rep)).json()
    assert body["username"] == rep.user.username
    assert body["membership"]["organization"]["code"] == "test-org"
    assert body["membership"]["role"] == "sales_rep"
    assert "manage_members" not in body["permissions"]
    assert "view_parties" in body["permissions"]


def test_a_revoked_token_stops_working(client, org, rep):
    token, raw = issue_api_token(org=org, actor=rep, name="old")
    revoke_api_token(org=org, actor=rep, token=token)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_a_suspended_members_token_stops_working(client, org, boss, rep, bearer):
    from qudao.tenancy.services import set_member_active

    headers = bearer(rep)
    set_member_active(org=org, actor=boss, membership=rep, active=False)
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_the_session_works_for_the_api_too(org, boss, login):
    response = login(boss).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["membership"]["role"] == "boss"


def test_members_are_listed_with_pagination_for_a_boss(client, org, boss, member, bearer):
    for _ in range(3):
        member(Role.SALES_REP)
    body = client.get("/api/v1/members?page_size=2&page=2", **bearer(boss)).json()
    assert (body["count"], body["page"], body["page_size"], len(body["results"])) == (4, 2, 2, 2)


def test_members_are_not_for_a_sales_rep(client, org, rep, bearer):
    response = client.get("/api/v1/members", **bearer(rep))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_adding_a_member_validates_input_with_field_errors(client, org, boss, bearer):
    response = client.post(
        "/api/v1/members",
        {"username": "x y", "role": "pilot"},
        content_type="application/json",
        **bearer(boss),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"username", "role"}
    assert Membership.objects.count() == 1


def test_a_rule_refusal_is_409_with_its_code(client, org, boss, bearer):
    response = client.post(
        "/api/v1/members",
        {"username": "shop9", "role": "retailer"},
        content_type="application/json",
        **bearer(boss),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "party_required"
    assert response.json()["fields"]["party"]


def test_tokens_can_be_issued_and_revoked_through_the_api(client, org, rep, bearer):
    headers = bearer(rep)
    created = client.post(
        "/api/v1/tokens", {"name": "BI"}, content_type="application/json", **headers
    )
    assert created.status_code == 201
    new_id = created.json()["id"]
    assert created.json()["key"].startswith("qd_")
    revoked = client.delete(f"/api/v1/tokens/{new_id}", **headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_another_organizations_token_id_is_404(client, org, other_org, rep, bearer):
    from qudao.tenancy.scoping import org_scope
    from qudao.tenancy.tests.factories import MembershipFactory

    with org_scope(other_org):
        stranger = MembershipFactory(org=other_org, role=Role.BOSS)
        foreign, _raw = issue_api_token(org=other_org, actor=stranger, name="theirs")
    response = client.delete(f"/api/v1/tokens/{foreign.pk}", **bearer(rep))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_openapi_schema_is_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Qudao API"
    assert "/api/v1/me" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200
