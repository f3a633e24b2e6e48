"""Queue entry points for finance: the daily collection reminders."""

from __future__ import annotations

import datetime
from typing import Final

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from qudao.finance.models import ReminderStatus
from qudao.finance.services import send_due_reminders
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.scoping import org_scope


@db_task()
def send_reminders(org_id: int, actor_id: int | None = None) -> int:
    """Send one organization's reminders due today; returns how many were sent. Idempotent:
    a second run the same day finds every step claimed and sends nothing."""
    org = Organization.objects.get(pk=org_id)
    with org_scope(org):
        actor = Membership.objects.get(pk=actor_id, org=org) if actor_id is not None else None
        logs = send_due_reminders(org=org, actor=actor, today=timezone.localdate())
    return sum(1 for log in logs if log.status == ReminderStatus.SENT)


REMINDER_HOUR: Final = 9


def is_reminder_hour(now: datetime.datetime) -> bool:
    """Reminders go out in the 09:00 hour of the organization's local time (TIME_ZONE)."""
    return timezone.localtime(now).hour == REMINDER_HOUR


@db_periodic_task(crontab(minute="0"))
def daily_reminders() -> int:
    """At 09:00 local time (TIME_ZONE) every morning: enqueue every organization's reminders.

    Checked hourly against the local clock because the queue's schedule runs in UTC."""
    if not is_reminder_hour(timezone.now()):
        return 0
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    for org_id in org_ids:
        send_reminders(org_id)
    return len(org_ids)
