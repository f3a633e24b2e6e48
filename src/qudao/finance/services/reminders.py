"""Collection reminders: schedules per customer group, each customer's addresses, and sending
what is due. A send is claimed and logged in its own transaction first, then delivered outside
any transaction, then its result recorded; a failure gives the claim back for the next run."""

from __future__ import annotations

import datetime
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qudao.core.errors import BusinessRuleViolation
from qudao.core.money import ZERO
from qudao.finance.models import (
    MAX_OFFSET,
    MIN_OFFSET,
    CustomerReminderSettings,
    ReminderChannel,
    ReminderLog,
    ReminderLogItem,
    ReminderSchedule,
    ReminderStatus,
    ReminderStep,
)
from qudao.finance.reminders.channels import Delivery, send_dingtalk, send_email, send_wecom
from qudao.finance.reminders.planning import ReminderBatch, due_reminders
from qudao.finance.reminders.rendering import SUGGESTED_STEPS, check_template, render_reminder
from qudao.parties.models import CustomerType, Party, PartyKind, Tier
from qudao.tenancy.models import Membership, Organization
from qudao.tenancy.permissions import require_perm
from qudao.tenancy.roles import Perm
from qudao.tenancy.services import record_event

MAX_STEPS = 10


@dataclass(frozen=True)
class StepData:
    offset_days: int
    label: str
    channel: str
    template: str


@dataclass(frozen=True)
class ReminderSettingsData:
    email: str = ""
    wecom_webhook: str = ""
    dingtalk_webhook: str = ""
    dingtalk_secret: str = ""
    paused: bool = False


def _refuse(message: str, code: str, field: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(message, code=code, fields={field: message})


def _check_steps(steps: Sequence[StepData]) -> None:
    if not steps:
        raise _refuse(_("A schedule needs at least one step."), "no_steps", "steps")
    if len(steps) > MAX_STEPS:
        raise _refuse(
            _("A schedule has at most %(count)s steps.") % {"count": MAX_STEPS},
            "too_many_steps",
            "steps",
        )
    offsets = [step.offset_days for step in steps]
    if len(set(offsets)) != len(offsets):
        raise _refuse(
            _("Two steps fall on the same day; give each step its own day."),
            "duplicate_offset",
            "offset_days",
        )
    for step in steps:
        if not MIN_OFFSET <= step.offset_days <= MAX_OFFSET:
            raise _refuse(
                _("A step is between %(low)s and %(high)s days from the due date.")
                % {"low": MIN_OFFSET, "high": MAX_OFFSET},
                "invalid_offset",
                "offset_days",
            )
        if not step.label.strip():
            raise _refuse(_("Give each step a short label."), "label_required", "label")
        if step.channel not in ReminderChannel.values:
            raise _refuse(_("Choose a channel for each step."), "invalid_channel", "channel")
        check_template(step.template)


@transaction.atomic
def save_reminder_schedule(
    *,
    org: Organization,
    actor: Membership,
    tier: str,
    customer_type: str,
    steps: Sequence[StepData],
    is_active: bool = True,
) -> ReminderSchedule:
    """Set a group's steps. A step keeps its identity by its day, so editing a template never
    re-sends that step for invoices already reminded; a removed day's step is deleted."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if tier not in ("", *Tier.values) or customer_type not in ("", *CustomerType.values):
        raise _refuse(_("Choose a tier and a customer type."), "invalid_group", "tier")
    _check_steps(steps)
    schedule, _created = ReminderSchedule.objects.select_for_update(of=("self",)).get_or_create(
        org=org, tier=tier, customer_type=customer_type
    )
    schedule.is_active = is_active
    schedule.save(update_fields=["is_active", "updated_at"])
    existing = {step.offset_days: step for step in schedule.steps.all()}
    wanted = {step.offset_days for step in steps}
    ReminderStep.objects.filter(schedule=schedule).exclude(offset_days__in=wanted).delete()
    for data in steps:
        step = existing.get(data.offset_days) or ReminderStep(
            org=org, schedule=schedule, offset_days=data.offset_days
        )
        step.label = data.label.strip()[:60]
        step.channel = data.channel
        step.template = data.template.strip()
        step.save()
    record_event(
        org=org,
        actor=actor,
        subject=schedule,
        verb="reminder_schedule_saved",
        data={"steps": [[s.offset_days, s.channel, s.label] for s in steps]},
    )
    return schedule


@transaction.atomic
def add_suggested_schedule(*, org: Organization, actor: Membership) -> ReminderSchedule:
    """The default schedule for every customer: 3 days before, on the day, 7, 15, 30 after."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if ReminderSchedule.objects.filter(tier="", customer_type="").exists():
        raise BusinessRuleViolation(
            _("The default schedule exists already; edit it instead."), code="schedule_exists"
        )
    return save_reminder_schedule(
        org=org,
        actor=actor,
        tier="",
        customer_type="",
        steps=[
            StepData(offset, label, ReminderChannel.WECOM, template)
            for offset, label, template in SUGGESTED_STEPS
        ],
    )


def _check_url(url: str, field: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise _refuse(
            _("Enter the full webhook address, starting with https://."), "invalid_url", field
        ) from None


@transaction.atomic
def set_reminder_settings(
    *, org: Organization, actor: Membership, customer: Party, data: ReminderSettingsData
) -> CustomerReminderSettings:
    """Where the customer's reminders go, or that they are paused."""
    require_perm(actor, Perm.MANAGE_CREDIT)
    if customer.org_id != org.pk or customer.kind != PartyKind.CUSTOMER:
        raise _refuse(
            _("Choose one of this organization's customers."), "not_a_customer", "customer_id"
        )
    email = data.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _refuse(_("Enter a valid email address."), "invalid_email", "email") from None
    wecom, dingtalk = data.wecom_webhook.strip(), data.dingtalk_webhook.strip()
    if wecom:
        _check_url(wecom, "wecom_webhook")
    if dingtalk:
        _check_url(dingtalk, "dingtalk_webhook")
    found = CustomerReminderSettings.objects.select_for_update(of=("self",)).filter(party=customer)
    row = found.first() or CustomerReminderSettings(org=org, party=customer)
    row.email = email[:254]
    row.wecom_webhook = wecom[:500]
    row.dingtalk_webhook = dingtalk[:500]
    row.dingtalk_secret = data.dingtalk_secret.strip()[:100]
    row.paused = data.paused
    row.save()
    record_event(
        org=org,
        actor=actor,
        subject=customer,
        verb="reminder_settings_changed",
        data={"paused": data.paused, "channels": _configured(row)},
    )
    return row


def _configured(row: CustomerReminderSettings) -> list[str]:
    return [
        channel
        for channel, value in (
            (ReminderChannel.EMAIL, row.email),
            (ReminderChannel.WECOM, row.wecom_webhook),
            (ReminderChannel.DINGTALK, row.dingtalk_webhook),
        )
        if value
    ]


def _destination(batch: ReminderBatch) -> str:
    """Where this step's channel reaches the customer: an address, or a robot's host (the
    webhook's key is a secret and stays out of the log)."""
    row = batch.settings
    if row is None:
        return ""
    channel = batch.step.channel
    if channel == ReminderChannel.EMAIL:
        return row.email
    url = row.wecom_webhook if channel == ReminderChannel.WECOM else row.dingtalk_webhook
    return urllib.parse.urlsplit(url).netloc if url else ""


def _claim(org: Organization, actor: Membership | None, batch: ReminderBatch) -> ReminderLog | None:
    """Log the reminder and claim its (invoice, step) pairs; None if another run has them."""
    step = batch.step
    destination = _destination(batch)
    text = render_reminder(
        template=step.template,
        customer=batch.customer_name,
        organization=org.name,
        rep=batch.rep,
        offset_days=step.offset_days,
        invoices=batch.invoices,
    )
    try:
        with transaction.atomic():
            log = ReminderLog.objects.create(
                org=org,
                customer_id=batch.customer_id,
                step=step,
                step_label=step.label,
                offset_days=step.offset_days,
                channel=step.channel,
                destination=destination[:200],
                total=sum((invoice.open_amount for invoice in batch.invoices), ZERO),
                text=text,
                status=ReminderStatus.SENDING if destination else ReminderStatus.SKIPPED,
                error="" if destination else _("No address on file for this channel."),
                triggered_by=actor,
            )
            ReminderLogItem.objects.bulk_create(
                ReminderLogItem(
                    org=org,
                    log=log,
                    invoice_id=invoice.invoice_id,
                    step=step,
                    amount=invoice.open_amount,
                )
                for invoice in batch.invoices
            )
    except IntegrityError:
        return None  # a concurrent run claimed these first; it sends them
    return log


def _deliver(log: ReminderLog, batch: ReminderBatch, org: Organization) -> Delivery:
    row = batch.settings
    if row is None:  # unreachable: a log with a destination has settings
        return Delivery(False, _("No address on file for this channel."))
    if log.channel == ReminderChannel.EMAIL:
        return send_email(to=row.email, subject=f"{org.name} · {log.step_label}", body=log.text)
    if log.channel == ReminderChannel.WECOM:
        return send_wecom(webhook=row.wecom_webhook, text=log.text)
    return send_dingtalk(
        webhook=row.dingtalk_webhook,
        secret=row.dingtalk_secret,
        text=log.text,
        timestamp_ms=int(time.time() * 1000),
    )


@transaction.atomic
def _finish(org: Organization, log: ReminderLog, delivery: Delivery) -> ReminderLog:
    log.status = ReminderStatus.SENT if delivery.ok else ReminderStatus.FAILED
    log.error = delivery.error[:500]
    log.sent_at = timezone.now() if delivery.ok else None
    log.save(update_fields=["status", "error", "sent_at"])
    if not delivery.ok:
        ReminderLogItem.objects.filter(log=log).update(is_active=False)  # retried next run
    record_event(
        org=org,
        actor=log.triggered_by,
        subject=Party.objects.get(pk=log.customer_id),
        verb="reminder_sent" if delivery.ok else "reminder_failed",
        reason=log.error,
        data={
            "log": log.pk,
            "step": log.step_label,
            "channel": log.channel,
            "total": str(log.total),
        },
    )
    return log


def send_due_reminders(
    *,
    org: Organization,
    actor: Membership | None,
    today: datetime.date,
    customer_ids: Sequence[int] | None = None,
) -> list[ReminderLog]:
    """Send every reminder due today (or only to `customer_ids`); `actor` None: the daily job.

    Not one transaction on purpose: each claim commits before its message leaves, so a crash
    mid-run never sends without a log, and a second run never sends the same step twice."""
    if actor is not None:
        require_perm(actor, Perm.POST_FINANCE)
    logs = []
    for batch in due_reminders(today=today, customer_ids=customer_ids):
        log = _claim(org, actor, batch)
        if log is None:
            continue
        if log.status == ReminderStatus.SENDING:
            log = _finish(org, log, _deliver(log, batch, org))
        logs.append(log)
    return logs
