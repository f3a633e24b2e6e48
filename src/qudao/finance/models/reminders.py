"""Collection reminders (催款提醒): schedules per customer group, each customer's addresses, and
the log of every send. A log item claims (invoice, step) while active, so a reminder step is
never sent twice for the same invoice; a failed send gives its claim back for the next run."""

from __future__ import annotations

from typing import Final

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qudao.core.money import money_field
from qudao.tenancy.models import Membership, history
from qudao.tenancy.scoping import OrgScopedModel

MIN_OFFSET: Final = -60
MAX_OFFSET: Final = 365


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class ReminderSchedule(OrgScopedModel):
    """The reminder steps of a customer group: a tier and/or a customer type ("" = any)."""

    tier = models.CharField(_("tier"), max_length=2, blank=True)
    customer_type = models.CharField(_("customer type"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "tier", "customer_type"], name="reminderschedule_org_group"
            ),
        ]
        ordering = ["tier", "customer_type"]

    def __str__(self) -> str:
        return f"{self.tier or '*'}/{self.customer_type or '*'}"


class ReminderStep(OrgScopedModel):
    """Send `template` through `channel` when an invoice is `offset_days` from its due date
    (negative: before it)."""

    schedule = models.ForeignKey(
        ReminderSchedule, on_delete=models.CASCADE, related_name="steps", verbose_name=_("schedule")
    )
    offset_days = models.SmallIntegerField(_("days from the due date"))
    label = models.CharField(_("label"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=ReminderChannel.choices)
    template = models.TextField(_("message template"))

    class Meta:
        verbose_name = _("reminder step")
        verbose_name_plural = _("reminder steps")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "schedule", "offset_days"], name="reminderstep_org_offset"
            ),
            models.CheckConstraint(
                condition=Q(offset_days__gte=MIN_OFFSET) & Q(offset_days__lte=MAX_OFFSET),
                name="reminderstep_offset_range",
            ),
        ]
        ordering = ["offset_days"]

    def __str__(self) -> str:
        return f"{self.offset_days:+d} {self.label}"


class CustomerReminderSettings(OrgScopedModel):
    """Where a customer's reminders go: an email address and group-robot webhooks."""

    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    email = models.EmailField(_("email"), blank=True)
    wecom_webhook = models.URLField(_("WeCom robot webhook"), max_length=500, blank=True)
    dingtalk_webhook = models.URLField(_("DingTalk robot webhook"), max_length=500, blank=True)
    dingtalk_secret = models.CharField(_("DingTalk signing secret"), max_length=100, blank=True)
    paused = models.BooleanField(_("reminders paused"), default=False)

    history = history()

    class Meta:
        verbose_name = _("customer reminder settings")
        verbose_name_plural = _("customer reminder settings")
        constraints = [
            models.UniqueConstraint(fields=["org", "party"], name="customerremindersettings_party"),
        ]

    def __str__(self) -> str:
        return str(self.party_id)


class ReminderStatus(models.TextChoices):
    SENDING = "sending", pgettext_lazy("reminder", "Sending")
    SENT = "sent", pgettext_lazy("reminder", "Sent")
    FAILED = "failed", pgettext_lazy("reminder", "Failed")
    SKIPPED = "skipped", pgettext_lazy("reminder", "No address on file")


class ReminderLog(OrgScopedModel):
    """One reminder to one customer for one step: the text sent, where, and the result."""

    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    step = models.ForeignKey(
        ReminderStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("step"),
    )
    step_label = models.CharField(_("step"), max_length=60)
    offset_days = models.SmallIntegerField(_("days from the due date"))
    channel = models.CharField(_("channel"), max_length=10, choices=ReminderChannel.choices)
    destination = models.CharField(_("sent to"), max_length=200, blank=True)
    total = money_field(verbose_name=_("amount"))
    text = models.TextField(_("message"))
    status = models.CharField(
        _("result"),
        max_length=10,
        choices=ReminderStatus.choices,
        default=ReminderStatus.SENDING,
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        verbose_name = _("reminder log")
        verbose_name_plural = _("reminder logs")
        indexes = [
            models.Index(fields=["org", "-created_at"], name="reminderlog_org_created"),
            models.Index(fields=["org", "customer", "-created_at"], name="reminderlog_customer"),
            models.Index(fields=["org", "status"], name="reminderlog_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.step_label}"


class ReminderLogItem(OrgScopedModel):
    """An invoice a reminder named; while active it holds the (invoice, step) claim."""

    log = models.ForeignKey(
        ReminderLog, on_delete=models.CASCADE, related_name="items", verbose_name=_("reminder")
    )
    invoice = models.ForeignKey(
        "finance.Invoice", on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice")
    )
    step = models.ForeignKey(
        ReminderStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("step"),
    )
    amount = money_field(verbose_name=_("open amount"))
    is_active = models.BooleanField(_("holds the claim"), default=True)

    class Meta:
        verbose_name = _("reminder item")
        verbose_name_plural = _("reminder items")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "invoice", "step"],
                condition=Q(is_active=True),
                name="reminderlogitem_once_per_invoice_step",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "log"], name="reminderlogitem_org_log"),
            models.Index(fields=["org", "invoice"], name="reminderlogitem_org_invoice"),
        ]
