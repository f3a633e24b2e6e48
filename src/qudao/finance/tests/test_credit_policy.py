"""Credit policy at order time: modes, what happens when exceeded, raises, overrides,
permissions, organizations; every refusal leaves nothing behind."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.finance.credit import can_confirm, due_date_for, policy_of
from qudao.finance.models import CreditCommitment, CreditGroupPolicy, TemporaryCreditRaise
from qudao.finance.services import (
    PolicyData,
    follow_group_policy,
    grant_temporary_raise,
    override_credit,
    record_open_order,
    release_open_order,
    reserve_credit,
    revoke_temporary_raise,
    set_credit_policy,
    set_group_policy,
)
from qudao.finance.tests.credit_helpers import give_policy
from qudao.finance.tests.factories import payment, posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory

D = Decimal


@pytest.fixture
def finance(member):
    return member(Role.FINANCE)


@pytest.fixture
def customer(org):
    return CustomerFactory(org=org, name="好邻居便利店")


def test_an_order_within_the_limit_is_reserved_and_counted(org, boss, customer):
    # given
    give_policy(org=org, actor=boss, customer=customer, credit_limit="1000.00")

    # when
    decision = reserve_credit(org=org, customer=customer, amount=D("600.00"), reference="so:1")

    # then
    assert (decision.allowed, decision.available, decision.exposure_after) == (
        True,
        D("1000.00"),
        D("600.00"),
    )
    row = CreditCommitment.objects.get()
    assert (row.reference, row.stage, row.amount) == ("so:1", "confirmed", D("600.00"))


def test_over_the_limit_is_refused_naming_the_numbers_and_nothing_changes(org, boss, customer):
    # given
    give_policy(org=org, actor=boss, customer=customer, credit_limit="1000.00")
    reserve_credit(org=org, customer=customer, amount=D("600.00"), reference="so:1")
    events = Event.objects.count()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_credit(org=org, customer=customer, amount=D("500.00"), reference="so:2")

    # then
    assert refused.value.code == "credit_limit_exceeded"
    assert refused.value.message == (
        "The credit limit of 好邻居便利店 would be exceeded: limit 1000.00, already used "
        "600.00, this order 500.00, available 400.00."
    )
    assert list(CreditCommitment.objects.values_list("reference", flat=True)) == ["so:1"]
    assert Event.objects.count() == events


def test_reserving_the_same_reference_again_replaces_its_amount(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, credit_limit="1000.00")
    reserve_credit(org=org, customer=customer, amount=D("600.00"), reference="so:1")

    reserve_credit(org=org, customer=customer, amount=D("900.00"), reference="so:1")

    assert list(CreditCommitment.objects.values_list("amount", flat=True)) == [D("900.00")]


def test_warn_lets_the_order_pass_with_the_warning(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00", on_exceeded="warn")

    decision = reserve_credit(org=org, customer=customer, amount=D("150.00"), reference="so:1")

    assert (decision.allowed, decision.code) == (True, "")
    assert decision.warnings == (
        "The credit limit of 好邻居便利店 would be exceeded: limit 100.00, already used 0.00, "
        "this order 150.00, available 100.00.",
    )
    assert CreditCommitment.objects.get().amount == D("150.00")


def test_require_approval_refuses_until_a_credit_manager_overrides(org, boss, customer, finance):
    # given
    give_policy(
        org=org, actor=boss, customer=customer, credit_limit="100.00", on_exceeded="approve"
    )

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_credit(org=org, customer=customer, amount=D("150.00"), reference="so:1")
    assert refused.value.code == "approval_required"
    assert CreditCommitment.objects.count() == 0
    decision = override_credit(
        org=org,
        actor=finance,
        customer=customer,
        amount=D("150.00"),
        reference="so:1",
        reason="老客户，月底回款",
    )

    # then
    assert decision.code == "approval_required"
    row = CreditCommitment.objects.get()
    assert (row.amount, row.overridden_by) == (D("150.00"), finance)
    event = Event.objects.get(verb="credit_overridden")
    assert (event.reason, event.actor, event.data["refusal"], event.data["exposure"]) == (
        "老客户，月底回款",
        finance,
        "approval_required",
        "0.00",
    )


def test_override_needs_the_credit_role_and_a_reason(org, boss, rep, customer):
    give_policy(org=org, actor=boss, customer=customer, credit_limit="0.00")

    with pytest.raises(PermissionDenied):
        override_credit(
            org=org, actor=rep, customer=customer, amount=D("1.00"), reference="x", reason="r"
        )
    with pytest.raises(BusinessRuleViolation) as refused:
        override_credit(
            org=org, actor=boss, customer=customer, amount=D("1.00"), reference="x", reason=" "
        )

    assert refused.value.code == "reason_required"
    assert CreditCommitment.objects.count() == 0


def test_prepay_only_needs_the_order_covered_by_unallocated_prepayments(org, boss, customer):
    # given a prepay customer who paid 300 in advance
    give_policy(org=org, actor=boss, customer=customer, mode="prepay", credit_limit="5000.00")
    payment(org=org, actor=boss, customer=customer, amount=D("300.00"))

    # when / then: 300 fits, 300.01 more does not
    assert reserve_credit(org=org, customer=customer, amount=D("300.00"), reference="a").allowed
    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_credit(org=org, customer=customer, amount=D("0.01"), reference="b")
    assert refused.value.code == "prepay_only"
    assert "needs 0.01 more prepaid" in refused.value.message


def test_prepay_only_ignores_warn(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, mode="prepay", on_exceeded="warn")

    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_credit(org=org, customer=customer, amount=D("10.00"), reference="a")

    assert refused.value.code == "prepay_only"


def test_grade_c_means_prepay_only_whatever_the_mode(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, credit_limit="5000.00", grade="C")

    decision = can_confirm(customer=customer, amount=D("10.00"))

    assert (decision.allowed, decision.code, decision.mode) == (False, "prepay_only", "prepay")


def test_cash_on_delivery_ignores_the_limit_but_not_overdue(org, boss, customer):
    # given
    give_policy(org=org, actor=boss, customer=customer, mode="cod", credit_limit="0.00")

    # then: no limit applies
    assert can_confirm(customer=customer, amount=D("9999.00")).allowed
    # an overdue invoice blocks (the factory's invoice of 2026-01-10 is due the same day)
    posted_invoice(org=org, actor=boss, customer=customer)
    decision = can_confirm(customer=customer, amount=D("1.00"))
    assert (decision.allowed, decision.code) == (False, "overdue_blocked")


def test_consignment_is_held_to_the_limit(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, mode="consignment", credit_limit="50.00")

    assert can_confirm(customer=customer, amount=D("50.00")).allowed
    assert can_confirm(customer=customer, amount=D("50.01")).code == "credit_limit_exceeded"


def test_overdue_beyond_tolerance_blocks_and_names_it(org, boss, customer):
    # given 100 overdue since 2026-01-10, tolerance 50
    today = timezone.localdate()
    give_policy(
        org=org,
        actor=boss,
        customer=customer,
        credit_limit="10000.00",
        overdue_tolerance_amount=D("50.00"),
    )
    posted_invoice(org=org, actor=boss, customer=customer)

    # when
    decision = can_confirm(customer=customer, amount=D("1.00"), today=today)

    # then
    assert (decision.code, decision.overdue_beyond_tolerance) == ("overdue_blocked", D("100.00"))
    assert decision.message == (
        "好邻居便利店 has 100.00 overdue by more than 0 days, above the tolerated 50.00."
    )


def test_overdue_within_the_tolerated_days_passes(org, boss, customer):
    today = timezone.localdate()
    give_policy(
        org=org, actor=boss, customer=customer, credit_limit="1000.00", overdue_tolerance_days=10
    )
    posted_invoice(org=org, actor=boss, customer=customer, date=today - datetime.timedelta(days=10))

    decision = can_confirm(customer=customer, amount=D("1.00"), today=today)

    assert (decision.allowed, decision.overdue, decision.overdue_beyond_tolerance) == (
        True,
        D("100.00"),
        D("0.00"),
    )


def test_a_temporary_raise_counts_only_until_it_expires(org, boss, customer):
    # given
    today = timezone.localdate()
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")
    grant_temporary_raise(
        org=org,
        actor=boss,
        customer=customer,
        amount=D("400.00"),
        starts_on=today,
        expires_on=today + datetime.timedelta(days=7),
        reason="中秋备货",
    )

    # then
    assert can_confirm(customer=customer, amount=D("500.00"), today=today).allowed
    last_day = today + datetime.timedelta(days=7)
    assert can_confirm(customer=customer, amount=D("500.00"), today=last_day).allowed
    after = can_confirm(
        customer=customer, amount=D("500.00"), today=last_day + datetime.timedelta(days=1)
    )
    assert (after.allowed, after.temporary_raise, after.code) == (
        False,
        D("0.00"),
        "credit_limit_exceeded",
    )


def test_a_revoked_raise_no_longer_counts(org, boss, customer):
    today = timezone.localdate()
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")
    granted = grant_temporary_raise(
        org=org,
        actor=boss,
        customer=customer,
        amount=D("400.00"),
        starts_on=today,
        expires_on=today,
        reason="展会",
    )

    revoke_temporary_raise(org=org, actor=boss, credit_raise=granted)

    assert can_confirm(customer=customer, amount=D("500.00")).temporary_raise == D("0.00")
    assert Event.objects.filter(verb="credit_raise_revoked").count() == 1


def test_a_raise_needs_a_reason_and_sane_dates(org, boss, customer):
    today = timezone.localdate()
    with pytest.raises(BusinessRuleViolation) as refused:
        grant_temporary_raise(
            org=org,
            actor=boss,
            customer=customer,
            amount=D("1.00"),
            starts_on=today,
            expires_on=today - datetime.timedelta(days=1),
            reason="",
        )
    assert refused.value.code == "invalid_raise"
    assert set(refused.value.fields) == {"expires_on", "reason"}
    assert TemporaryCreditRaise.objects.count() == 0


def test_only_finance_and_boss_change_credit(org, member, customer):
    for role in (Role.SALES_REP, Role.WAREHOUSE, Role.READONLY, Role.AFTERSALES):
        with pytest.raises(PermissionDenied):
            set_credit_policy(
                org=org, actor=member(role), customer=customer, data=PolicyData(mode="credit")
            )
        with pytest.raises(PermissionDenied):
            set_group_policy(
                org=org, actor=member(role), tier="A", customer_type="", data=PolicyData()
            )
    for role in (Role.FINANCE, Role.BOSS):
        set_credit_policy(
            org=org,
            actor=member(role),
            customer=customer,
            data=PolicyData(credit_limit=D("10.00")),
        )
    assert policy_of(customer).credit_limit == D("10.00")
    assert Event.objects.filter(verb="credit_policy_changed").count() == 2


def test_policy_changes_are_audited_with_before_and_after(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, credit_limit="10.00")
    give_policy(org=org, actor=boss, customer=customer, credit_limit="20.00")

    last = Event.objects.filter(verb="credit_policy_changed").order_by("pk").last()

    assert (last.data["before"]["credit_limit"], last.data["after"]["credit_limit"]) == (
        "10.00",
        "20.00",
    )


def test_an_invalid_policy_is_refused_field_by_field(org, boss, customer):
    with pytest.raises(BusinessRuleViolation) as refused:
        set_credit_policy(
            org=org,
            actor=boss,
            customer=customer,
            data=PolicyData(term_kind="fixed_day", due_day=0, credit_limit=D("-1")),
        )
    assert refused.value.code == "invalid_policy"
    assert set(refused.value.fields) == {"due_day", "credit_limit"}
    assert policy_of(customer).source == "none"


def test_group_defaults_apply_most_specific_first(org, boss):
    # given
    retailer_a = CustomerFactory(org=org, tier="A", customer_type="retailer")
    wholesaler_a = CustomerFactory(org=org, tier="A", customer_type="wholesaler")
    retailer_b = CustomerFactory(org=org, tier="B", customer_type="retailer")
    other = CustomerFactory(org=org, tier="C", customer_type="chain_store")
    set_group_policy(
        org=org, actor=boss, tier="", customer_type="", data=PolicyData(credit_limit=D("1.00"))
    )
    set_group_policy(
        org=org, actor=boss, tier="A", customer_type="", data=PolicyData(credit_limit=D("2.00"))
    )
    set_group_policy(
        org=org,
        actor=boss,
        tier="",
        customer_type="retailer",
        data=PolicyData(credit_limit=D("3.00")),
    )
    set_group_policy(
        org=org,
        actor=boss,
        tier="A",
        customer_type="retailer",
        data=PolicyData(credit_limit=D("4.00")),
    )

    # then
    limits = [policy_of(c).credit_limit for c in (retailer_a, wholesaler_a, retailer_b, other)]
    assert limits == [D("4.00"), D("2.00"), D("3.00"), D("1.00")]
    assert policy_of(other).source == "group"
    assert CreditGroupPolicy.objects.count() == 4


def test_a_customers_own_policy_wins_over_its_group_until_dropped(org, boss):
    customer = CustomerFactory(org=org, tier="A")
    set_group_policy(
        org=org, actor=boss, tier="A", customer_type="", data=PolicyData(credit_limit=D("2.00"))
    )
    give_policy(org=org, actor=boss, customer=customer, credit_limit="9.00")
    assert (policy_of(customer).source, policy_of(customer).credit_limit) == ("customer", D("9.00"))

    follow_group_policy(org=org, actor=boss, customer=customer)

    assert (policy_of(customer).source, policy_of(customer).credit_limit) == ("group", D("2.00"))


def test_without_any_policy_no_credit_is_given(org, customer):
    decision = can_confirm(customer=customer, amount=D("0.01"))

    assert (decision.allowed, decision.code, decision.policy_source) == (
        False,
        "credit_limit_exceeded",
        "none",
    )


def test_open_orders_move_between_stages_and_are_released(org, boss, customer):
    give_policy(org=org, actor=boss, customer=customer, credit_limit="1000.00")
    reserve_credit(org=org, customer=customer, amount=D("600.00"), reference="so:1")

    record_open_order(
        org=org, customer=customer, reference="so:1", stage="confirmed", amount=D("200.00")
    )
    record_open_order(
        org=org, customer=customer, reference="so:1", stage="shipped", amount=D("400.00")
    )
    exposure = can_confirm(customer=customer, amount=D("0")).exposure
    assert (exposure.confirmed_orders, exposure.shipped_not_invoiced) == (D("200.00"), D("400.00"))

    assert release_open_order(org=org, reference="so:1") == D("600.00")
    assert CreditCommitment.objects.count() == 0


def test_another_organizations_customer_cannot_be_reserved_or_seen(org, boss, other_org):
    with org_scope(other_org):
        stranger = CustomerFactory(org=other_org)
        their_boss = MembershipFactory(org=other_org, role=Role.BOSS)
        give_policy(org=other_org, actor=their_boss, customer=stranger, credit_limit="999.00")

    with pytest.raises(BusinessRuleViolation) as refused:
        reserve_credit(org=org, customer=stranger, amount=D("1.00"), reference="x")

    assert refused.value.code == "not_a_customer"
    assert CreditCommitment.objects.count() == 0
    assert policy_of(CustomerFactory(org=org)).source == "none"


@pytest.mark.parametrize(
    ("kind", "days", "due_day", "invoice_date", "due"),
    [
        ("net", 30, 0, datetime.date(2026, 1, 10), datetime.date(2026, 2, 9)),
        ("month_end", 15, 0, datetime.date(2026, 1, 10), datetime.date(2026, 2, 15)),
        ("month_end", 15, 0, datetime.date(2026, 2, 27), datetime.date(2026, 3, 15)),
        ("fixed_day", 0, 10, datetime.date(2026, 1, 10), datetime.date(2026, 2, 10)),
        ("fixed_day", 0, 10, datetime.date(2026, 12, 31), datetime.date(2027, 1, 10)),
        ("fixed_day", 0, 31, datetime.date(2026, 1, 5), datetime.date(2026, 2, 28)),
    ],
)
def test_posting_an_invoice_takes_its_due_date_from_the_term_kind(
    org, boss, customer, kind, days, due_day, invoice_date, due
):
    give_policy(
        org=org,
        actor=boss,
        customer=customer,
        term_kind=kind,
        payment_term_days=days,
        due_day=due_day,
    )

    invoice = posted_invoice(org=org, actor=boss, customer=customer, date=invoice_date)

    assert (invoice.due_date, invoice.payment_term_days) == (due, (due - invoice_date).days)
    assert due_date_for(policy_of(customer), invoice_date) == due


def test_group_terms_give_the_due_date_when_the_customer_has_none(org, boss):
    customer = CustomerFactory(org=org, tier="B")
    set_group_policy(
        org=org, actor=boss, tier="B", customer_type="", data=PolicyData(payment_term_days=45)
    )

    invoice = posted_invoice(org=org, actor=boss, customer=customer)

    assert invoice.due_date == datetime.date(2026, 2, 24)
