"""The boss moves the customers of one sales rep to another in one act."""

from __future__ import annotations

import pytest

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties.models import Party, ReassignedParty
from qudao.parties.selectors import timeline
from qudao.parties.services import reassign_customers
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role


@pytest.fixture
def leaving(member):
    return member(Role.SALES_REP)


@pytest.fixture
def taking_over(member):
    return member(Role.SALES_REP)


def owners() -> dict[str, int | None]:
    return dict(Party.objects.values_list("code", "owner_id"))


def test_all_customers_move_in_one_act_with_one_event_on_each_timeline(
    org, boss, leaving, taking_over, rep, django_assert_max_num_queries
):
    # given
    moving = CustomerFactory.create_batch(30, org=org, owner=leaving)
    staying = CustomerFactory(org=org, owner=rep)

    # when
    with django_assert_max_num_queries(12):  # set-based: no query per customer
        reassignment = reassign_customers(
            org=org, actor=boss, from_owner=leaving, to_owner=taking_over, reason="离职交接"
        )

    # then
    assert reassignment.count == 30
    assert set(Party.objects.filter(owner=taking_over).values_list("pk", flat=True)) == {
        p.pk for p in moving
    }
    staying.refresh_from_db()
    assert staying.owner_id == rep.pk
    event = Event.objects.get(verb="customers_reassigned")
    assert (event.subject_type, event.subject_id, event.reason) == (
        "parties.reassignment",
        reassignment.pk,
        "离职交接",
    )
    assert event.data["count"] == 30
    assert [e.pk for e in timeline(moving[0])] == [event.pk]
    assert [e.pk for e in timeline(moving[29])] == [event.pk]
    assert list(timeline(staying)) == []


def test_only_the_selected_customers_move(org, boss, leaving, taking_over):
    # given
    first, second, third = CustomerFactory.create_batch(3, org=org, owner=leaving)

    # when
    reassign_customers(
        org=org,
        actor=boss,
        from_owner=leaving,
        to_owner=taking_over,
        party_ids=[first.pk, third.pk],
    )

    # then
    assert owners() == {
        first.code: taking_over.pk,
        second.code: leaving.pk,
        third.code: taking_over.pk,
    }
    assert ReassignedParty.objects.count() == 2


def test_a_selected_customer_of_someone_else_refuses_the_whole_move(
    org, boss, leaving, taking_over, rep
):
    # given
    mine = CustomerFactory(org=org, owner=leaving)
    theirs = CustomerFactory(org=org, owner=rep)
    before = owners()

    # when
    with pytest.raises(BusinessRuleViolation) as refused:
        reassign_customers(
            org=org,
            actor=boss,
            from_owner=leaving,
            to_owner=taking_over,
            party_ids=[mine.pk, theirs.pk],
        )

    # then
    assert refused.value.code == "not_owned"
    assert owners() == before
    assert Event.objects.filter(verb="customers_reassigned").count() == 0


def test_a_sales_rep_cannot_reassign(org, rep, leaving, taking_over):
    # given
    CustomerFactory(org=org, owner=leaving)
    before = owners()

    # when
    with pytest.raises(PermissionDenied):
        reassign_customers(org=org, actor=rep, from_owner=leaving, to_owner=taking_over)

    # then
    assert owners() == before


def test_moving_to_the_same_rep_or_a_non_rep_is_refused(org, boss, leaving):
    # given
    CustomerFactory(org=org, owner=leaving)

    # when
    with pytest.raises(BusinessRuleViolation) as same:
        reassign_customers(org=org, actor=boss, from_owner=leaving, to_owner=leaving)
    with pytest.raises(BusinessRuleViolation) as not_a_rep:
        reassign_customers(org=org, actor=boss, from_owner=leaving, to_owner=boss)

    # then
    assert (same.value.code, not_a_rep.value.code) == ("same_owner", "unknown_owner")


def test_a_rep_without_customers_has_nothing_to_move(org, boss, leaving, taking_over):
    with pytest.raises(BusinessRuleViolation) as refused:
        reassign_customers(org=org, actor=boss, from_owner=leaving, to_owner=taking_over)
    assert refused.value.code == "nothing_to_move"
    assert Event.objects.count() == 0
