from decimal import Decimal

from django.urls import reverse

from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.models import Party
from qudao.tenancy.roles import Role


def test_a_retailer_sees_its_own_balance_credit_and_open_invoices_only(org, boss, member, login):
    # given: the retailer's invoice and another customer's
    shop = member(Role.RETAILER)
    other = Party.objects.create(
        org=org, kind="customer", customer_type="retailer", code="X9", name="隔壁超市"
    )
    mine = posted_invoice(org=org, actor=boss, customer=shop.party, amount=Decimal("880.00"))
    theirs = posted_invoice(org=org, actor=boss, customer=other, amount=Decimal("77.00"))

    # when
    response = login(shop).get(reverse("portal-home"))

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert mine.number in body and theirs.number not in body
    assert response.context["balance"] == Decimal("880.00")
    assert response.context["credit"].exposure.invoiced_unpaid == Decimal("880.00")
    assert "隔壁超市" not in body


def test_a_manufacturer_user_sees_no_credit_figures(member, login):
    maker = member(Role.MANUFACTURER)
    response = login(maker).get(reverse("portal-home"))
    assert response.status_code == 200
    assert response.context["credit"] is None
    assert 'data-testid="portal-available"' not in response.content.decode()


def test_money_paid_in_advance_reads_as_nothing_owed_and_is_named_in_the_available_credit(
    org, boss, member, login
):
    shop = member(Role.RETAILER)
    payment(org=org, actor=boss, customer=shop.party, amount=Decimal("500.00"))

    response = login(shop).get(reverse("portal-home"))

    body = response.content.decode()
    assert response.context["balance"] == Decimal("-500.00")
    assert 'data-testid="portal-balance">¥0.00<' in body
    assert "Nothing owed: you have paid in advance." in body
    assert "including ¥500.00 paid in advance" in body
