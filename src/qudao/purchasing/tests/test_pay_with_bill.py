"""Paying a supplier with a customer's bank acceptance bill endorsed to it (背书转让): the
postings, allocation, idempotency, the refusals that write nothing, the payment form, the
payment page and the API."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.credit import credit_exposure
from qudao.finance.integrity import find_problems as finance_problems
from qudao.finance.models import BillClearing, ClearingKind, JournalEntry
from qudao.finance.services import PaymentData, clear_bill, receive_payment
from qudao.parties.tests.factories import CustomerFactory
from qudao.purchasing import services
from qudao.purchasing.forms import PrepaymentForm
from qudao.purchasing.payables.integrity import find_problems as payables_problems
from qudao.purchasing.payables.models import SupplierPayment
from qudao.purchasing.payables.selectors import payable_balance
from qudao.purchasing.services.supplier_payments import (
    BillEndorsementData,
    pay_supplier_with_bill,
)
from qudao.purchasing.tests.payables_factories import hand_invoice
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.services import issue_api_token
from qudao.tenancy.tests.factories import MembershipFactory

D = Decimal
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def received_bill(org, actor, amount="1000.00", received=-5, matures=60, number="BA-1"):
    """A customer's payment by bank acceptance bill, in our bills receivable."""
    payment, _created = receive_payment(
        org=org,
        actor=actor,
        data=PaymentData(
            customer_id=CustomerFactory(org=org).pk,
            date=days(received),
            amount=D(amount),
            method="acceptance_bill",
            bill_number=number,
            bill_maturity=days(matures),
        ),
    )
    return payment


def pay(org, actor, supplier, bill, **overrides):
    values = {"supplier_id": supplier.pk, "bill_id": bill.pk, "date": TODAY} | overrides
    allocate = values.pop("auto_allocate", False)
    parts = values.pop("allocations", None)
    return pay_supplier_with_bill(
        org=org,
        actor=actor,
        data=BillEndorsementData(**values),
        allocations=parts,
        auto_allocate=allocate,
    )


def test_an_endorsed_bill_debits_the_supplier_and_credits_bills_receivable(org, boss, supplier):
    # given
    bill = received_bill(org, boss, amount="1500.00", number="BA-2026-77")

    # when
    payment, created = pay(org, boss, supplier, bill)

    # then
    lines = sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in payment.journal_entry.lines.select_related("account")
    )
    assert created is True
    assert lines == [
        ("1121", D("0.00"), D("1500.00"), None),
        ("2202", D("1500.00"), D("0.00"), supplier.pk),
    ]
    assert (
        payment.method,
        payment.amount,
        payment.endorsed_bill_id,
        payment.bill_number,
        payment.bill_maturity,
    ) == ("endorsed_bill", D("1500.00"), bill.pk, "BA-2026-77", days(60))
    assert payment.journal_entry.source_type == "purchasing.supplier_payment"
    assert payment.journal_entry.source_id == payment.pk
    clearing = BillClearing.objects.get(payment=bill)
    assert (clearing.kind, clearing.endorsee_id, clearing.endorsement_reference) == (
        ClearingKind.ENDORSED,
        supplier.pk,
        payment.number,
    )
    assert clearing.journal_entry_id == payment.journal_entry_id
    assert payable_balance(supplier) == D("-1500.00")
    assert payables_problems(org) == []
    assert finance_problems(org) == []


def test_the_bill_settles_the_oldest_invoices_first(org, boss, supplier):
    # given
    older = hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("600.00"), date=days(-30))
    newer = hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("700.00"), date=days(-10))
    bill = received_bill(org, boss, amount="1000.00")

    # when
    payment, _created = pay(org, boss, supplier, bill, auto_allocate=True)

    # then
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.amount_paid, newer.amount_paid) == (D("600.00"), D("400.00"))
    assert (payment.amount_allocated, payment.unallocated) == (D("1000.00"), D("0.00"))
    assert payables_problems(org) == []


def test_the_bill_is_allocated_by_hand(org, boss, supplier):
    older = hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("600.00"))
    newer = hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("700.00"))
    bill = received_bill(org, boss, amount="1000.00")

    payment, _created = pay(
        org,
        boss,
        supplier,
        bill,
        allocations=[services.SupplierAllocationPart(invoice_id=newer.pk, amount=D("700.00"))],
    )

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.amount_paid, newer.amount_paid) == (D("0.00"), D("700.00"))
    assert payment.unallocated == D("300.00")


def test_a_repeated_idempotency_key_returns_the_first_payment_and_writes_nothing(
    org, boss, supplier
):
    bill = received_bill(org, boss)
    first, created = pay(org, boss, supplier, bill, idempotency_key="bill-1")
    entries = JournalEntry.objects.count()

    again, created_again = pay(org, boss, supplier, bill, idempotency_key="bill-1")

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert (SupplierPayment.objects.count(), JournalEntry.objects.count()) == (1, entries)


def test_the_customers_exposure_counts_the_endorsed_bill_until_maturity(org, boss, supplier):
    bill = received_bill(org, boss, amount="800.00")

    pay(org, boss, supplier, bill)

    assert credit_exposure(bill.customer).bills_not_cleared == D("800.00")


def _refused(org, boss, supplier, bill, code, **overrides):
    payments = SupplierPayment.objects.count()
    entries = JournalEntry.objects.count()
    clearings = BillClearing.objects.count()
    with pytest.raises(BusinessRuleViolation) as refused:
        pay(org, boss, supplier, bill, **overrides)
    assert refused.value.code == code
    assert (
        SupplierPayment.objects.count(),
        JournalEntry.objects.count(),
        BillClearing.objects.count(),
    ) == (payments, entries, clearings)


def test_a_bill_past_maturity_is_refused(org, boss, supplier):
    bill = received_bill(org, boss, received=-60, matures=-1)
    _refused(org, boss, supplier, bill, "bill_past_maturity")


def test_a_cleared_bill_is_refused(org, boss, supplier):
    bill = received_bill(org, boss, received=-60, matures=-1)
    clear_bill(org=org, actor=boss, payment=bill, kind=ClearingKind.MATURED, date=TODAY)
    _refused(org, boss, supplier, bill, "bill_already_cleared")


def test_a_bill_already_endorsed_is_refused(org, boss, supplier):
    bill = received_bill(org, boss)
    pay(org, boss, supplier, bill)
    _refused(org, boss, SupplierFactory(code="S-OTHER"), bill, "bill_endorsed")


def test_a_payment_that_is_not_a_bill_is_refused(org, boss, supplier):
    transfer, _created = receive_payment(
        org=org,
        actor=boss,
        data=PaymentData(CustomerFactory(org=org).pk, TODAY, D("50.00"), "bank_transfer"),
    )
    _refused(org, boss, supplier, transfer, "not_a_bill")


def test_a_part_of_a_bill_is_refused(org, boss, supplier):
    bill = received_bill(org, boss, amount="1000.00")
    _refused(org, boss, supplier, bill, "bill_not_split", amount=D("600.00"))


def test_a_future_date_is_refused(org, boss, supplier):
    bill = received_bill(org, boss)
    _refused(org, boss, supplier, bill, "future_date", date=days(1))


def test_another_organizations_bill_is_refused(org, boss, supplier, other_org):
    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org, role=Role.BOSS)
        foreign = received_bill(other_org, other_boss)
    _refused(org, boss, supplier, foreign, "bill_not_found")
    with org_scope(other_org):
        assert BillClearing.objects.count() == 0


def test_a_customer_is_not_a_supplier(org, boss):
    bill = received_bill(org, boss)
    _refused(org, boss, CustomerFactory(org=org), bill, "supplier_not_found")


def test_pay_supplier_sends_endorsements_to_their_own_service(org, boss, supplier):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.pay_supplier(
            org=org,
            actor=boss,
            data=services.SupplierPaymentData(
                supplier_id=supplier.pk, date=TODAY, amount=D("10.00"), method="endorsed_bill"
            ),
        )
    assert refused.value.code == "bill_required"
    assert SupplierPayment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.SALES_REP, Role.READONLY])
def test_only_boss_and_finance_pay_with_a_bill(org, boss, member, supplier, role):
    bill = received_bill(org, boss)
    with pytest.raises(PermissionDenied):
        pay(org, member(role), supplier, bill)
    assert (SupplierPayment.objects.count(), BillClearing.objects.count()) == (0, 0)


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_form_offers_endorsable_bills_and_preselects_the_one_asked_for(
    org, boss, login, supplier
):
    # given: a bill that can be endorsed, one past maturity, one already endorsed
    open_bill = received_bill(org, boss, number="BA-OPEN")
    received_bill(org, boss, received=-60, matures=-1, number="BA-OLD")
    pay(org, boss, SupplierFactory(code="S-2"), received_bill(org, boss, number="BA-GONE"))

    # when
    response = login(boss).get(
        reverse("purchasing-payment-create") + f"?method=endorsed_bill&bill={open_bill.pk}"
    )

    # then
    page = response.content.decode()
    assert response.status_code == 200
    choices = [label for _value, label in response.context["form"].fields["bill"].choices]
    assert [label.split(" · ")[0] for label in choices[1:]] == ["BA-OPEN"]
    assert f'<option value="{open_bill.pk}" selected>' in page
    assert '<option value="endorsed_bill" selected>' in page


def test_the_form_pays_with_the_bill_and_the_page_shows_it(org, boss, finance, login, supplier):
    # given
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("400.00"))
    bill = received_bill(org, boss, amount="1000.00", number="BA-FORM")
    client = login(finance)

    # when: the amount stays empty; the bill's face value is paid
    response = client.post(
        reverse("purchasing-payment-create"),
        {
            "supplier": supplier.pk,
            "date": TODAY.isoformat(),
            "method": "endorsed_bill",
            "bill": bill.pk,
            "allocate": "on",
            "idempotency_key": "form-bill-1",
        },
    )

    # then
    payment = SupplierPayment.objects.get()
    assert response.url == reverse("purchasing-payment-detail", args=[payment.pk])
    assert (payment.amount, payment.amount_allocated) == (D("1000.00"), D("400.00"))
    page = client.get(response.url).content.decode()
    assert reverse("finance-bill-detail", args=[bill.pk]) in page
    assert "We stay liable by recourse until the bill matures" in page
    bills_page = client.get(reverse("finance-bill-list")).content.decode()
    assert reverse("purchasing-payment-detail", args=[payment.pk]) in bills_page


def test_the_form_asks_for_the_bill_or_the_amount(org, boss, login, supplier):
    client = login(boss)
    base = {"supplier": supplier.pk, "date": TODAY.isoformat()}

    no_bill = client.post(reverse("purchasing-payment-create"), base | {"method": "endorsed_bill"})
    no_amount = client.post(reverse("purchasing-payment-create"), base | {"method": "cash"})

    assert "Choose the customer&#x27;s bill to endorse." in no_bill.content.decode()
    assert no_amount.context["form"].errors["amount"] == ["This field is required."]
    assert SupplierPayment.objects.count() == 0


def test_a_refusal_shows_on_the_form_and_writes_nothing(org, boss, login, supplier):
    bill = received_bill(org, boss, amount="1000.00")

    response = login(boss).post(
        reverse("purchasing-payment-create"),
        {
            "supplier": supplier.pk,
            "date": TODAY.isoformat(),
            "method": "endorsed_bill",
            "bill": bill.pk,
            "amount": "999.00",
        },
    )

    assert response.status_code == 200
    assert "A bill is endorsed whole" in response.content.decode()
    assert (SupplierPayment.objects.count(), BillClearing.objects.count()) == (0, 0)


def test_the_prepayment_form_offers_an_endorsed_bill(org):
    # a prepayment may be paid by endorsing a customer's bill (test_prepay_with_bill.py)
    assert "endorsed_bill" in dict(PrepaymentForm().fields["method"].choices)


# ---------------------------------------------------------------------------------------------
# API


@pytest.fixture
def api(client, org):
    def make(membership):
        _token, raw = issue_api_token(org=org, actor=membership, name="test")

        def request(method, path, body=None, **extra):
            return client.generic(
                method,
                f"/api/v1{path}",
                "" if body is None else json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
                **extra,
            )

        return request

    return make


def test_the_api_pays_with_a_bill_once(api, org, boss, supplier):
    hand_invoice(org=org, actor=boss, supplier=supplier, amount=D("300.00"))
    bill = received_bill(org, boss, amount="1000.00")
    call = api(boss)
    body = {
        "supplier_id": supplier.pk,
        "date": TODAY.isoformat(),
        "method": "endorsed_bill",
        "bill_id": bill.pk,
        "auto_allocate": True,
    }

    first = call("POST", "/supplier-payments", body, HTTP_IDEMPOTENCY_KEY="api-bill-1")
    again = call("POST", "/supplier-payments", body, HTTP_IDEMPOTENCY_KEY="api-bill-1")

    assert (first.status_code, again.status_code) == (201, 200)
    created = first.json()
    assert (created["id"], created["method"], created["amount"], created["unallocated"]) == (
        again.json()["id"],
        "endorsed_bill",
        "1000.00",
        "700.00",
    )
    assert created["endorsed_bill_id"] == bill.pk
    assert SupplierPayment.objects.count() == 1


def test_the_api_refuses_an_endorsement_without_a_bill(api, org, boss, supplier):
    body = {"supplier_id": supplier.pk, "date": TODAY.isoformat(), "method": "endorsed_bill"}

    response = api(boss)("POST", "/supplier-payments", body)

    assert (response.status_code, response.json()["code"]) == (409, "bill_required")
    assert SupplierPayment.objects.count() == 0


def test_the_api_refuses_part_of_a_bill(api, org, boss, supplier):
    bill = received_bill(org, boss, amount="1000.00")
    body = {
        "supplier_id": supplier.pk,
        "date": TODAY.isoformat(),
        "method": "endorsed_bill",
        "bill_id": bill.pk,
        "amount": "10.00",
    }

    response = api(boss)("POST", "/supplier-payments", body)

    assert (response.status_code, response.json()["code"]) == (409, "bill_not_split")
    assert (SupplierPayment.objects.count(), BillClearing.objects.count()) == (0, 0)


def test_the_api_refuses_another_organizations_bill(api, org, boss, supplier, other_org):
    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org, role=Role.BOSS)
        foreign = received_bill(other_org, other_boss)

    response = api(boss)(
        "POST",
        "/supplier-payments",
        {
            "supplier_id": supplier.pk,
            "date": TODAY.isoformat(),
            "method": "endorsed_bill",
            "bill_id": foreign.pk,
        },
    )

    assert (response.status_code, response.json()["code"]) == (409, "bill_not_found")
    assert SupplierPayment.objects.count() == 0


def test_the_api_refuses_a_role_that_may_not_pay(api, org, boss, member, supplier):
    bill = received_bill(org, boss)

    response = api(member(Role.WAREHOUSE))(
        "POST",
        "/supplier-payments",
        {
            "supplier_id": supplier.pk,
            "date": TODAY.isoformat(),
            "method": "endorsed_bill",
            "bill_id": bill.pk,
        },
    )

    assert response.status_code == 403
    assert BillClearing.objects.count() == 0


def test_the_api_still_requires_an_amount_for_other_methods(api, org, boss, supplier):
    response = api(boss)(
        "POST",
        "/supplier-payments",
        {"supplier_id": supplier.pk, "date": TODAY.isoformat(), "method": "cash"},
    )

    assert (response.status_code, response.json()["code"]) == (409, "invalid_amount")
    assert SupplierPayment.objects.count() == 0
