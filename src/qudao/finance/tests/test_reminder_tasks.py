"""The daily reminder job runs through the real task queue and a real consumer."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from qudao.finance import services
from qudao.finance.models import ReminderChannel, ReminderLog, ReminderStatus
from qudao.finance.tasks import daily_reminders, is_reminder_hour, send_reminders
from qudao.finance.tests.factories import posted_invoice
from qudao.finance.tests.fake_servers import robot_server
from qudao.parties.tests.factories import CustomerFactory


def _due_today(org, boss, base):
    services.save_reminder_schedule(
        org=org,
        actor=boss,
        tier="",
        customer_type="",
        steps=[services.StepData(0, "到期提醒", ReminderChannel.WECOM, "{customer}：{total}")],
    )
    customer = CustomerFactory(org=org, name="赵氏批发部")
    services.set_reminder_settings(
        org=org,
        actor=boss,
        customer=customer,
        data=services.ReminderSettingsData(
            wecom_webhook=f"{base}/cgi-bin/webhook/send?key=wecom-key"
        ),
    )
    posted_invoice(org=org, actor=boss, customer=customer, date=timezone.localdate())
    return customer


def test_the_task_sends_once_however_often_it_runs(org, boss):
    with robot_server() as (base, calls):
        _due_today(org, boss, base)
        first = send_reminders.call_local(org.pk)
        second = send_reminders.call_local(org.pk)

    assert (first, second, len(calls.wecom)) == (1, 0, 1)
    assert calls.wecom[0]["text"]["content"] == "赵氏批发部：¥100.00"


@pytest.mark.django_db(transaction=True)
def test_the_reminder_task_sends_through_a_real_queue_worker(append_only_flushable, org, boss):
    # given: a reminder due today, and a real consumer working the queue
    HUEY.flush()
    with robot_server() as (base, calls):
        _due_today(org, boss, base)
        consumer = HUEY.create_consumer(workers=1, periodic=False, check_worker_health=False)
        consumer.start()
        try:
            # when: the organization's reminder task is enqueued (as the 09:00 job does)
            send_reminders(org.pk)
            deadline = time.monotonic() + 30
            sent = ReminderLog.unscoped.filter(status=ReminderStatus.SENT)
            while time.monotonic() < deadline and not sent.exists():
                time.sleep(0.1)
        finally:
            consumer.stop(graceful=True)
            HUEY.flush()

    # then
    assert [c["text"]["content"] for c in calls.wecom] == ["赵氏批发部：¥100.00"]
    assert list(ReminderLog.unscoped.values_list("status", flat=True)) == [ReminderStatus.SENT]


def test_the_daily_job_wakes_hourly_and_sends_at_nine_local_time():
    validate = daily_reminders.task_class().validate_datetime
    utc = datetime.UTC

    assert validate(datetime.datetime(2026, 11, 30, 1, 0))
    assert not validate(datetime.datetime(2026, 11, 30, 1, 30))
    assert is_reminder_hour(datetime.datetime(2026, 11, 30, 1, 5, tzinfo=utc))  # 09:05 Shanghai
    assert not is_reminder_hour(datetime.datetime(2026, 11, 30, 9, 5, tzinfo=utc))
