"""Endorsing a received acceptance bill to a supplier (背书转让), seen from finance: the postings,
the credit exposure before and after maturity (recourse), the refusals that write nothing,
the bills receivable pages and who may endorse."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.catalog.tests.factories import SupplierFactory
from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.bills import bills_received, uncleared_bills
from qudao.finance.credit import credit_exposure
from qudao.finance.integrity import find_problems
from qudao.finance.models import BillClearing, ClearingKind, JournalEntry, JournalLine
from qudao.finance.services import PaymentData, clear_bill, receive_payment
from qudao.finance.services.bills import endorse_bill
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory

D = Decimal
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def bill(org, actor, customer, amount="1000.00", received=-5, matures=60, number="BA-1"):
    payment, _created = receive_payment(
        org=org,
        actor=actor,
        data=PaymentData(
            customer_id=customer.pk,
            date=days(received),
            amount=D(amount),
            method="acceptance_bill",
            bill_number=number,
            bill_maturity=days(matures),
        ),
    )
    return payment


def endorse(org, actor, paid, supplier, date=TODAY, reference="SP-TEST-1"):
    return endorse_bill(
        org=org, actor=actor, bill=paid, endorsee=supplier, date=date, reference=reference
    )


def lines(entry):
    return sorted(
        (line.account.code, line.debit, line.credit, line.party_id)
        for line in JournalLine.objects.filter(entry=entry).select_related("account")
    )


def test_endorsing_moves_the_face_amount_from_bills_receivable_to_the_suppliers_payable(org, boss):
    # given
    customer = CustomerFactory(org=org)
    supplier = SupplierFactory(code="S-1", name="青岛啤酒")
    paid = bill(org, boss, customer, amount="2500.00")

    # when
    clearing = endorse(org, boss, paid, supplier, reference="SP2026-000007")

    # then
    assert lines(clearing.journal_entry) == [
        ("1121", D("0.00"), D("2500.00"), None),
        ("2202", D("2500.00"), D("0.00"), supplier.pk),
    ]
    assert (
        clearing.kind,
        clearing.face_amount,
        clearing.proceeds,
        clearing.discount_interest,
        clearing.endorsee_id,
        clearing.endorsement_reference,
    ) == (ClearingKind.ENDORSED, D("2500.00"), D("0.00"), D("0.00"), supplier.pk, "SP2026-000007")
    assert list(uncleared_bills()) == []
    assert Event.objects.filter(verb="bill_endorsed").count() == 1
    assert find_problems(org) == []


def test_an_endorsed_bill_counts_in_the_exposure_until_its_maturity(org, boss):
    # given: one bill endorsed before it matures, one endorsed earlier and now past maturity
    customer = CustomerFactory(org=org)
    supplier = SupplierFactory(code="S-1")
    not_yet_mature = bill(org, boss, customer, amount="1000.00", matures=30, number="BA-LATE")
    matured = bill(org, boss, customer, amount="400.00", received=-40, matures=-1, number="BA-DONE")
    assert credit_exposure(customer).bills_not_cleared == D("1400.00")

    # when
    endorse(org, boss, not_yet_mature, supplier)
    endorse(org, boss, matured, supplier, date=days(-20))

    # then: we keep recourse on the first until it matures; the second's recourse has ended
    assert credit_exposure(customer).bills_not_cleared == D("1000.00")


def test_an_endorsed_bill_maturing_today_still_counts(org, boss):
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, amount="300.00", received=-30, matures=0)

    endorse(org, boss, paid, SupplierFactory(code="S-1"))

    assert credit_exposure(customer).bills_not_cleared == D("300.00")


@pytest.mark.parametrize(
    ("received", "matures", "date", "code"),
    [
        (-40, -10, 0, "bill_past_maturity"),
        (-5, 60, 1, "future_date"),
        (-5, 60, -6, "before_receipt"),
    ],
)
def test_refused_endorsements_write_nothing(org, boss, received, matures, date, code):
    # given
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer, received=received, matures=matures)
    entries = JournalEntry.objects.count()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        endorse(org, boss, paid, SupplierFactory(code="S-1"), date=days(date))

    # then
    assert refused.value.code == code
    assert (BillClearing.objects.count(), JournalEntry.objects.count()) == (0, entries)


def test_a_bill_is_endorsed_once_and_never_after_it_was_cleared(org, boss):
    customer = CustomerFactory(org=org)
    supplier = SupplierFactory(code="S-1")
    endorsed = bill(org, boss, customer, number="BA-E")
    cleared = bill(org, boss, customer, received=-40, matures=-10, number="BA-C")
    clear_bill(org=org, actor=boss, payment=cleared, kind=ClearingKind.MATURED, date=TODAY)
    endorse(org, boss, endorsed, supplier)
    entries = JournalEntry.objects.count()

    with pytest.raises(BusinessRuleViolation) as twice:
        endorse(org, boss, endorsed, SupplierFactory(code="S-2"))
    with pytest.raises(BusinessRuleViolation) as after_clearing:
        endorse(org, boss, cleared, supplier, date=days(-20))
    with pytest.raises(BusinessRuleViolation) as cleared_after:
        clear_bill(org=org, actor=boss, payment=endorsed, kind=ClearingKind.MATURED, date=TODAY)

    assert (twice.value.code, after_clearing.value.code, cleared_after.value.code) == (
        "bill_endorsed",
        "bill_already_cleared",
        "bill_endorsed",
    )
    assert (BillClearing.objects.count(), JournalEntry.objects.count()) == (2, entries)


def test_only_bills_are_endorsed_and_only_to_suppliers(org, boss):
    customer = CustomerFactory(org=org)
    transfer, _created = receive_payment(
        org=org, actor=boss, data=PaymentData(customer.pk, TODAY, D("5.00"), "bank_transfer")
    )
    paid = bill(org, boss, customer)

    with pytest.raises(BusinessRuleViolation) as not_a_bill:
        endorse(org, boss, transfer, SupplierFactory(code="S-1"))
    with pytest.raises(BusinessRuleViolation) as not_a_supplier:
        endorse(org, boss, paid, CustomerFactory(org=org))

    assert (not_a_bill.value.code, not_a_supplier.value.code) == (
        "not_a_bill",
        "supplier_not_found",
    )
    assert BillClearing.objects.count() == 0


def test_another_organizations_bill_is_not_found(org, boss, other_org):
    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org, role=Role.BOSS)
        foreign = bill(other_org, other_boss, CustomerFactory(org=other_org))

    with pytest.raises(BusinessRuleViolation) as refused:
        endorse(org, boss, foreign, SupplierFactory(code="S-1"))

    assert refused.value.code == "bill_not_found"
    with org_scope(other_org):
        assert BillClearing.objects.count() == 0


def test_the_clearing_form_does_not_record_an_endorsement(org, boss, login):
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer)
    with pytest.raises(BusinessRuleViolation) as refused:
        clear_bill(org=org, actor=boss, payment=paid, kind=ClearingKind.ENDORSED, date=TODAY)

    page = login(boss).post(
        reverse("finance-bill-clear", args=[paid.pk]), {"kind": "endorsed", "date": TODAY}
    )

    assert (refused.value.code, page.status_code) == ("invalid_kind", 302)
    assert BillClearing.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.READONLY, Role.WAREHOUSE])
def test_only_who_posts_finance_may_endorse(org, boss, member, role):
    paid = bill(org, boss, CustomerFactory(org=org))

    with pytest.raises(PermissionDenied):
        endorse(org, member(role), paid, SupplierFactory(code="S-1"))

    assert BillClearing.objects.count() == 0


def test_the_bills_page_shows_the_endorsement_with_its_supplier_payment(org, boss, login):
    # given: one endorsed bill, one still open
    customer = CustomerFactory(org=org)
    supplier = SupplierFactory(code="S-1", name="青岛啤酒")
    endorsed = bill(org, boss, customer, number="BA-END")
    open_bill = bill(org, boss, customer, number="BA-OPEN")
    endorse(org, boss, endorsed, supplier, reference="SP2026-000003")

    # when
    page = login(boss).get(reverse("finance-bill-list")).content.decode()
    only_endorsed = login(boss).get(reverse("finance-bill-list") + "?status=endorsed")

    # then
    assert "Endorsed · recourse until maturity" in page
    assert "青岛啤酒" in page and "SP2026-000003" in page
    endorse_url = reverse("purchasing-payment-create") + "?method=endorsed_bill&amp;bill="
    assert f"{endorse_url}{open_bill.pk}" in page
    assert f"{endorse_url}{endorsed.pk}" not in page
    assert [row.bill_number for row in only_endorsed.context["rows"]] == ["BA-END"]


def test_the_bill_page_shows_to_whom_it_was_endorsed(org, boss, login):
    customer = CustomerFactory(org=org)
    paid = bill(org, boss, customer)
    endorse(org, boss, paid, SupplierFactory(code="S-1", name="燕京啤酒"), reference="SP-9")

    response = login(boss).get(reverse("finance-bill-detail", args=[paid.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "燕京啤酒" in page and "SP-9" in page
    assert 'data-testid="recourse-note"' in page
    assert 'data-testid="clear-form"' not in page


@pytest.mark.parametrize(
    ("role", "sees_action"),
    [(Role.BOSS, True), (Role.FINANCE, True), (Role.READONLY, False), (Role.SALES_REP, False)],
)
def test_the_endorse_action_is_offered_to_who_may_pay_suppliers(
    org, boss, member, login, role, sees_action
):
    viewer = member(role)
    paid = bill(org, boss, CustomerFactory(org=org, owner=viewer))

    listing = login(viewer).get(reverse("finance-bill-list"))
    detail = login(viewer).get(reverse("finance-bill-detail", args=[paid.pk]))

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert ('data-testid="endorse-bill"' in listing.content.decode()) == sees_action
    assert ('data-testid="endorse-bill"' in detail.content.decode()) == sees_action


def test_the_bills_list_reads_endorsements_in_a_fixed_number_of_queries(
    org, boss, django_assert_max_num_queries
):
    customer = CustomerFactory(org=org)
    for n in range(5):
        paid = bill(org, boss, customer, number=f"BA-{n}")
        endorse(org, boss, paid, SupplierFactory(code=f"S-{n}"), reference=f"SP-{n}")
    from qudao.finance.bill_views import _with_endorsement

    with django_assert_max_num_queries(1):
        rows = list(_with_endorsement(bills_received(boss)).select_related("customer"))

    assert sorted(row.endorsement_number for row in rows) == [f"SP-{n}" for n in range(5)]
