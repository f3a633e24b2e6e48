"""Reminder pages: schedules, a customer's addresses, the log and "send now"."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from qudao.finance import services
from qudao.finance.models import (
    CustomerReminderSettings,
    ReminderChannel,
    ReminderSchedule,
    ReminderStep,
)
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role


def test_finance_adds_the_suggested_schedule_and_sees_it(boss, member, login):
    client = login(member(Role.FINANCE))

    client.post(reverse("finance-reminder-suggest"))
    page = client.get(reverse("finance-reminder-schedules"))

    assert ReminderStep.objects.count() == 5
    assert page.status_code == 200
    assert "提前叮嘱" in page.content.decode()


def test_a_schedule_is_saved_from_the_form_and_a_bad_row_changes_nothing(org, boss, login):
    client = login(boss)
    good = {
        "tier": "A",
        "customer_type": "",
        "is_active": "on",
        "step0-offset_days": "-3",
        "step0-label": "提前叮嘱",
        "step0-channel": "wecom",
        "step0-template": "{customer}您好，{total}将于{due_date}到期",
        "step1-offset_days": "10",
        "step1-label": "逾期",
        "step1-channel": "email",
        "step1-template": "{customer}您好，已逾期{days}天",
    }
    bad = good | {"step1-template": "请付{amount}"}

    refused = client.post(reverse("finance-reminder-schedule-create"), bad)
    saved = client.post(reverse("finance-reminder-schedule-create"), good)

    assert refused.status_code == 400
    assert "Unknown placeholder {amount}" in refused.content.decode()
    assert saved.status_code == 302
    schedule = ReminderSchedule.objects.get()
    assert (schedule.tier, [s.offset_days for s in schedule.steps.all()]) == ("A", [-3, 10])


def test_a_row_with_a_message_but_no_day_is_refused(boss, login):
    response = login(boss).post(
        reverse("finance-reminder-schedule-create"),
        {"tier": "", "customer_type": "", "step0-label": "提醒", "step0-template": "{customer}"},
    )
    assert response.status_code == 400
    assert "Enter the day of this step." in response.content.decode()
    assert ReminderSchedule.objects.count() == 0


def test_finance_sets_a_customers_addresses_and_a_bad_one_is_refused(org, boss, login):
    customer = CustomerFactory(org=org)
    client = login(boss)
    url = reverse("finance-reminder-customer", args=[customer.pk])

    refused = client.post(url, {"email": "not-an-address"})
    saved = client.post(
        url,
        {
            "email": "shop@example.com",
            "wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        },
    )

    assert refused.status_code == 400
    assert "Enter a valid email address." in refused.content.decode()
    assert saved.status_code == 302
    row = CustomerReminderSettings.objects.get()
    assert (row.email, row.paused) == ("shop@example.com", False)


def test_a_rep_sees_the_log_of_own_customers_but_cannot_send_or_configure(org, boss, rep, login):
    client = login(rep)
    customer = CustomerFactory(org=org, owner=rep)

    assert client.get(reverse("finance-reminder-log")).status_code == 200
    assert client.post(reverse("finance-reminder-send")).status_code == 403
    assert client.get(reverse("finance-reminder-customer", args=[customer.pk])).status_code == 403


def test_the_log_shows_what_is_due_and_send_now_queues_the_job(
    org, boss, login, django_capture_on_commit_callbacks
):
    services.save_reminder_schedule(
        org=org,
        actor=boss,
        tier="",
        customer_type="",
        steps=[services.StepData(0, "到期提醒", ReminderChannel.WECOM, "{customer}")],
    )
    customer = CustomerFactory(org=org, name="孙记烟酒")
    posted_invoice(org=org, actor=boss, customer=customer, date=timezone.localdate())
    client = login(boss)

    page = client.get(reverse("finance-reminder-log"))
    with django_capture_on_commit_callbacks() as callbacks:
        sent = client.post(reverse("finance-reminder-send"))

    assert [b.customer_name for b in page.context["due"]] == ["孙记烟酒"]
    assert sent.status_code == 302
    assert len(callbacks) == 1
