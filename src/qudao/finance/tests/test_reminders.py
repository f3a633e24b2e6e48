"""Collection reminders: schedules, templates, and real sends to local SMTP, WeCom and DingTalk
servers; every send logged, never twice for the same invoice and step."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qudao.core.errors import BusinessRuleViolation
from qudao.finance import services
from qudao.finance.models import (
    ReminderChannel,
    ReminderLog,
    ReminderLogItem,
    ReminderSchedule,
    ReminderStatus,
    ReminderStep,
)
from qudao.finance.reminders.planning import due_reminders
from qudao.finance.reminders.rendering import check_template
from qudao.finance.tests.factories import posted_invoice
from qudao.finance.tests.fake_servers import robot_server, smtp_server
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.models import Event

TEMPLATE = "{customer}您好：{count}笔货款合计{total}，最早到期{due_date}。\n{invoices}"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def schedule(org, actor, *steps, tier="", customer_type=""):
    return services.save_reminder_schedule(
        org=org,
        actor=actor,
        tier=tier,
        customer_type=customer_type,
        steps=[
            services.StepData(offset, f"第{offset}天", channel, TEMPLATE)
            for offset, channel in steps
        ],
    )


def reach(org, actor, customer, **fields):
    return services.set_reminder_settings(
        org=org, actor=actor, customer=customer, data=services.ReminderSettingsData(**fields)
    )


def invoice_due(org, actor, customer, due_in_days, amount="100.00"):
    """Without a credit policy the term is 0 days: the invoice is due on its date."""
    return posted_invoice(
        org=org, actor=actor, customer=customer, amount=Decimal(amount), date=days(due_in_days)
    )


def send(org, actor=None):
    return services.send_due_reminders(org=org, actor=actor, today=timezone.localdate())


def test_an_unknown_placeholder_is_refused():
    with pytest.raises(BusinessRuleViolation) as refused:
        check_template("{customer}您好，请付{amount}")
    assert refused.value.code == "invalid_template"
    assert "{amount}" in refused.value.message


def test_the_latest_step_due_within_the_catch_up_window_is_chosen(org, boss):
    # given: steps −3, 0, +7, +30 and invoices at several distances from their due date
    schedule(org, boss, (-3, "email"), (0, "email"), (7, "email"), (30, "email"))
    customer = CustomerFactory(org=org)
    soon = invoice_due(org, boss, customer, 3)
    today = invoice_due(org, boss, customer, 0)
    late = invoice_due(org, boss, customer, -10)  # +7 came 3 days ago: still sent
    forgotten = invoice_due(org, boss, customer, -45)  # +30 came 15 days ago: too late
    invoice_due(org, boss, customer, 5)  # nothing due yet

    # when
    batches = due_reminders(today=timezone.localdate())

    # then
    found = {(b.step.offset_days, tuple(i.number for i in b.invoices)) for b in batches}
    assert found == {(-3, (soon.number,)), (0, (today.number,)), (7, (late.number,))}
    assert forgotten.number not in str(found)


def test_a_tier_schedule_wins_over_the_default(org, boss):
    schedule(org, boss, (0, "email"))
    schedule(org, boss, (-3, "wecom"), tier="A")
    customer = CustomerFactory(org=org, tier="A")
    invoice_due(org, boss, customer, 3)
    invoice_due(org, boss, customer, 0)

    batches = due_reminders(today=timezone.localdate())

    assert [(b.step.offset_days, b.step.channel) for b in batches] == [(-3, "wecom")]


def test_an_email_reminder_goes_through_smtp_and_is_sent_once(org, boss, settings):
    # given
    schedule(org, boss, (0, ReminderChannel.EMAIL))
    customer = CustomerFactory(org=org, name="李记便利店")
    reach(org, boss, customer, email="boss@lijiji.example")
    first = invoice_due(org, boss, customer, 0, "1200.00")
    second = invoice_due(org, boss, customer, 0, "34.50")

    with smtp_server() as (port, inbox):
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        # when
        logs = send(org)
        again = send(org)

    # then
    assert [log.status for log in logs] == [ReminderStatus.SENT]
    assert again == []
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert inbox.envelopes[0][1] == ["boss@lijiji.example"]
    assert message["Subject"] == f"{org.name} · 第0天"
    body = message.get_content().replace("\r\n", "\n")
    assert "李记便利店您好：2笔货款合计¥1,234.50" in body
    assert first.number in body and second.number in body
    log = logs[0]
    assert (log.destination, log.total, log.text) == (
        "boss@lijiji.example",
        Decimal("1234.50"),
        body.strip(),
    )
    assert set(log.items.values_list("invoice_id", flat=True)) == {first.pk, second.pk}
    assert Event.objects.filter(verb="reminder_sent", subject_id=customer.pk).count() == 1


def test_a_wecom_robot_gets_the_text(org, boss):
    schedule(org, boss, (7, ReminderChannel.WECOM))
    customer = CustomerFactory(org=org, name="王家超市")
    invoice = invoice_due(org, boss, customer, -7, "88.00")

    with robot_server() as (base, calls):
        reach(org, boss, customer, wecom_webhook=f"{base}/cgi-bin/webhook/send?key=wecom-key")
        logs = send(org)

    assert [log.status for log in logs] == [ReminderStatus.SENT]
    content = calls.wecom[0]["text"]["content"]
    assert content.startswith("王家超市您好：1笔货款合计¥88.00")
    assert invoice.number in content
    assert logs[0].destination.startswith("127.0.0.1:")  # the key stays out of the log


def test_a_signed_dingtalk_robot_accepts_the_signature(org, boss):
    schedule(org, boss, (-3, ReminderChannel.DINGTALK))
    customer = CustomerFactory(org=org)
    invoice_due(org, boss, customer, 3)

    with robot_server(secret="SEC-123") as (base, calls):
        reach(
            org,
            boss,
            customer,
            dingtalk_webhook=f"{base}/robot/send?access_token=ding-token",
            dingtalk_secret="SEC-123",
        )
        logs = send(org)

    assert ([log.status for log in logs], calls.refused, len(calls.dingtalk)) == (
        [ReminderStatus.SENT],
        [],
        1,
    )


def test_a_refused_send_is_logged_and_retried_on_the_next_run(org, boss):
    # given: the robot's secret on file is wrong
    schedule(org, boss, (0, ReminderChannel.DINGTALK))
    customer = CustomerFactory(org=org)
    invoice_due(org, boss, customer, 0)

    with robot_server(secret="RIGHT") as (base, calls):
        webhook = f"{base}/robot/send?access_token=ding-token"
        reach(org, boss, customer, dingtalk_webhook=webhook, dingtalk_secret="WRONG")
        # when
        failed = send(org)
        reach(org, boss, customer, dingtalk_webhook=webhook, dingtalk_secret="RIGHT")
        retried = send(org)

    # then
    assert (failed[0].status, failed[0].error) == (
        ReminderStatus.FAILED,
        "errcode 310000: sign not match",
    )
    assert [log.status for log in retried] == [ReminderStatus.SENT]
    assert len(calls.dingtalk) == 1
    assert ReminderLog.objects.count() == 2
    assert ReminderLogItem.objects.filter(is_active=True).count() == 1


def test_an_unreachable_smtp_server_is_a_logged_failure(org, boss, settings):
    schedule(org, boss, (0, ReminderChannel.EMAIL))
    customer = CustomerFactory(org=org)
    reach(org, boss, customer, email="a@b.example")
    invoice_due(org, boss, customer, 0)
    with smtp_server() as (port, _inbox):
        pass  # the port is closed again
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    logs = send(org)

    assert logs[0].status == ReminderStatus.FAILED
    assert logs[0].error.startswith("SMTP: ")
    assert Event.objects.filter(verb="reminder_failed").count() == 1


def test_without_an_address_the_reminder_is_logged_as_skipped_once(org, boss):
    schedule(org, boss, (0, ReminderChannel.WECOM))
    customer = CustomerFactory(org=org)
    invoice_due(org, boss, customer, 0)

    first, second = send(org), send(org)

    assert [(log.status, log.error) for log in first] == [
        (ReminderStatus.SKIPPED, "No address on file for this channel.")
    ]
    assert second == []


def test_a_paused_customer_gets_nothing(org, boss):
    schedule(org, boss, (0, ReminderChannel.EMAIL))
    customer = CustomerFactory(org=org)
    reach(org, boss, customer, email="a@b.example", paused=True)
    invoice_due(org, boss, customer, 0)

    assert send(org) == []
    assert ReminderLog.objects.count() == 0


def test_a_paid_invoice_is_not_reminded(org, boss):
    schedule(org, boss, (0, ReminderChannel.EMAIL))
    customer = CustomerFactory(org=org)
    invoice_due(org, boss, customer, 0)
    services.receive_payment(
        org=org,
        actor=boss,
        data=services.PaymentData(customer.pk, timezone.localdate(), Decimal("100.00"), "cash"),
        auto_allocate=True,
    )

    assert due_reminders(today=timezone.localdate()) == []


def test_editing_a_template_keeps_the_step_so_nothing_is_resent(org, boss):
    schedule(org, boss, (0, ReminderChannel.WECOM))
    customer = CustomerFactory(org=org)
    invoice_due(org, boss, customer, 0)
    send(org)  # skipped (no address): the step is claimed
    step_id = ReminderStep.objects.get().pk

    services.save_reminder_schedule(
        org=org,
        actor=boss,
        tier="",
        customer_type="",
        steps=[services.StepData(0, "到期", ReminderChannel.WECOM, "{customer}：请付款{total}")],
    )

    assert ReminderStep.objects.get().pk == step_id
    assert send(org) == []


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        ([], "no_steps"),
        ([(0, "email", "a"), (0, "wecom", "b")], "duplicate_offset"),
        ([(400, "email", "a")], "invalid_offset"),
        ([(0, "fax", "a")], "invalid_channel"),
        ([(0, "email", "请付{amount}")], "invalid_template"),
    ],
)
def test_a_bad_schedule_is_refused_and_nothing_is_written(org, boss, steps, code):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.save_reminder_schedule(
            org=org,
            actor=boss,
            tier="",
            customer_type="",
            steps=[services.StepData(o, "提醒", c, t) for o, c, t in steps],
        )
    assert refused.value.code == code
    assert (ReminderSchedule.objects.count(), ReminderStep.objects.count()) == (0, 0)


def test_a_rep_cannot_change_schedules_or_addresses(org, rep):
    customer = CustomerFactory(org=org, owner=rep)
    with pytest.raises(BusinessRuleViolation):
        services.add_suggested_schedule(org=org, actor=rep)
    with pytest.raises(BusinessRuleViolation):
        reach(org, rep, customer, email="a@b.example")
    assert ReminderSchedule.objects.count() == 0


def test_a_webhook_must_be_a_web_address(org, boss):
    customer = CustomerFactory(org=org)
    with pytest.raises(BusinessRuleViolation) as refused:
        reach(org, boss, customer, wecom_webhook="qyapi.weixin.qq.com/send?key=1")
    assert refused.value.fields == {
        "wecom_webhook": "Enter the full webhook address, starting with https://."
    }


def test_the_suggested_schedule_is_polite_and_complete(org, boss):
    created = services.add_suggested_schedule(org=org, actor=boss)
    assert [(s.offset_days, s.label) for s in created.steps.all()] == [
        (-3, "提前叮嘱"),
        (0, "到期提醒"),
        (7, "逾期提醒"),
        (15, "再次提醒"),
        (30, "升级提醒"),
    ]
    with pytest.raises(BusinessRuleViolation) as twice:
        services.add_suggested_schedule(org=org, actor=boss)
    assert twice.value.code == "schedule_exists"
