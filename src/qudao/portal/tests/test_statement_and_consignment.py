"""The portal says a prepaid balance as such (never a minus sign), on screen and on paper; and
reporting sales with no consignment goods left says so instead of an empty form."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from qudao.finance import services
from qudao.finance.tests.factories import payment
from qudao.tenancy.roles import Role


def _prepaid_statement(org, boss, shop):
    payment(org=org, actor=boss, customer=shop.party, amount=Decimal("5000.00"))
    return services.issue_statement(
        org=org,
        actor=boss,
        customer=shop.party,
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 2, 28),
    )


def test_a_prepaid_closing_balance_reads_as_a_prepayment_balance(org, boss, member, login):
    # given
    shop = member(Role.RETAILER)
    statement = _prepaid_statement(org, boss, shop)
    assert statement.closing_balance == Decimal("-5000.00")

    # when
    page = login(shop).get(reverse("portal-statement-detail", args=[statement.pk]))
    printed = login(shop).get(reverse("portal-statement-print", args=[statement.pk]))

    # then
    html = page.content.decode()
    assert 'data-testid="closing-balance">¥5,000.00<' in html
    assert "Prepayment balance" in html and "Nothing owed: you have paid in advance." in html
    assert "-¥5,000.00" not in html.split('data-testid="statement-accounts"')[0]
    paper = printed.content.decode()
    assert 'data-testid="closing">¥5,000.00<' in paper
    assert "负" not in paper.split('data-testid="in-words">')[1].split("<")[0]
    assert "favicon.svg" in paper


def test_reporting_sales_with_nothing_on_consignment_says_so(org, member, login):
    # given
    shop = member(Role.RETAILER)

    # when
    response = login(shop).get(reverse("portal-consignment-report"))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="nothing-to-report"' in html
    assert 'name="period_start"' not in html


def test_no_running_balance_of_a_statement_shows_a_minus_sign(org, boss, member, login):
    # given a statement whose every balance is in the customer's favour
    shop = member(Role.RETAILER)
    statement = _prepaid_statement(org, boss, shop)

    # when the retailer and the finance clerk read it, on screen and on paper
    pages = [
        login(shop).get(reverse("portal-statement-detail", args=[statement.pk])),
        login(boss).get(reverse("finance-statement-detail", args=[statement.pk])),
        login(boss).get(reverse("finance-statement-print", args=[statement.pk])),
    ]

    # then each running balance reads as the amount paid in advance, marked so
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "-¥" not in html
        assert "¥5,000.00<span" in html
        assert "prepaid" in html or "预付" in html  # the paper is always in Chinese
