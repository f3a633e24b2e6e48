"""The collection workbench: due today, this week, overdue with days, promises kept or broken,
and logging a call onto the customer's timeline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.models import PromiseToPay
from qudao.finance.tests.factories import posted_invoice
from qudao.finance.workbench import PromiseState, workbench
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event
from qudao.tenancy.roles import Role

TODAY = timezone.localdate


def day(offset: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=offset)


def due(org, boss, customer, offset, amount="100.00"):
    """Without a credit policy an invoice is due on its date."""
    return posted_invoice(
        org=org, actor=boss, customer=customer, amount=Decimal(amount), date=day(offset)
    )


def test_a_rep_sees_own_invoices_by_when_they_are_due(org, boss, rep):
    # given
    mine = CustomerFactory(org=org, owner=rep)
    theirs = CustomerFactory(org=org)
    today = due(org, boss, mine, 0, "50.00")
    late = due(org, boss, mine, -12, "70.00")
    due(org, boss, theirs, 0, "999.00")
    later = [due(org, boss, mine, n) for n in range(1, 7 - TODAY().weekday())]

    # when
    bench = workbench(rep, today=TODAY())

    # then
    assert [r.invoice.number for r in bench.due_today.rows] == [today.number]
    assert bench.due_today.total == Decimal("50.00")
    assert [(r.invoice.number, r.days_overdue) for r in bench.overdue.rows] == [(late.number, 12)]
    assert [r.invoice.number for r in bench.due_this_week.rows] == [i.number for i in later]


def test_the_boss_sees_all_and_filters_by_rep(org, boss, rep):
    due(org, boss, CustomerFactory(org=org, owner=rep), 0, "10.00")
    due(org, boss, CustomerFactory(org=org), 0, "20.00")

    assert workbench(boss, today=TODAY()).due_today.total == Decimal("30.00")
    assert workbench(boss, today=TODAY(), rep_id=rep.pk).due_today.total == Decimal("10.00")


def test_a_call_with_a_promise_lands_on_the_timeline(org, rep):
    customer = CustomerFactory(org=org, owner=rep)

    promise = services.log_call(
        org=org,
        actor=rep,
        customer=customer,
        note="老板说周五打款",
        promise=services.PromiseData(day(3), Decimal("500.00"), "张老板"),
    )

    event = Event.objects.get(verb="collection_call")
    assert (event.subject_id, event.reason, event.actor) == (customer.pk, "老板说周五打款", rep)
    assert event.data["promise"]["amount"] == "500.00"
    assert (promise.promised_by, promise.recorded_on) == ("张老板", TODAY())


def test_a_promise_is_kept_by_payments_received_by_its_date(org, boss, rep):
    customer = CustomerFactory(org=org, owner=rep)
    services.log_call(
        org=org,
        actor=rep,
        customer=customer,
        note="答应今天付",
        promise=services.PromiseData(TODAY(), Decimal("300.00"), "王会计"),
    )
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(customer.pk, TODAY(), Decimal("300.00"), "wechat"),
    )

    [row] = workbench(rep, today=TODAY()).promises

    assert (row.paid, row.state) == (Decimal("300.00"), PromiseState.KEPT)


def test_a_promise_past_its_date_without_payment_is_broken(org, rep):
    customer = CustomerFactory(org=org, owner=rep)
    services.log_call(
        org=org,
        actor=rep,
        customer=customer,
        note="明天付",
        promise=services.PromiseData(TODAY(), Decimal("80.00"), "李老板"),
    )

    [pending] = workbench(rep, today=TODAY()).promises
    [broken] = workbench(rep, today=day(1)).promises

    assert (pending.state, broken.state) == (PromiseState.PENDING, PromiseState.BROKEN)


@pytest.mark.parametrize(
    ("promise", "code"),
    [
        (services.PromiseData(day(-1), Decimal("10.00"), "甲"), "invalid_promise_date"),
        (services.PromiseData(day(1), Decimal("0"), "甲"), "invalid_amount"),
        (services.PromiseData(day(1), Decimal("10.00"), " "), "promised_by_required"),
    ],
)
def test_a_bad_promise_is_refused_and_nothing_is_written(org, rep, promise, code):
    customer = CustomerFactory(org=org, owner=rep)

    with pytest.raises(BusinessRuleViolation) as refused:
        services.log_call(org=org, actor=rep, customer=customer, note="电话", promise=promise)

    assert refused.value.code == code
    assert (PromiseToPay.objects.count(), Event.objects.filter(verb="collection_call").count()) == (
        0,
        0,
    )


def test_a_rep_cannot_log_a_call_with_another_reps_customer(org, rep):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.log_call(org=org, actor=rep, customer=CustomerFactory(org=org), note="电话")
    assert refused.value.code == "not_your_customer"


def test_the_page_shows_the_sections_and_logs_a_call(org, boss, rep, login):
    customer = CustomerFactory(org=org, owner=rep, name="周记粮油")
    invoice = due(org, boss, customer, -5)
    client = login(rep)

    page = client.get(reverse("finance-collection-workbench"))
    logged = client.post(
        reverse("finance-collection-log-call"),
        {
            "customer": customer.pk,
            "note": "下周一付",
            "promised_on": day(2).isoformat(),
            "amount": "100.00",
            "promised_by": "周老板",
            "next": reverse("finance-collection-workbench"),
        },
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert invoice.number in body and "周记粮油" in body
    assert logged.status_code == 302
    assert PromiseToPay.objects.get().amount == Decimal("100.00")


def test_a_half_promise_on_the_page_is_refused(org, rep, login):
    customer = CustomerFactory(org=org, owner=rep)
    login(rep).post(
        reverse("finance-collection-log-call"),
        {"customer": customer.pk, "note": "电话", "amount": "100.00"},
    )
    assert PromiseToPay.objects.count() == 0
    assert Event.objects.filter(verb="collection_call").count() == 0


@pytest.mark.parametrize("role", [Role.READONLY])
def test_read_only_members_see_the_workbench_but_cannot_log(member, login, role):
    client = login(member(role))
    assert client.get(reverse("finance-collection-workbench")).status_code == 200
    assert client.post(reverse("finance-collection-log-call"), {}).status_code == 403
