"""Statement pages for finance, the retailer portal, printing, and the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from qudao.finance import services
from qudao.finance.models import DisputeStatus, Statement, StatementDispute, StatementStatus
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.services import issue_api_token

D = datetime.date


@pytest.fixture
def shop(member):
    return member(Role.RETAILER)


@pytest.fixture
def statement(org, boss, shop):
    posted_invoice(
        org=org, actor=boss, customer=shop.party, amount=Decimal("1234.50"), date=D(2026, 5, 6)
    )
    return services.issue_statement(
        org=org, actor=boss, customer=shop.party, start=D(2026, 5, 1), end=D(2026, 5, 31)
    )


def test_finance_previews_then_issues_a_statement(org, boss, member, login):
    finance = member(Role.FINANCE)
    customer = CustomerFactory(org=org)
    posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal("300.00"), date=D(2026, 5, 6)
    )
    client = login(finance)
    fields = {"customer": customer.pk, "start": "2026-05-01", "end": "2026-05-31"}

    preview = client.get(reverse("finance-statement-create"), fields)
    issued = client.post(reverse("finance-statement-create"), fields)

    assert preview.status_code == 200
    assert preview.context["draft"].closing_balance == Decimal("300.00")
    assert Statement.objects.count() == 1
    statement = Statement.objects.get()
    assert issued.url == reverse("finance-statement-detail", args=[statement.pk])
    detail = client.get(issued.url)
    assert detail.status_code == 200
    assert statement.number in detail.content.decode()


def test_a_bad_period_on_the_page_is_refused_and_nothing_is_issued(org, boss, login):
    customer = CustomerFactory(org=org)
    response = login(boss).post(
        reverse("finance-statement-create"),
        {"customer": customer.pk, "start": "2026-05-31", "end": "2026-05-01"},
    )
    assert response.status_code == 400
    assert "The period must start on or before its end." in response.content.decode()
    assert Statement.objects.count() == 0


def test_print_spells_the_closing_balance_in_capitals_in_chinese(boss, login, statement):
    page = login(boss).get(reverse("finance-statement-print", args=[statement.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "壹仟贰佰叁拾肆元伍角" in body
    assert "对账单" in body or "Statement of account" in body


def test_a_rep_sees_only_statements_of_own_customers(org, boss, rep, login, statement):
    mine = CustomerFactory(org=org, owner=rep)
    own = services.issue_statement(
        org=org, actor=boss, customer=mine, start=D(2026, 5, 1), end=D(2026, 5, 31)
    )
    client = login(rep)

    listing = client.get(reverse("finance-statement-list")).content.decode()

    assert own.number in listing and statement.number not in listing
    assert client.get(reverse("finance-statement-detail", args=[statement.pk])).status_code == 404


def test_the_retailer_disputes_a_line_in_the_portal_and_finance_resolves_it(
    org, boss, shop, login, statement
):
    line = statement.lines.get()
    portal = login(shop)

    page = portal.get(reverse("portal-statement-detail", args=[statement.pk]))
    disputed = portal.post(
        reverse("portal-statement-dispute", args=[statement.pk]),
        {"line": line.pk, "comment": "这张单我们只收到一半货"},
    )
    disputes_page = login(boss).get(reverse("finance-dispute-list")).content.decode()
    dispute = StatementDispute.objects.get()
    resolved = login(boss).post(
        reverse("finance-dispute-resolve", args=[dispute.pk]),
        {"resolution": "已补发另一半", "next": "list"},
    )

    assert page.status_code == 200 and line.document_number in page.content.decode()
    assert disputed.status_code == 302
    assert "这张单我们只收到一半货" in disputes_page
    assert resolved.url == reverse("finance-dispute-list")
    dispute.refresh_from_db()
    statement.refresh_from_db()
    assert (dispute.status, statement.status) == (DisputeStatus.RESOLVED, StatementStatus.RESOLVED)


def test_the_retailer_confirms_in_the_portal_and_home_stops_asking(shop, login, statement):
    portal = login(shop)
    home_before = portal.get(reverse("portal-home"))

    portal.post(reverse("portal-statement-confirm", args=[statement.pk]))

    statement.refresh_from_db()
    assert home_before.context["statements_to_answer"] == 1
    assert statement.status == StatementStatus.CONFIRMED
    assert portal.get(reverse("portal-home")).context["statements_to_answer"] == 0


def test_another_retailer_gets_404_on_the_statement(member, login, statement):
    stranger = login(member(Role.RETAILER))
    assert stranger.get(reverse("portal-statement-detail", args=[statement.pk])).status_code == 404
    confirm = reverse("portal-statement-confirm", args=[statement.pk])
    assert stranger.post(confirm).status_code == 404
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED


def _bearer(org, membership):
    _token, raw = issue_api_token(org=org, actor=membership, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_retailers_token_lists_disputes_and_confirms_its_own(client, org, shop, statement):
    headers = _bearer(org, shop)
    line = statement.lines.get()

    listed = client.get("/api/v1/statements", **headers).json()
    detail = client.get(f"/api/v1/statements/{statement.pk}", **headers).json()
    disputed = client.post(
        f"/api/v1/statements/{statement.pk}/disputes",
        {"line_id": line.pk, "comment": "单价不对"},
        content_type="application/json",
        **headers,
    )
    refused = client.post(f"/api/v1/statements/{statement.pk}/confirm", **headers)

    assert [s["number"] for s in listed["results"]] == [statement.number]
    assert (detail["closing_balance"], detail["lines"][0]["debit"]) == ("1234.50", "1234.50")
    assert disputed.status_code == 201 and disputed.json()["status"] == "open"
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")


def test_finance_issues_through_the_api_and_another_retailer_sees_nothing(
    client, org, boss, member, shop
):
    posted_invoice(
        org=org, actor=boss, customer=shop.party, amount=Decimal("10.00"), date=D(2026, 6, 1)
    )
    created = client.post(
        "/api/v1/statements",
        {"customer_id": shop.party_id, "start": "2026-06-01", "end": "2026-06-30"},
        content_type="application/json",
        **_bearer(org, boss),
    )
    stranger = _bearer(org, member(Role.RETAILER))

    assert created.status_code == 201
    assert created.json()["closing_balance"] == "10.00"
    assert client.get("/api/v1/statements", **stranger).json()["count"] == 0
    missing = client.get(f"/api/v1/statements/{created.json()['id']}", **stranger)
    assert missing.status_code == 404
