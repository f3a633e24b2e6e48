"""A purchase order's prepayment paid by endorsing a customer's bank acceptance bill to the
supplier (背书转让): through `pay_supplier_with_bill`, for the bill's whole face value, in the
service, the order page and the API; refusals write nothing."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance.integrity import find_problems as finance_problems
from qudao.finance.models import BillClearing, ClearingKind, JournalEntry
from qudao.finance.services import PaymentData, receive_payment
from qudao.parties.tests.factories import CustomerFactory
from qudao.purchasing import services
from qudao.purchasing.forms import PrepaymentForm
from qudao.purchasing.models import PaymentCondition, Prepayment
from qudao.purchasing.payables.integrity import find_problems as payables_problems
from qudao.purchasing.payables.models import SupplierPayment
from qudao.tenancy.services import issue_api_token

D = Decimal
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def received_bill(org, actor, amount="80.00", matures=60, number="BA-1"):
    payment, _created = receive_payment(
        org=org,
        actor=actor,
        data=PaymentData(
            customer_id=CustomerFactory(org=org).pk,
            date=days(-5),
            amount=D(amount),
            method="acceptance_bill",
            bill_number=number,
            bill_maturity=days(matures),
        ),
    )
    return payment


@pytest.fixture
def prepaid_order(org, boss, supplier, beer):
    """A confirmed order that requires prepayment, for 40 bottles: ¥100.00."""
    order = services.create_order(
        org=org,
        actor=boss,
        data=services.OrderData(
            supplier_id=supplier.pk, payment_condition=PaymentCondition.PREPAYMENT
        ),
    )
    services.set_order_line(org=org, actor=boss, order=order, product_id=beer.pk, quantity=D(40))
    return services.confirm_order(org=org, actor=boss, order=order)


def nothing_written(order):
    order.refresh_from_db(fields=["prepayment_paid"])
    return (
        order.prepayment_paid,
        Prepayment.objects.count(),
        SupplierPayment.objects.count(),
        BillClearing.objects.count(),
    ) == (D("0.00"), 0, 0, 0)


def test_a_prepayment_endorses_the_whole_bill_to_the_supplier(org, boss, supplier, prepaid_order):
    # given
    bill = received_bill(org, boss, amount="80.00", number="BA-2026-9")

    # when: the amount left empty is the bill's face value
    prepayment = services.record_prepayment(
        org=org,
        actor=boss,
        order=prepaid_order,
        amount=None,
        paid_on=TODAY,
        method="endorsed_bill",
        bill_id=bill.pk,
    )

    # then: one supplier payment for the order, carrying the bill, posted Dr 2202 / Cr 1121
    payment = prepayment.payment
    prepaid_order.refresh_from_db(fields=["prepayment_paid"])
    assert (prepayment.amount, prepayment.reference, prepaid_order.prepayment_paid) == (
        D("80.00"),
        "BA-2026-9",
        D("80.00"),
    )
    assert (payment.method, payment.order_id, payment.endorsed_bill_id, payment.amount) == (
        "endorsed_bill",
        prepaid_order.pk,
        bill.pk,
        D("80.00"),
    )
    lines = sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in payment.journal_entry.lines.select_related("account")
    )
    assert lines == [
        ("1121", D("0.00"), D("80.00"), None),
        ("2202", D("80.00"), D("0.00"), supplier.pk),
    ]
    clearing = BillClearing.objects.get(payment=bill)
    assert (clearing.kind, clearing.endorsee_id, clearing.endorsement_reference) == (
        ClearingKind.ENDORSED,
        supplier.pk,
        payment.number,
    )
    assert JournalEntry.objects.filter(source_type="purchasing.supplier_payment").count() == 1
    assert payables_problems(org) == []
    assert finance_problems(org) == []


def test_the_amount_given_must_be_the_bills_face_value(org, boss, prepaid_order):
    bill = received_bill(org, boss, amount="80.00")

    with pytest.raises(BusinessRuleViolation) as refused:
        services.record_prepayment(
            org=org,
            actor=boss,
            order=prepaid_order,
            amount=D("50.00"),
            paid_on=TODAY,
            method="endorsed_bill",
            bill_id=bill.pk,
        )

    assert refused.value.code == "bill_not_split"
    assert nothing_written(prepaid_order)


@pytest.mark.parametrize(
    ("amount", "matures", "bill_chosen", "code"),
    [
        ("120.00", 60, True, "prepayment_too_large"),  # more than the order's 100
        ("80.00", 60, False, "bill_required"),
        ("80.00", -1, True, "bill_past_maturity"),
    ],
)
def test_refusals_write_nothing(org, boss, prepaid_order, amount, matures, bill_chosen, code):
    bill = received_bill(org, boss, amount=amount, matures=matures)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.record_prepayment(
            org=org,
            actor=boss,
            order=prepaid_order,
            amount=None,
            paid_on=TODAY,
            method="endorsed_bill",
            bill_id=bill.pk if bill_chosen else None,
        )

    assert refused.value.code == code
    assert nothing_written(prepaid_order)


def test_a_bill_already_endorsed_is_refused(org, boss, supplier, prepaid_order):
    # given: the bill already paid a supplier
    bill = received_bill(org, boss, amount="30.00")
    services.record_prepayment(
        org=org,
        actor=boss,
        order=prepaid_order,
        amount=None,
        paid_on=TODAY,
        method="endorsed_bill",
        bill_id=bill.pk,
    )

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        services.record_prepayment(
            org=org,
            actor=boss,
            order=prepaid_order,
            amount=None,
            paid_on=TODAY,
            method="endorsed_bill",
            bill_id=bill.pk,
        )

    # then
    assert refused.value.code == "bill_endorsed"
    assert (Prepayment.objects.count(), SupplierPayment.objects.count()) == (1, 1)


def test_the_prepayment_form_offers_the_customers_bills(org, boss):
    bill = received_bill(org, boss, number="BA-OFFER")

    form = PrepaymentForm(data={"paid_on": TODAY.isoformat(), "method": "endorsed_bill"})

    assert "endorsed_bill" in dict(form.fields["method"].choices)
    assert bill.pk in dict(form.fields["bill"].choices)
    assert not form.is_valid()
    assert list(form.errors) == ["bill"]


def test_the_order_page_records_a_prepayment_by_endorsed_bill(
    org, boss, login, supplier, prepaid_order
):
    # given
    bill = received_bill(org, boss, amount="100.00", number="BA-PAGE")
    client = login(boss)
    page = client.get(reverse("purchasing-order-detail", args=[prepaid_order.pk]))

    # when
    response = client.post(
        reverse("purchasing-order-prepayment-record", args=[prepaid_order.pk]),
        {"paid_on": TODAY.isoformat(), "method": "endorsed_bill", "bill": str(bill.pk)},
    )

    # then
    assert page.status_code == 200
    assert "BA-PAGE" in page.content.decode()  # offered in the form
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "The prepayment was recorded."
    ]
    [prepayment] = Prepayment.objects.select_related("payment")
    assert (prepayment.amount, prepayment.payment.endorsed_bill_id) == (D("100.00"), bill.pk)
    prepaid_order.refresh_from_db(fields=["prepayment_paid"])
    assert prepaid_order.prepayment_paid == D("100.00")


def test_the_api_records_a_prepayment_by_endorsed_bill(client, org, boss, prepaid_order):
    # given
    bill = received_bill(org, boss, amount="60.00")
    _token, raw = issue_api_token(org=org, actor=boss, name="test")

    def post(body):
        return client.post(
            f"/api/v1/purchase-orders/{prepaid_order.pk}/prepayments",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    # when
    wrong = post(
        {"paid_on": TODAY.isoformat(), "method": "endorsed_bill", "bill_id": bill.pk, "amount": "1"}
    )
    paid = post({"paid_on": TODAY.isoformat(), "method": "endorsed_bill", "bill_id": bill.pk})

    # then
    assert (wrong.status_code, wrong.json()["code"]) == (409, "bill_not_split")
    assert paid.status_code == 201
    assert paid.json()["amount"] == "60.00"
    assert SupplierPayment.objects.get(pk=paid.json()["payment_id"]).endorsed_bill_id == bill.pk
