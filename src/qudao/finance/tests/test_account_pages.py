"""The account pages: the retailer sends a voucher in the portal, finance decides it in its
queue, staff top up, refund and grant rebate on the customer's account page; statements and
the portal show both balances."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.finance import balances, services
from qudao.finance.models import CustomerRefund, PrepaymentTopUp, RebateEntry, TopUpStatus
from qudao.finance.tests.accounts_helpers import PNG, granted, requested, topped_up, voucher
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role

D = Decimal


@pytest.fixture
def shop(member):
    return member(Role.RETAILER)


@pytest.fixture
def finance(member):
    return member(Role.FINANCE)


def _today() -> str:
    return timezone.localdate().isoformat()


def test_the_retailer_sends_a_voucher_from_the_portal_and_sees_it_waiting(org, shop, login):
    client = login(shop)

    form = client.get(reverse("portal-topup-create"))
    response = client.post(
        reverse("portal-topup-create"),
        {
            "amount": "1200.00",
            "date": _today(),
            "method": "wechat",
            "reference": "WX-88",
            "voucher": voucher(),
            "idempotency_key": "page-1",
        },
    )

    assert form.status_code == 200 and 'accept="image/jpeg' in form.content.decode()
    assert response.status_code == 302 and response.url == reverse("portal-account")
    top_up = PrepaymentTopUp.objects.get()
    assert (top_up.status, top_up.amount, top_up.source) == ("pending", D("1200.00"), "portal")
    page = client.get(reverse("portal-account")).content.decode()
    assert top_up.number in page and "Waiting for finance" in page


def test_a_top_up_without_voucher_or_in_the_future_is_shown_back_with_the_reason(org, shop, login):
    client = login(shop)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("portal-topup-create"),
        {"amount": "10.00", "date": tomorrow, "method": "bank_transfer", "voucher": voucher()},
    )

    assert response.status_code == 200
    assert "The date cannot be in the future." in response.content.decode()
    assert PrepaymentTopUp.objects.count() == 0


def test_finance_approves_from_its_queue_and_the_portal_shows_the_balance(
    org, shop, finance, login
):
    top_up = requested(org=org, shop=shop, amount="800.00")
    client = login(finance)

    queue = client.get(reverse("finance-topup-list"))
    detail = client.get(reverse("finance-topup-detail", args=[top_up.pk]))
    image = client.get(reverse("finance-topup-voucher", args=[top_up.pk]))
    approved = client.post(reverse("finance-topup-approve", args=[top_up.pk]))

    assert top_up.number in queue.content.decode()
    assert 'data-testid="approve"' in detail.content.decode()
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(PNG[:8])
    assert approved.status_code == 302
    home = login(shop).get(reverse("portal-home"))
    assert home.context["accounts"].prepayment == D("800.00")
    assert 'data-testid="portal-prepayment"' in home.content.decode()


def test_a_rejection_reason_reaches_the_retailer(org, shop, finance, login):
    top_up = requested(org=org, shop=shop)

    login(finance).post(
        reverse("finance-topup-reject", args=[top_up.pk]), {"reason": "银行尚未到账"}
    )

    top_up.refresh_from_db()
    assert top_up.status == TopUpStatus.REJECTED
    assert "银行尚未到账" in login(shop).get(reverse("portal-account")).content.decode()


def test_a_voucher_is_seen_by_its_customer_and_finance_only(org, shop, member, login):
    top_up = requested(org=org, shop=shop)
    other_shop = member(Role.RETAILER)

    mine = login(shop).get(reverse("portal-topup-voucher", args=[top_up.pk]))
    theirs = login(other_shop).get(reverse("portal-topup-voucher", args=[top_up.pk]))
    warehouse = login(member(Role.WAREHOUSE)).get(
        reverse("finance-topup-voucher", args=[top_up.pk])
    )

    assert (mine.status_code, theirs.status_code, warehouse.status_code) == (200, 404, 403)


def test_the_retailer_withdraws_a_waiting_top_up(org, shop, login):
    top_up = requested(org=org, shop=shop)
    login(shop).post(reverse("portal-topup-withdraw", args=[top_up.pk]))
    top_up.refresh_from_db()
    assert top_up.status == TopUpStatus.WITHDRAWN


def test_staff_top_up_refund_and_rebate_on_the_account_page(org, finance, login):
    customer = CustomerFactory(org=org)
    client = login(finance)

    client.post(
        reverse("finance-account-topup", args=[customer.pk]),
        {"amount": "1000.00", "date": _today(), "method": "cash", "idempotency_key": "s-1"},
    )
    client.post(
        reverse("finance-account-refund", args=[customer.pk]),
        {
            "amount": "300.00",
            "date": _today(),
            "method": "bank_transfer",
            "reason": "多付退回",
            "idempotency_key": "r-1",
        },
    )
    client.post(
        reverse("finance-account-rebate", args=[customer.pk]),
        {"amount": "88.00", "date": _today(), "source": "year_end", "reason": "年终返利"},
    )
    page = client.get(reverse("finance-account-detail", args=[customer.pk]))

    assert page.context["accounts"].prepayment == D("700.00")
    assert page.context["accounts"].rebate == D("88.00")
    assert CustomerRefund.objects.get().amount == D("300.00")
    body = page.content.decode()
    assert 'data-testid="prepayment-balance"' in body and "700.00" in body


def test_a_refund_beyond_the_balance_is_shown_on_the_form(org, finance, login):
    customer = CustomerFactory(org=org)
    topped_up(org=org, actor=finance, customer=customer, amount="50.00")

    response = login(finance).post(
        reverse("finance-account-refund", args=[customer.pk]),
        {"amount": "60.00", "date": _today(), "method": "cash", "reason": "退款"},
    )

    assert response.status_code == 200
    assert "cannot be paid back" in response.content.decode()
    assert CustomerRefund.objects.count() == 0


def test_a_grant_is_reversed_from_the_account_page(org, finance, login):
    customer = CustomerFactory(org=org)
    grant = granted(org=org, actor=finance, customer=customer)

    login(finance).post(reverse("finance-rebate-reverse", args=[grant.pk]), {"reason": "录错"})

    assert RebateEntry.objects.filter(reverses=grant).exists()
    assert balances.rebate_balance(customer) == D("0.00")


def test_the_boss_sets_the_rebate_share(org, boss, login):
    login(boss).post(
        reverse("finance-account-settings"),
        {"rebate_max_share": "15", "settle_from_prepayments": ""},
    )
    settings = balances.account_settings(org)
    assert (settings.rebate_max_share, settings.settle_from_prepayments) == (D("0.1500"), False)


def test_statements_carry_both_balances_for_staff_and_portal(org, boss, shop, login):
    topped_up(org=org, actor=boss, customer=shop.party, amount="500.00")
    granted(org=org, actor=boss, customer=shop.party, amount="60.00")
    statement = services.issue_statement(
        org=org,
        actor=boss,
        customer=shop.party,
        start=timezone.localdate().replace(day=1),
        end=timezone.localdate(),
    )

    staff = login(boss).get(reverse("finance-statement-detail", args=[statement.pk]))
    portal = login(shop).get(reverse("portal-statement-detail", args=[statement.pk]))

    assert (statement.prepayment_balance, statement.rebate_balance) == (D("500.00"), D("60.00"))
    for page in (staff, portal):
        assert 'data-testid="statement-prepayment"' in page.content.decode()
        assert "500.00" in page.content.decode()
    lines = list(statement.lines.values_list("kind", flat=True))
    assert lines == ["payment"]


def test_voucher_form_renders_in_chinese(org, shop, login):
    client = login(shop)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("portal-topup-create")).content.decode()
    assert "转账凭证" in body or "凭证" in body
